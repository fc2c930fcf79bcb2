package dev.berth.daemon.api;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Docker's time formats. */
public final class Times {
    private static final DateTimeFormatter NANOS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'").withZone(ZoneOffset.UTC);
    /** Docker's zero time, for "never" (FinishedAt of a running container). */
    public static final String ZERO = "0001-01-01T00:00:00Z";

    private Times() {}

    public static String rfc3339(Instant t) {
        return t == null ? ZERO : NANOS.format(t);
    }
}
