package dev.berth.bench.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.bench.engine.StepClock;
import dev.berth.engine.Engine;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.firewall.NftablesFirewall;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.model.Sandbox;
import dev.berth.model.log.Log;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Scale of one host's engine (nftables driver), in lab namespaces:
 * <ul>
 * <li><b>networks</b>: N user bridge networks created one after another (a /24 each); createNetwork
 *     p50 over the first and the last 20, and the nftables rule count (rules, not set elements) with
 *     none, one and N networks;</li>
 * <li><b>ports</b>: a sandbox publishing one port and serving on it; then, taking turns for R rounds,
 *     with only that port and with P more published by another sandbox (one transaction): the p50 of
 *     creating a sandbox that publishes one port (publish p50), and the rate of new TCP connections
 *     from an outside host through the DNAT (each new connection is one lookup in the ports map).</li>
 * </ul>
 * Usage: ScaleBench [--networks N (1000)] [--ports P (10000)] [--rounds R (3)] [--seconds S (5)] [--publishes K (30)]
 * [--wrk C]. The connection rate is taken by a Java loop (one connection at a time, closed with RST) or, with
 * {@code --wrk C}, by wrk(1) with C connections, each request on a new connection ({@code Connection: close}); the
 * rounds take turns as 1, P+1, 1, P+1, ..., 1, and each round's ratio is its P+1 rate over the mean of the 1-port rates
 * just before and after it (a slow drift of the machine's load cancels), reported as median and spread.
 */
public final class ScaleBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WINDOW = 20;
    /** wrk's connections for the DNAT rate, 0 for the Java loop. */
    private static int wrkConnections;

    private ScaleBench() {}

    public static void main(String[] args) throws Exception {
        int networks = 1000, ports = 10_000, rounds = 3, seconds = 5, publishes = 30;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--networks" -> networks = Integer.parseInt(args[++i]);
                case "--ports" -> ports = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--publishes" -> publishes = Integer.parseInt(args[++i]);
                case "--wrk" -> wrkConnections = Integer.parseInt(args[++i]);
                default ->
                    throw new IllegalArgumentException("unknown option " + args[i]
                            + "; use --networks N --ports P --rounds R --seconds S --publishes K --wrk C");
            }
        }
        Log.setLevel(Log.Level.WARN);
        System.out.printf(
                "Berth scale benchmark, %s; machine: %d CPUs, kernel %s, load %s%n%n",
                Instant.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"), load());
        if (networks > 0) networks(networks);
        if (ports > 0) ports(ports, rounds, seconds, publishes);
    }

    // ------------------------------------------------------------------ networks

    private static void networks(int n) throws IOException {
        try (Lab lab = Lab.create()) {
            LabHost host = lab.host("nets");
            Path state = Files.createTempDirectory("berth-scale-");
            StepClock clock = new StepClock();
            try (NetnsHandle ns = Netns.open(host.name());
                    Engine e = Engine.start(EngineConfig.of(state, ns, NftablesFirewall::new)
                            .withNetnsPrefix(lab.prefix("nc-"))
                            .withFaults(clock))) {
                Ruleset r0 = Ruleset.of(host);
                long[] ms = new long[n];
                Ruleset r1 = null;
                for (int i = 1; i <= n; i++) {
                    String subnet = "10." + (100 + (i - 1) / 256) + "." + ((i - 1) % 256) + ".0/24";
                    long t0 = System.nanoTime();
                    clock.begin(t0);
                    e.createNetwork(NetworkRequest.bridge("n" + i, subnet));
                    long t1 = System.nanoTime();
                    clock.end(t1);
                    ms[i - 1] = t1 - t0;
                    if (i == 1) r1 = Ruleset.of(host);
                }
                Ruleset rn = Ruleset.of(host);
                double first = p50(ms, 0, Math.min(WINDOW, n)), last = p50(ms, Math.max(0, n - WINDOW), n);
                System.out.printf("networks: %d user bridge networks (/24 each) on one engine%n", n);
                System.out.printf(
                        "  createNetwork p50 #1-%d %.2f ms, #%d-%d %.2f ms: last/first %.2fx (goal: flat), all p50 %.2f ms, p99 %.2f ms%n",
                        Math.min(WINDOW, n),
                        first,
                        Math.max(1, n - WINDOW + 1),
                        n,
                        last,
                        last / first,
                        p50(ms, 0, n),
                        pct(ms, 0.99));
                System.out.printf(
                        "  nftables rules: %d with no network, %d with 1, %d with %d (goal: constant); set/map elements %d, %d, %d%n",
                        r0.rules, r1.rules, rn.rules, n, r0.elements, r1.elements, rn.elements);
                System.out.printf(
                        "  %s%n%n",
                        rn.rules == r1.rules
                                ? "PASS: the rule count does not grow with networks"
                                : "FAIL: rules grow per network");
                System.out.printf(
                        "  where the time goes (the engine's transaction points; p50 ms of the first and last %d):%n",
                        WINDOW);
                for (var st : clock.steps().entrySet()) {
                    int k = st.getValue().size();
                    if (k < n) continue;
                    System.out.printf(
                            "    %-24s %8.3f %8.3f%n",
                            st.getKey(),
                            st.getValue().percentileMs(1, WINDOW, 50),
                            st.getValue().percentileMs(k - WINDOW + 1, k, 50));
                }
                System.out.println();
                long t0 = System.nanoTime();
                for (int i = n; i >= 1; i--) e.removeNetwork("n" + i);
                System.out.printf(
                        "  removing them: %.1f ms per network; rules after: %d%n%n",
                        (System.nanoTime() - t0) / 1e6 / n, Ruleset.of(host).rules);
            } finally {
                deleteTree(state);
            }
        }
    }

    // ------------------------------------------------------------------ ports

    private static void ports(int bulk, int rounds, int seconds, int publishes) throws Exception {
        try (Lab lab = Lab.create()) {
            LabHost host = lab.host("ports"), client = lab.host("client");
            lab.plug(host, "eth0", "192.168.60.1/24");
            lab.plug(client, "eth0", "192.168.60.2/24");
            Path state = Files.createTempDirectory("berth-scale-");
            String prefix = lab.prefix("pc-");
            // Step times of the timed publishes, apart for the two conditions (a clock records only between begin and
            // end).
            StepClock fewSteps = new StepClock(), manySteps = new StepClock();
            try (NetnsHandle ns = Netns.open(host.name());
                    NetnsHandle clientNs = Netns.open(client.name());
                    Engine e = Engine.start(EngineConfig.of(state, ns, NftablesFirewall::new)
                            .withNetnsPrefix(prefix)
                            .withFaults(point -> {
                                fewSteps.reach(point);
                                manySteps.reach(point);
                            }))) {
                e.createNetwork(NetworkRequest.bridge("net", "10.88.0.0/16"));
                Sandbox srv = e.createSandbox(SandboxRequest.on("srv", "net").publishing("8080:80"));
                try (NetnsHandle srvNs = Netns.open(e.netnsPath(srv));
                        Server server = new Server(srvNs, wrkConnections > 0)) {
                    List<Double> fewPub = new ArrayList<>(),
                            manyPub = new ArrayList<>(),
                            fewRate = new ArrayList<>(),
                            manyRate = new ArrayList<>();
                    long[] bulkAdd = new long[rounds], bulkRemove = new long[rounds];
                    Ruleset one = Ruleset.of(host), many = null;
                    rate(client, clientNs, 1); // warm-up: JIT, conntrack, ARP
                    publishP50(e, publishes, 0, null);
                    for (int r = 0; r < rounds; r++) {
                        // Probe ports repeat every 10 rounds (each probe is removed after it): ports stay <= 65535.
                        fewPub.add(publishP50(e, publishes, 40000 + (r % 10) * 1000, fewSteps));
                        fewRate.add(rate(client, clientNs, seconds));
                        long t0 = System.nanoTime();
                        e.createSandbox(SandboxRequest.on("bulk", "net")
                                .publishing("20000-" + (20000 + bulk - 1) + ":20000-" + (20000 + bulk - 1)));
                        bulkAdd[r] = System.nanoTime() - t0;
                        if (many == null) many = Ruleset.of(host);
                        manyPub.add(publishP50(e, publishes, 50000 + (r % 10) * 1000, manySteps));
                        manyRate.add(rate(client, clientNs, seconds));
                        t0 = System.nanoTime();
                        e.removeSandbox("bulk");
                        bulkRemove[r] = System.nanoTime() - t0;
                        System.err.printf(
                                "round %d: publish p50 %.2f / %.2f ms, DNAT %.0f / %.0f conn/s (1 / %d ports)%n",
                                r + 1,
                                fewPub.getLast(),
                                manyPub.getLast(),
                                fewRate.getLast(),
                                manyRate.getLast(),
                                bulk + 1);
                    }
                    fewRate.add(rate(client, clientNs, seconds)); // the 1-port rate after the last round, for its ratio
                    List<Double> ratios = new ArrayList<>();
                    for (int r = 0; r < rounds; r++)
                        ratios.add(manyRate.get(r) / ((fewRate.get(r) + fewRate.get(r + 1)) / 2));
                    double fp = median(fewPub), mp = median(manyPub), fr = median(fewRate), mr = median(manyRate);
                    System.out.printf(
                            "published ports: 1 vs %d (a sandbox publishing 20000-%d in one transaction), %d rounds taking turns, medians%n",
                            bulk + 1, 20000 + bulk - 1, rounds);
                    System.out.printf(
                            "  publish p50 (createSandbox with one port, %d per round): %.2f ms with 1 port, %.2f ms with %d: %.2fx (goal: flat)%n",
                            publishes, fp, mp, bulk + 1, mp / fp);
                    System.out.printf(
                            "  DNAT, new TCP connections per second from an outside host to 192.168.60.1:8080 (%d s runs): %.0f with 1 port, "
                                    + "%.0f with %d: %.2fx (goal: equal)%n",
                            seconds, fr, mr, bulk + 1, mr / fr);
                    System.out.printf("    runs with 1: %s; with %d: %s%n", list(fewRate), bulk + 1, list(manyRate));
                    System.out.printf(
                            "    client: %s; spread (p25-p75) with 1: %.0f-%.0f, with %d: %.0f-%.0f%n",
                            wrkConnections > 0
                                    ? "wrk, " + wrkConnections + " connections, a new TCP connection per request"
                                    : "Java loop, one connection at a time",
                            quantile(fewRate, 0.25),
                            quantile(fewRate, 0.75),
                            bulk + 1,
                            quantile(manyRate, 0.25),
                            quantile(manyRate, 0.75));
                    System.out.printf(
                            "    paired: each round's rate with %d over the mean of the 1-port runs before and after it: median %.2fx"
                                    + " (p25-p75 %.2f-%.2f, min-max %.2f-%.2f, %d rounds); per round: %s%n",
                            bulk + 1,
                            median(ratios),
                            quantile(ratios, 0.25),
                            quantile(ratios, 0.75),
                            ratios.stream().mapToDouble(d -> d).min().orElse(0),
                            ratios.stream().mapToDouble(d -> d).max().orElse(0),
                            rounds,
                            String.join(
                                    " ",
                                    ratios.stream()
                                            .map(d -> String.format(Locale.ROOT, "%.2f", d))
                                            .toList()));
                    System.out.printf(
                            "  publishing the %d ports in one sandbox: %.0f ms (median), removing it %.0f ms%n",
                            bulk, medianNanos(bulkAdd), medianNanos(bulkRemove));
                    System.out.printf(
                            "  nftables rules: %d with 1 port, %d with %d (goal: constant); map elements %d, %d%n",
                            one.rules, many.rules, bulk + 1, one.elements, many.elements);
                    System.out.printf(
                            "  %s%n",
                            one.rules == many.rules
                                    ? "PASS: the rule count does not grow with ports"
                                    : "FAIL: rules grow per port");
                    System.out.printf(
                            "%n  where the publish time goes (the engine's transaction points; p50 ms with 1 port, with %d):%n",
                            bulk + 1);
                    for (var st : fewSteps.steps().entrySet()) {
                        var other = manySteps.steps().get(st.getKey());
                        if (other == null) continue;
                        System.out.printf(
                                "    %-24s %8.3f %8.3f%n",
                                st.getKey(), st.getValue().percentileMs(50), other.percentileMs(50));
                    }
                }
                for (Sandbox s : e.sandboxes()) e.removeSandbox(s.id());
            } finally {
                deleteTree(state);
            }
        }
    }

    /**
     * p50 (ms) of creating {@code k} sandboxes each publishing one port from {@code base}; they are removed
     * afterwards (untimed). {@code steps}, when given, times the steps of each create.
     */
    private static double publishP50(Engine e, int k, int base, StepClock steps) {
        long[] t = new long[k];
        for (int i = 0; i < k; i++) {
            long t0 = System.nanoTime();
            if (steps != null) steps.begin(t0);
            e.createSandbox(SandboxRequest.on("p" + (base + i), "net").publishing((base + i) + ":80"));
            long t1 = System.nanoTime();
            if (steps != null) steps.end(t1);
            t[i] = t1 - t0;
        }
        for (int i = 0; i < k; i++) e.removeSandbox("p" + (base + i));
        return p50(t, 0, k);
    }

    /**
     * New TCP connections per second from the client host to the published port (closed with RST: no TIME_WAIT).
     * A connection refused or reset is not counted (a client port reused while its last RST is in flight); more
     * than one in a hundred fails the run.
     */
    private static double rate(LabHost client, NetnsHandle clientNs, int seconds) {
        if (wrkConnections > 0) return wrkRate(client, seconds);
        return Netns.call(clientNs, () -> {
            InetSocketAddress to = new InetSocketAddress("192.168.60.1", 8080);
            long end = System.nanoTime() + seconds * 1_000_000_000L, t0 = System.nanoTime();
            long n = 0, failed = 0;
            while (System.nanoTime() < end) {
                try (SocketChannel c = SocketChannel.open()) {
                    c.setOption(StandardSocketOptions.SO_LINGER, 0);
                    c.connect(to);
                    n++;
                } catch (IOException ex) {
                    if (++failed > 10 && failed * 100 > n) throw ex;
                }
            }
            if (failed > 0)
                System.err.printf("  (%d of %d connections failed and were not counted)%n", failed, n + failed);
            return n / ((System.nanoTime() - t0) / 1e9);
        });
    }

    /**
     * wrk(1) in the client's namespace: requests per second, each on a new connection (the server closes after its
     * answer); more than one in a hundred socket errors fails the run.
     */
    private static double wrkRate(LabHost client, int seconds) {
        String out = client.run(
                        "wrk",
                        "-t1",
                        "-c" + wrkConnections,
                        "-d" + seconds + "s",
                        "-H",
                        "Connection: close",
                        "http://192.168.60.1:8080/")
                .stdout();
        Matcher rate = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
        Matcher done = Pattern.compile("(\\d+) requests in").matcher(out);
        Matcher errors = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
                .matcher(out);
        if (!rate.find() || !done.find()) throw new IllegalStateException("wrk: no rate in its output:\n" + out);
        long n = Long.parseLong(done.group(1)), failed = 0;
        if (errors.find()) for (int g = 1; g <= 4; g++) failed += Long.parseLong(errors.group(g));
        if (failed * 100 > n)
            throw new IllegalStateException("wrk: " + failed + " socket errors in " + n + ":\n" + out);
        return Double.parseDouble(rate.group(1));
    }

    /**
     * Accepts on port 80 in the serving sandbox and closes each connection at once (with {@code http}, after
     * answering its request with an empty 200, for wrk).
     */
    private static final class Server implements AutoCloseable {
        private static final ByteBuffer ANSWER =
                ByteBuffer.wrap("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
        private final ServerSocketChannel ch;
        private final Thread thread;

        Server(NetnsHandle ns, boolean http) {
            ch = Netns.call(ns, () -> {
                ServerSocketChannel s = ServerSocketChannel.open();
                s.bind(new InetSocketAddress(80), 4096);
                return s;
            });
            thread = Thread.ofPlatform().daemon().name("scale-server").start(() -> {
                while (ch.isOpen()) {
                    SocketChannel c;
                    try {
                        c = ch.accept();
                    } catch (IOException ex) {
                        return;
                    }
                    try (c) {
                        if (http) answer(c);
                        else c.setOption(StandardSocketOptions.SO_LINGER, 0);
                    } catch (IOException ex) {
                        // the client went first
                    }
                }
            });
        }

        /** Reads the request up to its blank line and answers it. */
        private static void answer(SocketChannel c) throws IOException {
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (c.read(in) >= 0) {
                String got = new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII);
                if (got.contains("\r\n\r\n")) {
                    ByteBuffer out = ANSWER.duplicate();
                    while (out.hasRemaining()) c.write(out);
                    return;
                }
                if (!in.hasRemaining()) return;
            }
        }

        @Override
        public void close() throws Exception {
            ch.close();
            thread.join(2000);
        }
    }

    /** Rules and set/map elements of the namespace's nftables ruleset. */
    private record Ruleset(int rules, int elements) {
        static Ruleset of(LabHost h) {
            try {
                JsonNode all = JSON.readTree(
                                h.run("nft", "-j", "list", "ruleset").stdout())
                        .path("nftables");
                int rules = 0, elements = 0;
                for (JsonNode o : all) {
                    if (o.has("rule")) rules++;
                    for (String k : List.of("set", "map"))
                        if (o.has(k)) elements += o.get(k).path("elem").size();
                }
                return new Ruleset(rules, elements);
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
    }

    private static double p50(long[] nanos, int from, int to) {
        long[] w = Arrays.copyOfRange(nanos, from, to);
        Arrays.sort(w);
        return w[w.length / 2] / 1e6;
    }

    private static double pct(long[] nanos, double q) {
        long[] w = nanos.clone();
        Arrays.sort(w);
        return w[Math.min(w.length - 1, (int) (w.length * q))] / 1e6;
    }

    private static double quantile(List<Double> v, double q) {
        List<Double> s = v.stream().sorted().toList();
        return s.get(Math.min(s.size() - 1, (int) Math.round((s.size() - 1) * q)));
    }

    private static double median(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        return s.get(s.size() / 2);
    }

    private static double medianNanos(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }

    private static String list(List<Double> v) {
        return String.join(
                " ", v.stream().map(d -> String.format(Locale.ROOT, "%.0f", d)).toList());
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException ex) {
            return "?";
        }
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> files = Files.walk(p)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // temporary
        }
    }
}
