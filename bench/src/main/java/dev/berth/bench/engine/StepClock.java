package dev.berth.bench.engine;

import dev.berth.engine.tx.Faults;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Times the steps of engine operations through the engine's fault-injection points: every
 * transaction step announces itself before it runs, so the time from one point to the next is the
 * step's (plus the bookkeeping between them). Time before the first point is "pre"; the last step
 * runs until the operation returns. A step name seen twice in one operation gets "#2".
 */
public final class StepClock implements Faults {
    private final Map<String, Latencies> steps = new LinkedHashMap<>();
    private final Map<String, Integer> seen = new HashMap<>();
    private boolean active;
    private long last;
    private String current;

    /** Starts timing one operation that began at {@code t0} (System.nanoTime). */
    public void begin(long t0) {
        seen.clear();
        last = t0;
        current = "pre";
        active = true;
    }

    @Override
    public void reach(String point) {
        if (!active) return;
        long now = System.nanoTime();
        record(current, now - last);
        String name = point.substring(point.indexOf(':') + 1);
        int n = seen.merge(name, 1, Integer::sum);
        current = n == 1 ? name : name + "#" + n;
        last = now;
    }

    /** Ends the operation that returned at {@code t1}. */
    public void end(long t1) {
        if (!active) return;
        record(current, t1 - last);
        active = false;
    }

    private void record(String step, long nanos) {
        steps.computeIfAbsent(step, k -> new Latencies()).add(nanos);
    }

    /** Per step, the durations of every operation that went through it, in first-seen order. */
    public Map<String, Latencies> steps() {
        return steps;
    }
}
