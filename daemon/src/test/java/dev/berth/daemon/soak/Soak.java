package dev.berth.daemon.soak;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Container lifecycles and network connect/disconnect pairs through berthd's API, as a CI host makes
 * them for months: create with a published port on a user network or the default bridge, start,
 * connect to a second network, sometimes disconnect, remove with force; and a long-running container
 * connected to and disconnected from a network. Reads that open files or namespaces (inspect, logs,
 * topology, explain) come in between. Every operation is timed; {@link #checkpoint} reads the
 * gauges and the operations' medians since the last one.
 */
public final class Soak {
    public static final String USER_NET = "soak-a", SECOND_NET = "soak-b", ANCHOR = "soak-anchor";

    private final RawApi api;
    private final Gauges gauges;
    private final String image;
    private final Supplier<String> log;
    /** Guarded by itself: workers time their operations concurrently. */
    private final Map<String, List<Long>> times = new LinkedHashMap<>();

    private final List<Checkpoint> checkpoints = new ArrayList<>();
    private final List<String> anchorIds = new ArrayList<>();

    /** {@code log}: berthd's output, shown when an operation fails. */
    public Soak(RawApi api, Gauges gauges, String image, Supplier<String> log) {
        this.api = api;
        this.gauges = gauges;
        this.image = image;
        this.log = log;
    }

    /** A reading with the median time of each operation since the previous checkpoint, in microseconds. */
    public record Checkpoint(int lifecycles, int pairs, Gauges.Reading reading, Map<String, Long> p50Micros) {
        public String line() {
            StringBuilder b =
                    new StringBuilder(String.format("lifecycles=%d pairs=%d %s", lifecycles, pairs, reading.line()));
            for (Map.Entry<String, Long> e : p50Micros.entrySet())
                b.append(String.format(" p50_%s_ms=%.2f", e.getKey(), e.getValue() / 1000.0));
            return b.toString();
        }
    }

    /**
     * The two networks and one long-running container per worker (named {@code soak-anchor-W}) for the
     * connect/disconnect pairs.
     */
    public void setUp(int workers) {
        expect(api.post("/networks/create", "{\"Name\":\"" + USER_NET + "\"}"), 201, "create network " + USER_NET);
        expect(api.post("/networks/create", "{\"Name\":\"" + SECOND_NET + "\"}"), 201, "create network " + SECOND_NET);
        anchorIds.clear();
        for (int w = 0; w < workers; w++) {
            String id = create(ANCHOR + "-" + w, USER_NET);
            expect(api.post("/containers/" + id + "/start", null), 204, "start " + ANCHOR + "-" + w);
            anchorIds.add(id);
        }
    }

    /** One container from create to remove; {@code i} chooses its network and whether it disconnects first. */
    public void lifecycle(int i) {
        String name = "soak-" + i;
        String id = timed("create", () -> create(name, i % 2 == 0 ? USER_NET : "bridge"));
        timed("start", () -> expect(api.post("/containers/" + id + "/start", null), 204, "start " + name));
        timed(
                "connect",
                () -> expect(
                        api.post("/networks/" + SECOND_NET + "/connect", "{\"Container\":\"" + id + "\"}"),
                        200,
                        "connect " + name));
        timed("inspect", () -> expect(api.get("/containers/" + id + "/json"), 200, "inspect " + name));
        timed("logs", () -> expect(api.get("/containers/" + id + "/logs?stdout=1&stderr=1"), 200, "logs " + name));
        if (i % 20 == 0) {
            timed("topology", () -> expect(api.get("/berth/topology"), 200, "topology"));
            timed("explain", () -> expect(api.get("/berth/explain?container=" + id), 200, "explain " + name));
        }
        if (i % 3 == 0)
            timed(
                    "disconnect",
                    () -> expect(
                            api.post("/networks/" + SECOND_NET + "/disconnect", "{\"Container\":\"" + id + "\"}"),
                            200,
                            "disconnect " + name));
        timed("remove", () -> expect(api.delete("/containers/" + id + "?force=1"), 204, "remove " + name));
    }

    /** Worker {@code worker}'s long-running container joins the second network and leaves it again. */
    public void pair(int worker) {
        String anchorId = anchorIds.get(worker), name = ANCHOR + "-" + worker;
        timed(
                "pair_connect",
                () -> expect(
                        api.post("/networks/" + SECOND_NET + "/connect", "{\"Container\":\"" + anchorId + "\"}"),
                        200,
                        "connect " + name));
        timed(
                "pair_disconnect",
                () -> expect(
                        api.post("/networks/" + SECOND_NET + "/disconnect", "{\"Container\":\"" + anchorId + "\"}"),
                        200,
                        "disconnect " + name));
    }

    /** Removes the anchors and the networks, so the end state can be compared with the daemon's start. */
    public void tearDown() {
        for (String anchorId : anchorIds)
            expect(api.delete("/containers/" + anchorId + "?force=1"), 204, "remove anchor");
        anchorIds.clear();
        expect(api.delete("/networks/" + SECOND_NET), 204, "remove network " + SECOND_NET);
        expect(api.delete("/networks/" + USER_NET), 204, "remove network " + USER_NET);
    }

    /** Reads the gauges: call it only while no worker is inside an operation, so nothing is counted half-made. */
    public Checkpoint checkpoint(int lifecycles, int pairs, PrintStream out) {
        Map<String, Long> p50 = new LinkedHashMap<>();
        synchronized (times) {
            for (Map.Entry<String, List<Long>> e : times.entrySet()) {
                List<Long> l = new ArrayList<>(e.getValue());
                if (l.isEmpty()) continue;
                l.sort(null);
                p50.put(e.getKey(), l.get(l.size() / 2) / 1000);
                e.getValue().clear();
            }
        }
        Checkpoint c = new Checkpoint(lifecycles, pairs, gauges.read(true), p50);
        checkpoints.add(c);
        out.println("soak at=" + Instant.now().truncatedTo(ChronoUnit.SECONDS) + " " + c.line());
        out.flush();
        return c;
    }

    /**
     * The soak in a few lines: each count's range over the checkpoints after the first (the baseline),
     * RSS and heap after GC from first to last, and each operation's median at the end over its median
     * at the start (the goal: counts flat, memory flat, medians within 1.1x).
     */
    public List<String> summary() {
        List<String> out = new ArrayList<>();
        if (checkpoints.size() < 2) return out;
        Checkpoint first = checkpoints.getFirst(), last = checkpoints.getLast();
        StringBuilder counts = new StringBuilder("soak summary counts");
        for (String k : first.reading().counts().keySet()) {
            int min = Integer.MAX_VALUE, max = Integer.MIN_VALUE;
            for (Checkpoint c : checkpoints) {
                min = Math.min(min, c.reading().counts().get(k));
                max = Math.max(max, c.reading().counts().get(k));
            }
            counts.append(String.format(" %s=%d..%d", k.replace(' ', '_'), min, max));
        }
        out.add(counts.toString());
        out.add(String.format(
                "soak summary memory rss_after_gc_mb=%.1f->%.1f heap_used_after_gc_mb=%.1f->%.1f",
                first.reading().rssKb() / 1024.0,
                last.reading().rssKb() / 1024.0,
                first.reading().heapUsedKb() / 1024.0,
                last.reading().heapUsedKb() / 1024.0));
        StringBuilder p50 = new StringBuilder("soak summary p50_end_over_start");
        for (Map.Entry<String, Long> e : last.p50Micros().entrySet()) {
            Long start = first.p50Micros().get(e.getKey());
            if (start != null && start > 0)
                p50.append(String.format(" %s=%.2f", e.getKey(), e.getValue() / (double) start));
        }
        out.add(p50.toString());
        return out;
    }

    public List<Checkpoint> checkpoints() {
        return List.copyOf(checkpoints);
    }

    private String create(String name, String network) {
        String body = "{\"Image\":\"" + image + "\",\"Cmd\":[\"sleep\",\"100000\"],\"ExposedPorts\":{\"80/tcp\":{}},"
                + "\"HostConfig\":{\"NetworkMode\":\"" + network
                + "\",\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}]}}}";
        RawApi.Answer a = expect(api.post("/containers/create?name=" + name, body), 201, "create " + name);
        int at = a.body().indexOf("\"Id\":\"");
        return a.body().substring(at + 6, a.body().indexOf('"', at + 6));
    }

    private <T> T timed(String op, Supplier<T> action) {
        long start = System.nanoTime();
        T t = action.get();
        long took = System.nanoTime() - start;
        synchronized (times) {
            times.computeIfAbsent(op, k -> new ArrayList<>()).add(took);
        }
        return t;
    }

    private RawApi.Answer expect(RawApi.Answer a, int status, String what) {
        if (a.status() != status)
            throw new AssertionError(what + ": expected " + status + ", got " + a.status() + " " + a.body()
                    + "\n--- berthd log:\n" + tail(log.get()));
        return a;
    }

    private static String tail(String s) {
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }
}
