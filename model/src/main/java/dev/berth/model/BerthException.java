package dev.berth.model;

/**
 * A request the engine refused or could not carry out. The subtype tells an API layer which status to
 * answer with; the message says what was asked, what is wrong and what to do.
 */
public abstract sealed class BerthException extends RuntimeException
        permits BerthException.InvalidRequest,
                BerthException.NotFound,
                BerthException.Conflict,
                BerthException.Unsupported,
                BerthException.Failed {

    BerthException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A field of the request is malformed or not allowed; nothing was changed. */
    public static final class InvalidRequest extends BerthException {
        private final String field;

        public InvalidRequest(String field, String problem) {
            super(field + ": " + problem, null);
            this.field = field;
        }

        private InvalidRequest(String field, String message, Void verbatim) {
            super(message, null);
            this.field = field;
        }

        /** A refusal whose text clients match word for word (Docker's "invalid reference format"): no field prefix. */
        public static InvalidRequest verbatim(String field, String message) {
            return new InvalidRequest(field, message, null);
        }

        /** The request field at fault, e.g. {@code IPAM.Config[0].Subnet}. */
        public String field() {
            return field;
        }
    }

    /** The named network, sandbox or endpoint does not exist. */
    public static final class NotFound extends BerthException {
        public NotFound(String message) {
            super(message, null);
        }
    }

    /** The request clashes with existing state: a name in use, an address taken, a port published. */
    public static final class Conflict extends BerthException {
        public Conflict(String message) {
            super(message, null);
        }
    }

    /** This kernel or configuration cannot do what was asked (names the missing piece). */
    public static final class Unsupported extends BerthException {
        public Unsupported(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The kernel or firewall failed part-way; everything done so far was undone. */
    public static final class Failed extends BerthException {
        public Failed(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
