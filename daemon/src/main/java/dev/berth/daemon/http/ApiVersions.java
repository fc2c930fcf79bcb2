package dev.berth.daemon.http;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Docker Engine API versions Berth answers to: 1.24 (Docker 28's minimum) up to 1.50. */
public final class ApiVersions {
    public static final String CURRENT = "1.50";
    public static final String MINIMUM = "1.24";
    private static final Pattern PREFIX = Pattern.compile("^/v(\\d+)\\.(\\d+)(/.*)$");

    private ApiVersions() {}

    /** The {@code Server} header of every answer. */
    static String server() {
        return "Berth/" + BerthVersion.berth() + " (linux)";
    }

    /** A path split into its version (CURRENT when it had none) and the rest. */
    public record Versioned(String version, String path) {}

    /** Splits {@code /v1.50/networks} and refuses versions out of range with Docker's wording. */
    public static Versioned split(String rawPath) {
        Matcher m = PREFIX.matcher(rawPath);
        if (!m.matches()) return new Versioned(CURRENT, rawPath);
        String v = m.group(1) + "." + m.group(2);
        if (compare(v, MINIMUM) < 0)
            throw new TooOld("client version " + v + " is too old. Minimum supported API version is " + MINIMUM
                    + ", please upgrade your client to a newer version");
        if (compare(v, CURRENT) > 0)
            throw new TooOld("client version " + v + " is too new. Maximum supported API version is " + CURRENT);
        return new Versioned(v, m.group(3));
    }

    public static int compare(String a, String b) {
        String[] x = a.split("\\."), y = b.split("\\.");
        int c = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
        return c != 0 ? c : Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
    }

    /** A version the daemon does not speak; Docker answers it with 400 and plain text. */
    public static final class TooOld extends RuntimeException {
        TooOld(String message) {
            super(message);
        }
    }
}
