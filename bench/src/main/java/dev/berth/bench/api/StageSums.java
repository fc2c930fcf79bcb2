package dev.berth.bench.api;

import dev.berth.bench.engine.Latencies;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns the lines of berthd's stage trace ({@code ROUTE POINT NANOS POINT NANOS ...}, one per request) into
 * a per-stage breakdown: the time from one point to the next belongs to the stage of the first point, and
 * HTTP is what the client waited minus the time between dispatch and the handler's return (the request's
 * and answer's bytes on the socket, Netty's codec, the hand-over to and from the worker thread).
 */
final class StageSums {
    static final List<String> STAGES = List.of("HTTP", "JSON", "daemon", "engine", "kernel", "state", "hosts", "names");
    private static final Set<String> STATE_STEPS =
            Set.of("record", "activate", "endpoint-record", "endpoint-forget", "forget");
    private static final Set<String> KERNEL_STEPS = Set.of(
            "firewall",
            "veth",
            "hairpin",
            "configure",
            "unguard",
            "unpublish",
            "republish",
            "publish",
            "netns",
            "lo",
            "gateway",
            "move_ports");

    private final Map<String, Map<String, Latencies>> stages = new LinkedHashMap<>(); // route -> stage -> per request
    private final Map<String, Map<String, Latencies>> steps = new LinkedHashMap<>(); // route -> "a -> b" -> samples
    private final Map<String, Latencies> totals = new LinkedHashMap<>();

    /** One request's trace line and the client's round trip for it. */
    void add(String line, long clientNanos) {
        String[] f = line.trim().split(" ");
        String route = f[0].replace('_', ' ');
        Map<String, Long> sum = new LinkedHashMap<>();
        for (String s : STAGES) sum.put(s, 0L);
        long dispatch = Long.parseLong(f[2]), handled = dispatch;
        for (int i = 1; i + 3 < f.length; i += 2) {
            String from = f[i], to = f[i + 2];
            long d = Long.parseLong(f[i + 3]) - Long.parseLong(f[i + 1]);
            sum.merge(stageOf(from), d, Long::sum);
            steps.computeIfAbsent(route, k -> new LinkedHashMap<>())
                    .computeIfAbsent(from + " -> " + to, k -> new Latencies())
                    .add(d);
        }
        for (int i = 1; i + 1 < f.length; i += 2) if (f[i].equals("http:handled")) handled = Long.parseLong(f[i + 1]);
        sum.put("HTTP", Math.max(0, clientNanos - (handled - dispatch)));
        Map<String, Latencies> per = stages.computeIfAbsent(route, k -> new LinkedHashMap<>());
        sum.forEach((s, v) -> per.computeIfAbsent(s, k -> new Latencies()).add(v));
        totals.computeIfAbsent(route, k -> new Latencies()).add(clientNanos);
    }

    static String stageOf(String point) {
        if (point.equals("http:dispatch")) return "JSON";
        if (point.startsWith("netlink:")) return "kernel";
        if (point.startsWith("state:") || point.startsWith("record:") || point.equals("container:record"))
            return "state";
        if (point.startsWith("container-") && (point.endsWith(":connected") || point.endsWith(":disconnected")))
            return "names";
        if (point.startsWith("container-") && point.endsWith(":names")) return "hosts";
        if (point.equals("api:done"))
            return "names"; // the whole rebuild of berthd before incremental names; now nothing
        if (point.startsWith("connect:") || point.startsWith("disconnect:")) {
            String step = point.substring(point.indexOf(':') + 1);
            if (STATE_STEPS.contains(step)) return "state";
            if (KERNEL_STEPS.contains(step)) return "kernel";
            return "engine";
        }
        return "daemon"; // lookups, locks, events, the answer's object
    }

    String report(int n) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "%nStages (a second berthd with BERTH_BENCH_TRACE, %d serial pairs; per request, ms):%n",
                n));
        b.append(
                "  HTTP: client's wait minus dispatch-to-return (socket, codec, worker hand-over); JSON: the body read; daemon: lookups,\n"
                        + "  locks, events; engine: allocation and bookkeeping; kernel: nftables and netlink; state: the engine's and the container's\n"
                        + "  records (a journal line each); hosts: /etc/hosts rewritten; names: the DNS name table updated.\n");
        for (var e : stages.entrySet()) {
            Latencies total = totals.get(e.getKey());
            b.append(String.format(
                    Locale.ROOT,
                    "  %s: client round trip p50 %.3f, mean %.3f (traced)%n",
                    e.getKey(),
                    total.p50Ms(),
                    total.meanMs()));
            b.append(String.format(Locale.ROOT, "    %-8s %8s %8s %8s%n", "stage", "p50", "mean", "p99"));
            for (var s : e.getValue().entrySet())
                b.append(String.format(
                        Locale.ROOT,
                        "    %-8s %8.3f %8.3f %8.3f%n",
                        s.getKey(),
                        s.getValue().p50Ms(),
                        s.getValue().meanMs(),
                        s.getValue().p99Ms()));
            b.append("    steps (p50 / mean ms):\n");
            for (var s : steps.get(e.getKey()).entrySet())
                b.append(String.format(
                        Locale.ROOT,
                        "      %-70s %7.3f %7.3f  %s%n",
                        s.getKey(),
                        s.getValue().p50Ms(),
                        s.getValue().meanMs(),
                        stageOf(s.getKey().substring(0, s.getKey().indexOf(' ')))));
        }
        return b.toString();
    }
}
