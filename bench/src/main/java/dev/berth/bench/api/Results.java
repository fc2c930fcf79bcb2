package dev.berth.bench.api;

import dev.berth.bench.engine.Latencies;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Samples per (operation, daemon), and the failure that ended a series early, for the report. */
final class Results {
    private final Map<String, Map<String, Latencies>> samples = new LinkedHashMap<>();
    private final Map<String, String> failures = new LinkedHashMap<>();

    void add(String op, String target, long nanos) {
        samples.computeIfAbsent(op, k -> new LinkedHashMap<>())
                .computeIfAbsent(target, k -> new Latencies())
                .add(nanos);
    }

    void fail(String op, String target, String why) {
        failures.putIfAbsent(op + "|" + target, why);
    }

    boolean failed(String op, String target) {
        return failures.containsKey(op + "|" + target);
    }

    Map<String, String> failures() {
        return failures;
    }

    /** "12.3 / 45.6" (median / p99 in ms), "failed", or "-" when there are no samples. */
    String cell(String op, String target) {
        if (failed(op, target)) return "FAILED";
        Latencies l = series(op, target);
        if (l == null || l.size() == 0) return "-";
        return String.format(Locale.ROOT, "%.1f / %.1f", l.p50Ms(), l.p99Ms());
    }

    /** How many times the slower peer's median is the faster one's, "3.2x" (above 1: berthd is faster). */
    String ratio(String op, String berthd, String peer) {
        Latencies b = series(op, berthd), p = series(op, peer);
        if (failed(op, berthd) || failed(op, peer) || b == null || p == null || b.size() == 0 || p.size() == 0)
            return "-";
        return String.format(Locale.ROOT, "%.2fx", p.p50Ms() / b.p50Ms());
    }

    Latencies series(String op, String target) {
        Map<String, Latencies> m = samples.get(op);
        return m == null ? null : m.get(target);
    }
}
