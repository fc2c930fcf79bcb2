package dev.berth.bench.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.bench.engine.Latencies;
import dev.berth.bench.engine.Peers;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.netlink.ns.Netns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Issue 14's connect path: berthd's {@code POST /networks/{id}/connect} and {@code /disconnect} of running
 * containers to a user-defined network, sent by a client that keeps its connection (one per client thread),
 * beside netavark {@code setup}/{@code teardown} of the same work (an existing namespace joins a bridge with
 * one address; one process per call, as podman runs it), in one run:
 * <ul>
 *   <li>serial: N connect/disconnect pairs, the two taking turns every pair (p50, p99, mean);</li>
 *   <li>concurrent: P containers connected at once (P client threads, each with its connection, released
 *       together), then disconnected at once; P netavark processes started at once likewise; throughput is
 *       P over the wall time from the release to the last answer; each round is checked: P distinct
 *       addresses on the network, P veths more in the host namespace, all gone after the disconnects;</li>
 *   <li>stages: a second berthd with {@code BERTH_BENCH_TRACE} (see dev.berth.daemon.StageTrace) runs the
 *       serial pairs again, and the median time between its steps is summed per stage (HTTP, JSON, engine,
 *       kernel, state, names, hosts).</li>
 * </ul>
 * Everything runs in lab namespaces; the clients in a namespace of their own. Options: --n N (200) --warmup N (50)
 * --members N (10 containers on the network throughout) --movers N (20 containers the serial pairs cycle through)
 * --concurrent P (200) --rounds R (3) --stages-n N (100) --no-netavark --out DIR --root DIR --docker PATH.
 * Run it with {@code scripts/bench-api.sh --connect} ({@code make bench-connect}).
 */
public final class ConnectBench {
    static final String API = ApiBench.API;
    static final String NET = "bench-cn";
    static final String SUBNET = "10.66.0.0/16";

