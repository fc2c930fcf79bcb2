package dev.berth.daemon.http;

import java.util.HashMap;
import java.util.Map;

/**
 * A method and a path pattern such as {@code /networks/{id}/connect}; a placeholder matches one
 * non-empty segment.
 */
public record Route(String method, String pattern, Handler handler) {

    /** Handles one API call; may block (it runs on a worker thread, never on the event loop). */
    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiRequest request) throws Exception;
    }

    /** The placeholder values when {@code path} matches, else null. */
    Map<String, String> match(String path) {
        String[] want = pattern.split("/", -1);
        String[] got = path.split("/", -1);
        if (want.length != got.length) return null;
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < want.length; i++) {
            if (want[i].startsWith("{") && want[i].endsWith("}")) {
                if (got[i].isEmpty()) return null;
                params.put(want[i].substring(1, want[i].length() - 1), got[i]);
            } else if (!want[i].equals(got[i])) {
                return null;
            }
        }
        return params;
    }
}
