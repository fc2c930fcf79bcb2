package dev.berth.bench.engine;

import java.util.Arrays;
import java.util.List;

/** Latencies of one series in nanoseconds, in the order they were taken (index 0 is endpoint #1). */
public final class Latencies {
    private long[] values = new long[1024];
    private int size;

    public void add(long nanos) {
        if (size == values.length) values = Arrays.copyOf(values, size * 2);
        values[size++] = nanos;
    }

    public int size() {
        return size;
    }

    public long sum() {
        long s = 0;
        for (int i = 0; i < size; i++) s += values[i];
        return s;
    }

    public double meanMs() {
        return size == 0 ? Double.NaN : sum() / 1e6 / size;
    }

    /** Nearest-rank percentile over all samples, in milliseconds. */
    public double percentileMs(double p) {
        return percentileMs(1, size, p);
    }

    /** Nearest-rank percentile over endpoints {@code from}..{@code to} (1-based, inclusive, clipped), in ms. */
    public double percentileMs(int from, int to, double p) {
        return percentileMs(List.of(this), from, to, p);
    }

    /**
     * Nearest-rank percentile, in ms, over endpoints {@code from}..{@code to} (1-based, inclusive,
     * clipped) of every round pooled together.
     */
    public static double percentileMs(List<Latencies> rounds, int from, int to, double p) {
        int n = 0;
        for (Latencies r : rounds) n += Math.max(0, Math.min(r.size, to) - (Math.max(1, from) - 1));
        if (n == 0) return Double.NaN;
        long[] w = new long[n];
        int k = 0;
        for (Latencies r : rounds) {
            int lo = Math.max(1, from) - 1, hi = Math.min(r.size, to);
            for (int i = lo; i < hi; i++) w[k++] = r.values[i];
        }
        Arrays.sort(w);
        int rank = (int) Math.ceil(p / 100.0 * w.length);
        return w[Math.max(0, Math.min(w.length - 1, rank - 1))] / 1e6;
    }

    public static double meanMs(List<Latencies> rounds) {
        long s = 0, n = 0;
        for (Latencies r : rounds) {
            s += r.sum();
            n += r.size;
        }
        return n == 0 ? Double.NaN : s / 1e6 / n;
    }

    public double p50Ms() {
        return percentileMs(50);
    }

    public double p99Ms() {
        return percentileMs(99);
    }
}