    record Options(
            int n,
            int warmup,
            int members,
            int movers,
            int concurrent,
            int rounds,
            int stagesN,
            boolean netavark,
            Path out,
            Path root,
            String docker) {
        static Options parse(String[] args) {
            int n = 200, warmup = 50, members = 10, movers = 20, concurrent = 200, rounds = 3, stagesN = 100;
            boolean netavark = true;
            Path out = Path.of("bench/results"), root = Path.of("").toAbsolutePath();
            String docker = "/usr/local/bin/docker";
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--n" -> n = positive(a, args[++i]);
                    case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                    case "--members" -> members = Integer.parseInt(args[++i]);
                    case "--movers" -> movers = positive(a, args[++i]);
                    case "--concurrent" -> concurrent = Integer.parseInt(args[++i]);
                    case "--rounds" -> rounds = positive(a, args[++i]);
                    case "--stages-n" -> stagesN = Integer.parseInt(args[++i]);
                    case "--no-netavark" -> netavark = false;
                    case "--out" -> out = Path.of(args[++i]);
                    case "--root" -> root = Path.of(args[++i]).toAbsolutePath();
                    case "--docker" -> docker = args[++i];
                    default ->
                        throw new IllegalArgumentException(
                                "unknown option '" + a + "'; allowed: --n N --warmup N --members N "
                                        + "--movers N --concurrent P --rounds R --stages-n N --no-netavark --out DIR --root DIR --docker PATH");
                }
            }
            return new Options(n, warmup, members, movers, concurrent, rounds, stagesN, netavark, out, root, docker);
        }

        private static int positive(String flag, String v) {
            int x = Integer.parseInt(v);
            if (x < 1) throw new IllegalArgumentException(flag + ": " + v + " is not a positive number");
            return x;
        }

        int containers() {
            return Math.max(movers, concurrent);
        }
    }

    private final Options o;
    private final StringBuilder report = new StringBuilder();
    private final List<String> failures = new ArrayList<>();

    private ConnectBench(Options o) {
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        if (o.netavark() && !Peers.netavarkPresent())
            throw new IllegalArgumentException(
                    "netavark is missing (apt-get install -y netavark), or pass --no-netavark");
        new ConnectBench(o).run();
    }

    private void run() throws Exception {
        long t0 = System.nanoTime();
        String load0 = load();
        List<AutoCloseable> open = new ArrayList<>();
        try (Lab lab = Lab.create()) {
            Thread hook = new Thread(() -> {
                closeAll(open);
                lab.close();
            });
            Runtime.getRuntime().addShutdownHook(hook);
            LabHost client = lab.host("client");
            try (var ns = Netns.open(client.netnsPath())) {
                Netns.call(ns, () -> {
                    measure(lab, open, load0);
                    return null;
                });
            } finally {
                closeAll(open);
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs already
                }
            }
        }
        report.append(String.format(Locale.ROOT, "%nwhole run: %.1f min%n", (System.nanoTime() - t0) / 60e9));
        if (!failures.isEmpty())
            report.append("\nFAILURES:\n  ")
                    .append(String.join("\n  ", failures))
                    .append('\n');
        System.out.print(report);
        Files.createDirectories(o.out());
        Path file = o.out()
                .resolve("connect-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                        + ".txt");
        Files.writeString(file, report);
        System.out.println("written to " + file);
        if (!failures.isEmpty()) System.exit(1);
    }

    private static synchronized void closeAll(List<AutoCloseable> open) {
        for (AutoCloseable c : List.copyOf(open).reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("berth bench-connect: closing: " + e.getMessage());
            }
            open.remove(c);
        }
    }

    private void measure(Lab lab, List<AutoCloseable> open, String load0) throws IOException {
        List<String> launcher = List.of(o.root().resolve("bin/berthd").toString());
        progress("lab " + lab.runId() + ": starting berthd, " + o.containers() + " + " + o.members() + " containers");
        LabHost bhost = lab.host("berthd");
        BerthdTarget berthd = BerthdTarget.start(lab, bhost, launcher);
        open.add(berthd);
        Fixture fx = Fixture.make(berthd, o, o.docker());
        Netavark nv = null;
        if (o.netavark()) {
            nv = new Netavark(lab, lab.host("netavark"), o.containers());
            open.add(nv);
        }
        header(berthd, load0);

        // serial pairs, the two taking turns
        progress("serial: " + o.n() + " connect/disconnect pairs (+" + o.warmup() + " warm-up) on berthd"
                + (nv != null ? " and netavark" : ""));
        Latencies bc = new Latencies(),
                bd = new Latencies(),
                nc = new Latencies(),
                nd = new Latencies(),
                floor = new Latencies();
        try (KeepAliveHttp http = new KeepAliveHttp(berthd.socket())) {
            for (int k = -o.warmup(); k < o.n(); k++) {
                int i = Math.floorMod(k, o.movers());
                long c = fx.connect(http, i), d = fx.disconnect(http, i);
                if (k >= 0) {
                    bc.add(c);
                    bd.add(d);
                }
                if (nv != null) {
                    long s = nv.setup(i), t = nv.teardown(i), f = nv.noop();
                    if (k >= 0) {
                        nc.add(s);
                        nd.add(t);
                        floor.add(f);
                    }
                }
            }
        }
        report.append(String.format(
                Locale.ROOT,
                "%nSerial: %d pairs after %d warm-up; berthd on one persistent connection, netavark one process per call (ms)%n",
                o.n(),
                o.warmup()));
        report.append(String.format(Locale.ROOT, "  %-44s %8s %8s %8s%n", "", "p50", "p99", "mean"));
        row("berthd POST /networks/{id}/connect", bc);
        row("berthd POST /networks/{id}/disconnect", bd);
        if (nv != null) {
            row("netavark setup (existing netns, no port)", nc);
            row("netavark teardown", nd);
            row("  spawn floor: nsenter ... /bin/true", floor);
            goal(
                    String.format(
                            Locale.ROOT,
                            "connect: netavark setup p50 / berthd p50 = %.1fx (goal >= 20x)",
                            nc.p50Ms() / bc.p50Ms()),
                    nc.p50Ms() / bc.p50Ms() >= 20);
            report.append(String.format(
                    Locale.ROOT,
                    "  disconnect: netavark teardown p50 / berthd p50 = %.1fx%n",
                    nd.p50Ms() / bd.p50Ms()));
            report.append(String.format(
                    Locale.ROOT,
                    "  without the spawn floor: (setup - floor) / berthd = %.1fx%n",
                    (nc.p50Ms() - floor.p50Ms()) / bc.p50Ms()));
        }
        goal(String.format(Locale.ROOT, "connect p99 %.2f ms (goal < 5 ms)", bc.p99Ms()), bc.p99Ms() < 5);
        goal(String.format(Locale.ROOT, "disconnect p99 %.2f ms (goal < 5 ms)", bd.p99Ms()), bd.p99Ms() < 5);

        if (o.concurrent() > 0) concurrent(fx, nv, bhost);
        closeAll(open);

        if (o.stagesN() > 0) {
            progress("stages: a traced berthd, " + o.stagesN() + " pairs");
            stages(lab, launcher, open);
        }
    }

    private void concurrent(Fixture fx, Netavark nv, LabHost bhost) {
        int p = o.concurrent();
        report.append(String.format(
                Locale.ROOT,
                "%nConcurrent: %d containers connected at once, then disconnected at once (%d rounds; "
                        + "berthd: %d client threads, each on its own persistent connection; netavark: %d processes started at once)%n",
                p,
                o.rounds(),
                p,
                p));
        report.append(String.format(Locale.ROOT, "  %-44s %10s %8s %8s %8s%n", "", "per s", "wall ms", "p50", "p99"));
        int veths0 = fx.veths(bhost);
        for (int r = 1; r <= o.rounds(); r++) {
            progress("concurrent round " + r + " of " + o.rounds());
            // berthd serial, the same P containers one after the other, for comparison
            Batch sc, sd;
            try (KeepAliveHttp http = new KeepAliveHttp(fx.berthd.socket())) {
                sc = Batch.serial(p, i -> fx.connect(http, i));
                fx.check(p, bhost, veths0 + p, "after the serial connects");
                sd = Batch.serial(p, i -> fx.disconnect(http, i));
                fx.check(0, bhost, veths0, "after the serial disconnects");
            }
            Batch cc = Batch.concurrent(p, fx.berthd.socket(), (h, i) -> fx.connect(h, i));
            fx.check(p, bhost, veths0 + p, "after " + p + " concurrent connects");
            Batch cd = Batch.concurrent(p, fx.berthd.socket(), (h, i) -> fx.disconnect(h, i));
            long gone = fx.settle(bhost, veths0); // the retired veths deleted after the answers
            fx.check(0, bhost, veths0, "after " + p + " concurrent disconnects");
            batch("berthd connect, " + p + " at once", cc, r);
            batch("berthd connect, " + p + " one after another", sc, r);
            batch("berthd disconnect, " + p + " at once", cd, r);
            batch("berthd disconnect, " + p + " one after another", sd, r);
            report.append(String.format(
                    Locale.ROOT,
                    "  %-44s %10.0f %8.0f%n",
                    "  until the last retired veth is gone (" + r + ")",
                    p / ((cd.wallNanos() + Math.max(gone, 0)) / 1e9),
                    (cd.wallNanos() + Math.max(gone, 0)) / 1e6));
            if (nv != null) {
                Batch ns = Batch.processes(p, nv::setupCommand, nv.dir);
                Batch nt = Batch.processes(p, nv::teardownCommand, nv.dir);
                batch("netavark setup, " + p + " at once", ns, r);
                batch("netavark teardown, " + p + " at once", nt, r);
                report.append(String.format(
                        Locale.ROOT,
                        "    round %d: connects per second berthd / netavark = %.1fx; berthd at once / one after another = %.2fx%n",
                        r,
                        cc.perSecond() / ns.perSecond(),
                        cc.perSecond() / sc.perSecond()));
            }
        }
        report.append("  each round checked: the network lists " + p
                + " more containers with distinct addresses after the connects and none after the\n"
                + "  disconnects; the host namespace has " + p + " more veths, then as many as before\n");
    }

    private void batch(String label, Batch b, int round) {
        report.append(String.format(
                Locale.ROOT,
                "  %-44s %10.0f %8.0f %8.2f %8.2f%n",
                label + " (" + round + ")",
                b.perSecond(),
                b.wallNanos / 1e6,
                b.lat.p50Ms(),
                b.lat.p99Ms()));
    }

    private void stages(Lab lab, List<String> launcher, List<AutoCloseable> open) throws IOException {
        Path trace = Files.createTempFile("berth-stages-", ".trace");
        try {
            LabHost host = lab.host("stages");
            BerthdTarget traced = BerthdTarget.start(
                    lab, host, launcher, Map.of("BERTH_BENCH_TRACE", trace.toString()), lab.prefix("st-"));
            open.add(traced);
            Options small = new Options(
                    o.stagesN(), o.warmup(), o.members(), o.movers(), 0, 1, 0, false, o.out(), o.root(), o.docker());
            Fixture fx = Fixture.make(traced, small, o.docker());
            StageSums sums = new StageSums();
            try (KeepAliveHttp http = new KeepAliveHttp(traced.socket())) {
                for (int k = -o.warmup(); k < o.stagesN(); k++) {
                    int i = Math.floorMod(k, o.movers());
                    Files.writeString(trace, "");
                    long c = fx.connect(http, i), d = fx.disconnect(http, i);
                    if (k < 0) continue;
                    List<String> lines = awaitLines(trace, 2);
                    sums.add(lines.get(0), c);
                    sums.add(lines.get(1), d);
                }
            }
            closeAll(open);
            report.append(sums.report(o.stagesN()));
        } finally {
            Files.deleteIfExists(trace);
        }
    }

    /** The trace is appended after each answer went out: wait until both requests' lines are there. */
    private static List<String> awaitLines(Path trace, int n) throws IOException {
        for (int tries = 0; tries < 500; tries++) {
            List<String> l = Files.readAllLines(trace);
            if (l.size() >= n) return l;
            Targets.sleep(1);
        }
        throw new IllegalStateException("the traced berthd wrote no trace to " + trace);
    }

    private void header(BerthdTarget b, String load0) {
        report.append("Berth connect benchmark (issue 14), ")
                .append(LocalDateTime.now())
                .append('\n');
        report.append("machine: ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs, kernel ")
                .append(System.getProperty("os.version"))
                .append(", JDK ")
                .append(System.getProperty("java.version"))
                .append(", load at start ")
                .append(load0)
                .append('\n');
        report.append("berthd ")
                .append(b.version())
                .append(" (bin/berthd), nftables firewall; netavark ")
                .append(
                        o.netavark()
                                ? Cli.output(List.of(Peers.NETAVARK.toString(), "--version"))
                                                .strip() + " (NETAVARK_FW=iptables)"
                                : "not run")
                .append('\n');
        report.append(String.format(
                Locale.ROOT,
                "network %s (%s, bridge); %d containers on it throughout; the containers connected are running busybox\n"
                        + "containers on the default bridge (namespaces of their own); netavark: the same number of namespaces, one container attached throughout\n"
                        + "(so that its bridge stays, as berthd's does), static address from the request, dns off.%n",
                NET,
                SUBNET,
                o.members()));
    }

    private void row(String label, Latencies l) {
        report.append(
                String.format(Locale.ROOT, "  %-44s %8.2f %8.2f %8.2f%n", label, l.p50Ms(), l.p99Ms(), l.meanMs()));
    }

    private void goal(String text, boolean pass) {
        report.append("  ")
                .append(text)
                .append("  ")
                .append(pass ? "PASS" : "NOT MET")
                .append('\n');
    }

    private static void progress(String s) {
        System.out.println("berth bench-connect: " + s);
    }

    private static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    // ------------------------------------------------------------------ berthd's side

    /** berthd with the network, the members on it and the containers to connect (cb-0 ..), all running. */
    record Fixture(BerthdTarget berthd, List<String> ids, int members) {
        static Fixture make(BerthdTarget b, Options o, String docker) {
            b.loadSeedImages(docker);
            UnixHttp http = new UnixHttp(b.socket());
            UnixHttp.Response n = http.post(
                    API + "/networks/create",
                    "{\"Name\":\"" + NET + "\",\"IPAM\":{\"Config\":[{\"Subnet\":\"" + SUBNET + "\"}]}}");
            if (n.status() != 201) throw new IllegalStateException("network create: " + n.status() + " " + n.body());
            for (int i = 0; i < o.members(); i++) run(http, "bench-m" + i, NET);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < o.containers(); i++) ids.add(run(http, "bench-c" + i, "bridge"));
            return new Fixture(b, List.copyOf(ids), o.members());
        }

        private static String run(UnixHttp http, String name, String network) {
            UnixHttp.Response c = http.post(
                    API + "/containers/create?name=" + name,
                    "{\"Image\":\"busybox\",\"Cmd\":[\"sleep\",\"3600\"],\"HostConfig\":{\"NetworkMode\":\"" + network
                            + "\"}}");
            if (c.status() != 201)
                throw new IllegalStateException("create " + name + ": " + c.status() + " " + c.body());
            String id = Targets.json(c.body()).path("Id").asText();
            UnixHttp.Response s = http.post(API + "/containers/" + id + "/start", null);
            if (s.status() != 204)
                throw new IllegalStateException("start " + name + ": " + s.status() + " " + s.body());
            return id;
        }

        long connect(KeepAliveHttp h, int i) {
            UnixHttp.Response r =
                    h.post(API + "/networks/" + NET + "/connect", "{\"Container\":\"" + ids.get(i) + "\"}");
            if (r.status() != 200)
                throw new IllegalStateException("connect bench-c" + i + ": " + r.status() + " " + r.body());
            return r.nanos();
        }

        long disconnect(KeepAliveHttp h, int i) {
            UnixHttp.Response r = h.post(
                    API + "/networks/" + NET + "/disconnect", "{\"Container\":\"" + ids.get(i) + "\",\"Force\":false}");
            if (r.status() != 200)
                throw new IllegalStateException("disconnect bench-c" + i + ": " + r.status() + " " + r.body());
            return r.nanos();
        }

        int veths(LabHost host) {
            int n = 0;
            for (String l : Cli.output(List.of("ip", "-n", host.name(), "-o", "link", "show", "type", "veth"))
                    .split("\n")) if (!l.isBlank()) n++;
            return n;
        }

        /** The network lists the members and {@code connected} more, every address once; the host has {@code veths} veths. */
        void check(int connected, LabHost host, int wantVeths, String when) {
            JsonNode net = Targets.json(
                    new UnixHttp(berthd.socket()).get(API + "/networks/" + NET).body());
            Set<String> addrs = new HashSet<>();
            int n = 0;
            for (JsonNode c : net.path("Containers")) {
                n++;
                String a = c.path("IPv4Address").asText();
                if (!addrs.add(a)) throw new IllegalStateException(when + ": address " + a + " given twice");
            }
            if (n != members + connected)
                throw new IllegalStateException(
                        when + ": the network lists " + n + " containers, not " + (members + connected));
            long waited = settle(host, wantVeths);
            if (waited < 0)
                throw new IllegalStateException(
                        when + ": " + veths(host) + " veths in the host namespace, not " + wantVeths);
        }

        /**
         * Waits (10 s at most) until the host has {@code want} veths: berthd answers a disconnect before the kernel
         * deleted the veth it retired. The nanoseconds waited, or -1.
         */
        long settle(LabHost host, int want) {
            long t0 = System.nanoTime();
            while (veths(host) != want) {
                if (System.nanoTime() - t0 > 10_000_000_000L) return -1;
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
            }
            return System.nanoTime() - t0;
        }
    }

    // ------------------------------------------------------------------ batches

    /** P operations: each one's latency and the wall time from the first start to the last end. */
    record Batch(Latencies lat, long wallNanos, int n) {
        double perSecond() {
            return n / (wallNanos / 1e9);
        }

        interface Op {
            long run(KeepAliveHttp h, int i);
        }

        static Batch serial(int p, IntFunction<Long> op) {
            Latencies l = new Latencies();
            long t0 = System.nanoTime();
            for (int i = 0; i < p; i++) l.add(op.apply(i));
            return new Batch(l, System.nanoTime() - t0, p);
        }

        /** P platform threads, each with its own connection, released together. */
        static Batch concurrent(int p, Path socket, Op op) {
            List<KeepAliveHttp> conns = new ArrayList<>();
            for (int i = 0; i < p; i++) conns.add(new KeepAliveHttp(socket));
            long[] lat = new long[p], end = new long[p];
            AtomicReference<RuntimeException> failed = new AtomicReference<>();
            CountDownLatch go = new CountDownLatch(1), done = new CountDownLatch(p);
            List<Thread> threads = new ArrayList<>();
            try {
                for (int i = 0; i < p; i++) {
                    int k = i;
                    threads.add(Thread.ofPlatform().start(() -> {
                        try {
                            go.await();
                            lat[k] = op.run(conns.get(k), k);
                            end[k] = System.nanoTime();
                        } catch (RuntimeException e) {
                            failed.compareAndSet(null, e);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            done.countDown();
                        }
                    }));
                }
                Targets.sleep(200); // every thread waits at the latch
                long t0 = System.nanoTime();
                go.countDown();
                done.await();
                if (failed.get() != null) throw failed.get();
                Latencies l = new Latencies();
                long last = t0;
                for (int i = 0; i < p; i++) {
                    l.add(lat[i]);
                    last = Math.max(last, end[i]);
                }
                return new Batch(l, last - t0, p);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } finally {
                for (KeepAliveHttp c : conns) c.close();
            }
        }

        /** P processes started at once (each command's stdin from its own file); latency from start to exit. */
        static Batch processes(int p, IntFunction<List<String>> command, Path dir) {
            List<Process> procs = new ArrayList<>();
            long[] start = new long[p];
            long t0 = System.nanoTime();
            try {
                for (int i = 0; i < p; i++) {
                    ProcessBuilder pb = new ProcessBuilder(command.apply(i))
                            .redirectInput(dir.resolve("in-" + i + ".json").toFile())
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(dir.resolve("err-" + i).toFile());
                    pb.environment().put("NETAVARK_FW", "iptables");
                    start[i] = System.nanoTime();
                    procs.add(pb.start());
                }
                Latencies l = new Latencies();
                long[] ends = new long[p];
                boolean[] over = new boolean[p];
                int left = p;
                while (left > 0) { // poll, so each exit is seen when it happens, not in start order
                    for (int i = 0; i < p; i++) {
                        if (over[i] || procs.get(i).isAlive()) continue;
                        over[i] = true;
                        ends[i] = System.nanoTime();
                        left--;
                        if (procs.get(i).exitValue() != 0)
                            throw new IllegalStateException(String.join(" ", command.apply(i)) + " exited "
                                    + procs.get(i).exitValue() + ": "
                                    + Files.readString(dir.resolve("err-" + i)).strip());
                    }
                    Thread.onSpinWait();
                }
                long last = t0;
                for (int i = 0; i < p; i++) {
                    l.add(ends[i] - start[i]);
                    last = Math.max(last, ends[i]);
                }
                return new Batch(l, last - t0, p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                for (Process pr : procs) pr.destroyForcibly();
            }
        }
    }

    // ------------------------------------------------------------------ netavark's side

    /** netavark in its own lab namespace, with one namespace per container made beforehand (untimed). */
    static final class Netavark implements AutoCloseable {
        final Path dir;
        private final LabHost host;
        private final String prefix;
        private final Path config;

        Netavark(Lab lab, LabHost host, int containers) throws IOException {
            this.host = host;
            this.prefix = lab.prefix("nvc");
            this.dir = Files.createTempDirectory("berth-connect-nv-");
            this.config = Files.createDirectories(dir.resolve("config"));
            // container 0 of netavark's range stays attached, so its bridge stays as berthd's does
            Netns.create(prefix + "keep").close();
            Files.writeString(dir.resolve("keep.json"), Peers.netavarkSetup(1000, 0));
            Peers.run(
                    command("setup", prefix + "keep"),
                    Map.of("NETAVARK_FW", "iptables"),
                    dir.resolve("keep.json"),
                    dir.resolve("out"),
                    dir.resolve("err"));
            for (int i = 0; i < containers; i++) {
                Netns.create(prefix + i).close();
                Files.writeString(dir.resolve("in-" + i + ".json"), Peers.netavarkSetup(i + 1, 0));
            }
            for (int i = 0; i < 3; i++) { // warm the page cache and netavark's first-call work, untimed
                setup(i);
                teardown(i);
            }
        }

        List<String> command(String verb, String netns) {
            return List.of(
                    "nsenter",
                    "--net=/run/netns/" + host.name(),
                    Peers.NETAVARK.toString(),
                    "--rootless=false",
                    "--aardvark-binary=" + Peers.AARDVARK,
                    "--config",
                    config.toString(),
                    verb,
                    "/run/netns/" + netns);
        }

        List<String> setupCommand(int i) {
            return command("setup", prefix + i);
        }

        List<String> teardownCommand(int i) {
            return command("teardown", prefix + i);
        }

        long setup(int i) {
            return Peers.run(
                            setupCommand(i),
                            Map.of("NETAVARK_FW", "iptables"),
                            dir.resolve("in-" + i + ".json"),
                            dir.resolve("out"),
                            dir.resolve("err"))
                    .wallNanos();
        }

        long teardown(int i) {
            return Peers.run(
                            teardownCommand(i),
                            Map.of("NETAVARK_FW", "iptables"),
                            dir.resolve("in-" + i + ".json"),
                            dir.resolve("out"),
                            dir.resolve("err"))
                    .wallNanos();
        }

        /** The floor of spawning a peer the same way: nsenter into the lab host, then /bin/true. */
        long noop() {
            return Peers.run(
                            List.of("nsenter", "--net=/run/netns/" + host.name(), "/bin/true"),
                            Map.of(),
                            dir.resolve("keep.json"),
                            dir.resolve("out"),
                            dir.resolve("err"))
                    .wallNanos();
        }

        @Override
        public void close() {
            Targets.deleteTree(dir); // the namespaces and netavark's links and rules go with the lab
        }
    }
}
