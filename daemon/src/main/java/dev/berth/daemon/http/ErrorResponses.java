package dev.berth.daemon.http;

import dev.berth.daemon.containers.NotModified;
import dev.berth.model.BerthException;
import dev.berth.model.log.Log;
import java.util.Map;

/** Docker's error shape, {@code {"message": ...}}, with Docker's status codes. */
public final class ErrorResponses {
    private ErrorResponses() {}

    public static ApiResponse.Json message(int status, String message) {
        return new ApiResponse.Json(status, Map.of("message", message));
    }

    /** The status a failure maps to: bad input 400, unknown object 404, clash 409, everything else 500. */
    public static ApiResponse of(Throwable e, ApiRequest request) {
        return switch (e) {
            case BerthException.InvalidRequest x -> message(400, x.getMessage());
            case BerthException.NotFound x -> message(404, x.getMessage());
            case BerthException.Conflict x -> message(409, x.getMessage());
            case BerthException.Unsupported x -> message(400, x.getMessage());
            case BerthException.Failed x -> {
                Log.error(
                        "request failed", "method", request.method(), "path", request.path(), "error", x.getMessage());
                yield message(500, x.getMessage());
            }
            case NotModified x -> new ApiResponse.Empty(304);
            default -> {
                Log.error(
                        "unexpected failure",
                        "method",
                        request.method(),
                        "path",
                        request.path(),
                        "error",
                        String.valueOf(e),
                        "at",
                        e.getStackTrace().length > 0 ? e.getStackTrace()[0] : "?");
                // a bug, not the client's fault: the log has the exception, the answer says what failed without Java's
                // names
                yield message(
                        500,
                        request.method() + " " + request.path() + " failed"
                                + (e.getMessage() == null ? "" : ": " + e.getMessage())
                                + " (berthd's log has the details)");
            }
        };
    }
}
