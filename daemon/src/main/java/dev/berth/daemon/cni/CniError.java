package dev.berth.daemon.cni;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A CNI error result: the spec's well-known codes (1..51) or Berth's own (100+), a short message and the
 * details a user acts on. The plugin prints it on stdout and exits 1.
 */
public final class CniError extends RuntimeException {
    /** The spec's codes that Berth uses. */
    public static final int INCOMPATIBLE_VERSION = 1,
            UNSUPPORTED_FIELD = 2,
            UNKNOWN_CONTAINER = 3,
            INVALID_ENV = 4,
            IO_FAILURE = 5,
            DECODE = 6,
            INVALID_CONFIG = 7,
            TRY_AGAIN = 11,
            NOT_AVAILABLE = 50;
    /** Berth's codes: berthd failed part-way (everything undone), a clash with existing state, a CHECK that found a difference. */
    public static final int FAILED = 100, CONFLICT = 102, CHECK_FAILED = 103;

    private final int code;
    private final String details;

    public CniError(int code, String msg, String details) {
        super(msg, null, false, false);
        this.code = code;
        this.details = details == null ? "" : details;
    }

    public int code() {
        return code;
    }

    public String details() {
        return details;
    }

    /** The error object of the spec, in the configuration's version. */
    public Map<String, Object> toJson(String cniVersion) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cniVersion", cniVersion);
        m.put("code", code);
        m.put("msg", getMessage());
        if (!details.isEmpty()) m.put("details", details);
        return m;
    }

    /** The HTTP status berthd answers the plugin with (the plugin only looks for "code" in the body). */
    public int httpStatus() {
        return switch (code) {
            case UNKNOWN_CONTAINER -> 404;
            case CONFLICT -> 409;
            case FAILED, IO_FAILURE -> 500;
            case TRY_AGAIN, NOT_AVAILABLE -> 503;
            default -> 400;
        };
    }
}
