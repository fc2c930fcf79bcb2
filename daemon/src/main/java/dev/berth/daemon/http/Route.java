package dev.berth.daemon.http;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A method and a path pattern such as {@code /networks/{id}/connect}; a placeholder matches one
 * non-empty segment, and one {@code {name*}} placeholder matches one or more (an image name such as
 * {@code localhost:5000/team/app:v1} has slashes, and Docker's paths carry it unescaped).
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
        for (int i = 0; i < want.length; i++) if (want[i].endsWith("*}")) return matchRest(want, got, i);
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

    /** The segments before {@code star} match one by one, those after it from the end, the rest is its value. */
    private static Map<String, String> matchRest(String[] want, String[] got, int star) {
        int after = want.length - star - 1;
        if (got.length < want.length) return null;
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < want.length; i++) {
            if (i == star) continue;
            String w = want[i];
            String g = i < star ? got[i] : got[got.length - (want.length - i)];
            if (w.startsWith("{") && w.endsWith("}")) {
                if (g.isEmpty()) return null;
                params.put(w.substring(1, w.length() - 1), g);
            } else if (!w.equals(g)) {
                return null;
            }
        }
        String value = String.join("/", Arrays.copyOfRange(got, star, got.length - after));
        if (value.isEmpty() || value.startsWith("/") || value.endsWith("/")) return null;
        params.put(want[star].substring(1, want[star].length() - 2), value);
        return params;
    }
}
