package dev.berth.daemon.containers;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.model.BerthException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Docker's HealthConfig (Config.Healthcheck, an image's HEALTHCHECK): {@code Test} is empty (inherit the image's),
 * {@code ["NONE"]}, {@code ["CMD", args...]} or {@code ["CMD-SHELL", command]}; durations in nanoseconds, 0 meaning
 * inherit, then Docker's defaults (interval and timeout 30 s, start interval 5 s, 3 retries).
 */
public record Healthcheck(
        @JsonProperty("Test") List<String> test,
        @JsonProperty("Interval") long interval,
        @JsonProperty("Timeout") long timeout,
        @JsonProperty("StartPeriod") long startPeriod,
        @JsonProperty("StartInterval") long startInterval,
        @JsonProperty("Retries") int retries) {
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_START_INTERVAL = Duration.ofSeconds(5);
    static final int DEFAULT_RETRIES = 3;
    private static final long MIN = 1_000_000; // Docker refuses durations under 1 ms

    public Healthcheck {
        test = test == null ? List.of() : List.copyOf(test);
    }

    /** Whether a check runs at all: a test that is neither empty nor NONE. */
    public boolean enabled() {
        return !test.isEmpty() && !test.getFirst().equals("NONE");
    }

    /** The program and arguments to exec: CMD's as given, CMD-SHELL's through {@code /bin/sh -c}. */
    public List<String> command() {
        return test.getFirst().equals("CMD-SHELL")
                ? List.of("/bin/sh", "-c", String.join(" ", test.subList(1, test.size())))
                : test.subList(1, test.size());
    }

    Duration intervalOrDefault() {
        return interval > 0 ? Duration.ofNanos(interval) : DEFAULT_INTERVAL;
    }

    Duration timeoutOrDefault() {
        return timeout > 0 ? Duration.ofNanos(timeout) : DEFAULT_TIMEOUT;
    }

    Duration startIntervalOrDefault() {
        return startInterval > 0 ? Duration.ofNanos(startInterval) : DEFAULT_START_INTERVAL;
    }

    int retriesOrDefault() {
        return retries > 0 ? retries : DEFAULT_RETRIES;
    }

    /** The container's fields over the image's, field by field (Docker's merge). Either may be null. */
    public static Healthcheck merge(Healthcheck container, Healthcheck image) {
        if (image == null) return container;
        if (container == null) return image;
        return new Healthcheck(
                container.test.isEmpty() ? image.test : container.test,
                container.interval != 0 ? container.interval : image.interval,
                container.timeout != 0 ? container.timeout : image.timeout,
                container.startPeriod != 0 ? container.startPeriod : image.startPeriod,
                container.startInterval != 0 ? container.startInterval : image.startInterval,
                container.retries != 0 ? container.retries : image.retries);
    }

    /** Config.Healthcheck of a create request, checked with Docker's rules and words; null when absent. */
    public static Healthcheck read(JsonNode h, String field) {
        if (h == null || h.isNull() || h.isMissingNode()) return null;
        if (!h.isObject()) throw new BerthException.InvalidRequest(field, "must be an object");
        for (var it = h.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!List.of("Test", "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries")
                    .contains(k))
                throw new BerthException.InvalidRequest(field + "." + k, "not a field of a healthcheck");
        }
        List<String> test = new ArrayList<>();
        JsonNode t = h.path("Test");
        if (!t.isMissingNode() && !t.isNull()) {
            if (!t.isArray()) throw new BerthException.InvalidRequest(field + ".Test", "must be a list of strings");
            for (JsonNode v : t) {
                if (!v.isTextual())
                    throw new BerthException.InvalidRequest(field + ".Test", "must be a list of strings");
                test.add(v.asText());
            }
        }
        if (!test.isEmpty()) {
            String kind = test.getFirst();
            if (!List.of("NONE", "CMD", "CMD-SHELL").contains(kind))
                throw new BerthException.InvalidRequest(
                        field + ".Test", "unknown type '" + kind + "': give NONE, CMD or CMD-SHELL first");
            if (!kind.equals("NONE") && test.size() < 2)
                throw new BerthException.InvalidRequest(field + ".Test", kind + " needs a command");
        }
        long interval = duration(h, "Interval", field), timeout = duration(h, "Timeout", field);
        long startPeriod = duration(h, "StartPeriod", field), startInterval = duration(h, "StartInterval", field);
        JsonNode r = h.path("Retries");
        int retries = 0;
        if (!r.isMissingNode() && !r.isNull()) {
            if (!r.canConvertToInt() || !r.isIntegralNumber())
                throw new BerthException.InvalidRequest(field + ".Retries", "must be a whole number");
            retries = r.asInt();
            if (retries < 0)
                throw new BerthException.InvalidRequest(
                        field + ".Retries", "Retries in Healthcheck cannot be negative");
        }
        return new Healthcheck(test, interval, timeout, startPeriod, startInterval, retries);
    }

    private static long duration(JsonNode h, String name, String field) {
        JsonNode v = h.path(name);
        if (v.isMissingNode() || v.isNull()) return 0;
        if (!v.isIntegralNumber() || !v.canConvertToLong())
            throw new BerthException.InvalidRequest(field + "." + name, "must be a whole number of nanoseconds");
        long n = v.asLong();
        if (n != 0 && n < MIN)
            throw new BerthException.InvalidRequest(
                    field + "." + name, name + " in Healthcheck cannot be less than 1ms");
        return n;
    }
}
