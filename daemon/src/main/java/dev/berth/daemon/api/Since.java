package dev.berth.daemon.api;

import dev.berth.model.BerthException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Docker's points in time in queries: unix seconds with optional fraction ({@code 1700000000.5}) or RFC 3339. */
final class Since {
    private Since() {}

    /** The instant, or null when {@code text} is absent, empty or 0 (Docker's "no limit"). */
    static Instant parse(String text, String field) {
        if (text == null || text.isEmpty()) return null;
        try {
            if (text.matches("-?[0-9]+(\\.[0-9]{1,9})?")) {
                int dot = text.indexOf('.');
                long secs = Long.parseLong(dot < 0 ? text : text.substring(0, dot));
                long nanos = dot < 0 ? 0 : Long.parseLong((text.substring(dot + 1) + "000000000").substring(0, 9));
                if (secs == 0 && nanos == 0) return null;
                return Instant.ofEpochSecond(secs, nanos);
            }
            return OffsetDateTime.parse(text).toInstant();
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new BerthException.InvalidRequest(field, "'" + text + "' is not a time (unix seconds or RFC 3339)");
        }
    }
}
