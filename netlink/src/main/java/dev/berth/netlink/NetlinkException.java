package dev.berth.netlink;

import dev.berth.netlink.sys.Errno;

/**
 * The kernel refused a netlink request. The subtype says why in terms a caller can act on; the
 * message names the operation, the errno and, when the kernel gave one, its extended-ack text.
 */
public abstract sealed class NetlinkException extends RuntimeException
        permits NetlinkException.NotFound,
                NetlinkException.Exists,
                NetlinkException.Busy,
                NetlinkException.NotSupported,
                NetlinkException.PermissionDenied,
                NetlinkException.Invalid,
                NetlinkException.Other,
                NetlinkException.DumpInterrupted,
                MissingKernelFeatureException {
    private final String operation;
    private final int errno;
    private final String extack;

    NetlinkException(String operation, int errno, String extack, String message, Throwable cause) {
        super(message, cause);
        this.operation = operation;
        this.errno = errno;
        this.extack = extack;
    }

    NetlinkException(String operation, int errno, String extack) {
        this(operation, errno, extack, compose(operation, errno, extack), null);
    }

    private static String compose(String operation, int errno, String extack) {
        String s = operation + ": " + Errno.describe(errno);
        return extack == null || extack.isEmpty() ? s : s + ": " + extack;
    }

    /** What Berth asked the kernel to do, e.g. {@code create link veth1a2b3c4 (veth)}. */
    public String operation() {
        return operation;
    }

    public int errno() {
        return errno;
    }

    /** The kernel's extended-ack message, or null when it sent none. */
    public String extack() {
        return extack;
    }

    /** Maps a kernel errno to the exception type that says what it means. */
    public static NetlinkException of(String operation, int errno, String extack) {
        return switch (errno) {
            case Errno.ENOENT, Errno.ENODEV, Errno.ESRCH, Errno.EADDRNOTAVAIL -> new NotFound(operation, errno, extack);
            case Errno.EEXIST, Errno.EADDRINUSE -> new Exists(operation, errno, extack);
            case Errno.EBUSY -> new Busy(operation, errno, extack);
            case Errno.EOPNOTSUPP, Errno.EAFNOSUPPORT, Errno.EPROTONOSUPPORT ->
                new NotSupported(operation, errno, extack);
            case Errno.EPERM, Errno.EACCES -> new PermissionDenied(operation, errno, extack);
            case Errno.EINVAL, Errno.ERANGE, Errno.E2BIG, Errno.ENAMETOOLONG, Errno.ENETUNREACH ->
                new Invalid(operation, errno, extack);
            default -> new Other(operation, errno, extack);
        };
    }

    /** The object (link, address, route, neighbour) does not exist. */
    public static final class NotFound extends NetlinkException {
        NotFound(String op, int errno, String extack) {
            super(op, errno, extack);
        }
    }

    /** An object with that identity already exists. */
    public static final class Exists extends NetlinkException {
        Exists(String op, int errno, String extack) {
            super(op, errno, extack);
        }
    }

    /** The object is in use (a lower device already taken, a name held by another link). */
    public static final class Busy extends NetlinkException {
        Busy(String op, int errno, String extack) {
            super(op, errno, extack);
        }
    }

    /** The kernel does not support the request (often: a link type it was built without). */
    public static final class NotSupported extends NetlinkException {
        NotSupported(String op, int errno, String extack) {
            super(op, errno, extack);
        }
    }

    /** The caller lacks the privilege (Berth needs CAP_NET_ADMIN and CAP_SYS_ADMIN). */
    public static final class PermissionDenied extends NetlinkException {
        PermissionDenied(String op, int errno, String extack) {
            super(op, errno, extack);
        }
    }

    /** The kernel rejected an argument; the extended ack usually says which. */
    public static final class Invalid extends NetlinkException {
        Invalid(String op, int errno, String extack) {
            super(op, errno, extack);
        }
    }

    /** Any other errno. */
    public static final class Other extends NetlinkException {
        Other(String op, int errno, String extack) {
            super(op, errno, extack);
        }
    }

    /**
     * The table kept changing while the kernel dumped it (NLM_F_DUMP_INTR on every attempt): the
     * answer may miss or repeat objects, so it is not handed out. Trying again later usually works.
     */
    public static final class DumpInterrupted extends NetlinkException {
        private final int attempts;

        public DumpInterrupted(String op, int attempts) {
            super(
                    op,
                    Errno.EINTR,
                    null,
                    op + ": the table changed during each of " + attempts
                            + " dumps in a row, so none is a consistent view; try again",
                    null);
            this.attempts = attempts;
        }

        /** How many dumps were made before giving up. */
        public int attempts() {
            return attempts;
        }
    }
}
