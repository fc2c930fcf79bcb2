package dev.berth.bench.dns;

import dev.berth.engine.Engine;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.firewall.NftablesFirewall;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.model.Endpoint;
import dev.berth.model.Sandbox;
import dev.berth.model.net.IpPrefix;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * DNS benchmark: Berth's embedded resolver (in its own JVM, {@link DnsBenchServer}) against
 * aardvark-dns serving the same names, both queried by dnsperf from inside a sandbox made by the
 * engine, for a local name and a forwarded one; then one query at a time (p50/p99); then a longer
 * flood against Berth watching its memory. Everything runs in lab namespaces; the upstream is a
 * responder on a lab machine. Options: --seconds S (dnsperf run, 10), --latency-n N (20000),
 * --flood-seconds S (120), --out DIR (bench/results), --jvm FLAGS (the resolver JVM's flags). Run with scripts/bench-dns.sh.
 */
public final class DnsBench {
    private static final Pattern QPS = Pattern.compile("Queries per second:\\s+([\\d.]+)");
    private static final Pattern LOST = Pattern.compile("Queries lost:\\s+(\\d+)");
    private static final Pattern AVG = Pattern.compile("Average Latency \\(s\\):\\s+([\\d.]+)");
    private final List<String> report = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Logger.getLogger("dev.berth").setLevel(Level.WARNING);
        int seconds = 10, latencyN = 20000, floodSeconds = 120;
        String jvm = "-XX:+UseSerialGC -Xms16m -Xmx64m -Xss512k -XX:ReservedCodeCacheSize=32m";
        Path out = Path.of("bench/results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--latency-n" -> latencyN = Integer.parseInt(args[++i]);
                case "--flood-seconds" -> floodSeconds = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--jvm" -> jvm = args[++i];
                default ->
                    throw new IllegalArgumentException("unknown option " + args[i]
                            + "; use --seconds S, --latency-n N, --flood-seconds S, --out DIR, --jvm FLAGS");
            }
        }
        new DnsBench().run(seconds, latencyN, floodSeconds, out, jvm);
    }

    private void run(int seconds, int latencyN, int floodSeconds, Path out, String jvm) throws Exception {
        Path work = Files.createTempDirectory("berth-dnsbench-");
        Path etcNetns = null;
        Process berth = null;
        long aardvarkPid = -1;
        try (Lab lab = Lab.create()) {
            LabHost host = lab.host("host"), up = lab.host("up");
            lab.connect(host, "eth0", "192.0.2.1/24", up, "eth0", "192.0.2.2/24");
            try (NetnsHandle hostNs = Netns.open(host.name());
                    NetnsHandle upNs = Netns.open(up.name());
                    Engine engine = Engine.start(EngineConfig.of(work.resolve("state"), hostNs, NftablesFirewall::new)
                            .withNetnsPrefix(lab.prefix("sb-")));
                    Responder upstream = new Responder(upNs, "192.0.2.2")) {
                engine.createNetwork(NetworkRequest.bridge("bench", "10.90.0.0/24"));
                Sandbox client = engine.createSandbox(SandboxRequest.on("client", "bench"));
                Sandbox target = engine.createSandbox(new SandboxRequest(
                        "target",
                        null,
                        "bench",
                        new EndpointRequest(null, null, null, List.of("web")),
                        List.of(),
                        false,
                        List.of()));
                String gateway = "10.90.0.1";
                LabHost inClient =
                        lab.existing(engine.netnsPath(client).getFileName().toString());

                // Berth, in its own JVM inside the lab host namespace
                StringBuilder spec = new StringBuilder();
                for (Sandbox s : List.of(client, target)) {
                    Endpoint e = engine.endpointsOf(s).getFirst();
                    spec.append(s.id())
                            .append(' ')
                            .append(s.name())
                            .append(' ')
                            .append(engine.netnsPath(s))
                            .append(" bench ")
                            .append(IpPrefix.format(e.ipv4()))
                            .append(e.aliases().isEmpty() ? "" : " " + String.join(",", e.aliases()))
                            .append('\n');
                }
                Files.writeString(work.resolve("spec"), spec);
                List<String> cmd = new ArrayList<>(List.of(
                        "nsenter", "--net=" + host.netnsPath(), javaBin(), "--enable-native-access=ALL-UNNAMED"));
                cmd.addAll(List.of(jvm.trim().split("\\s+")));
                cmd.addAll(List.of(
                        "-cp",
                        System.getProperty("java.class.path"),
                        DnsBenchServer.class.getName(),
                        "192.0.2.2",
                        work.resolve("spec").toString()));
                berth = new ProcessBuilder(cmd)
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                List<String> mem = new CopyOnWriteArrayList<>();
                BufferedReader r = new BufferedReader(new InputStreamReader(berth.getInputStream()));
                String first = r.readLine();
                if (!"ready".equals(first))
                    throw new IllegalStateException("the Berth resolver did not start: " + first);
                Thread.ofPlatform().daemon().start(() -> {
                    try {
                        for (String l; (l = r.readLine()) != null; ) mem.add(l);
                    } catch (IOException ignored) {
                        // server gone
                    }
                });

                // aardvark-dns on the gateway, forwarding to the same upstream (its resolv.conf via ip netns exec)
                Path cfg = Files.createDirectories(work.resolve("aardvark"));
                Files.writeString(
                        cfg.resolve("bench"),
                        gateway + "\n" + aardvarkLine(engine, client) + aardvarkLine(engine, target));
                etcNetns = Path.of("/etc/netns", host.name());
                Files.createDirectories(etcNetns);
                Files.writeString(etcNetns.resolve("resolv.conf"), "nameserver 192.0.2.2\n");
                // it daemonizes; its output goes nowhere so nothing waits on a pipe the daemon keeps open
                new ProcessBuilder(
                                "ip",
                                "netns",
                                "exec",
                                host.name(),
                                "/usr/lib/podman/aardvark-dns",
                                "--config",
                                cfg.toString(),
                                "-p",
                                "53",
                                "run")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start()
                        .waitFor(10, TimeUnit.SECONDS);
                aardvarkPid = waitForPid(cfg.resolve("aardvark.pid"));

                String berthAt = "127.0.0.11";
                Path local = Files.writeString(work.resolve("local.q"), "target A\n");
                Path fwd = Files.writeString(work.resolve("fwd.q"), "www.example A\n");
                Path mix = Files.writeString(
                        work.resolve("mix.q"),
                        "target A\nweb A\nwww.example A\n" + client.id().substring(0, 12)
                                + " A\nnothere.example AAAA\n");
                check(inClient, berthAt, gateway);

                line("# Berth embedded DNS vs aardvark-dns " + aardvarkVersion() + ", load " + load() + ", "
                        + LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME));
                line("# Berth's resolver JVM: " + jvm);
                line("# dnsperf from inside sandbox 'client' (default: 1 client, 100 outstanding), " + seconds
                        + " s per run; " + Runtime.getRuntime().availableProcessors()
                        + " CPUs shared by client, servers and other load");
                dnsperf(inClient, berthAt, local, 3); // JIT warm-up, not reported
                dnsperf(inClient, gateway, local, 3);
                line("");
                line(String.format(
                        Locale.ROOT,
                        "%-22s %12s %12s %8s %10s",
                        "run",
                        "berth qps",
                        "aardvark qps",
                        "ratio",
                        "berth RSS"));
                for (int round = 1; round <= 2; round++) // the second round runs aardvark first
                for (Path q : List.of(local, fwd)) {
                        double[] a = round == 2 ? dnsperf(inClient, gateway, q, seconds) : null;
                        int before = mem.size();
                        double[] b = dnsperf(inClient, berthAt, q, seconds);
                        long rss = lastRss(mem, before);
                        if (a == null) a = dnsperf(inClient, gateway, q, seconds);
                        line(String.format(
                                Locale.ROOT,
                                "%-22s %12.0f %12.0f %8.2f %8d kB   (lost: berth %d, aardvark %d; avg latency %.0f / %.0f us)",
                                (q == local ? "local (target) r" : "forwarded r") + round,
                                b[0],
                                a[0],
                                b[0] / a[0],
                                rss,
                                (long) b[1],
                                (long) a[1],
                                b[2] * 1e6,
                                a[2] * 1e6));
                    }
                line("load after the runs: " + load());
                line(String.format(Locale.ROOT, "aardvark-dns RSS after the runs: %d kB", rssKb(aardvarkPid)));
                line(
                        "anchors (/work/shared/anchors/podman/RESULTS.md 4a, 4c, 6; another day, same kind of VM): aardvark-dns 89.9k qps "
                                + "(dnsperf -l 10, 100 outstanding, local name), one query at a time p50 13-18 us, RSS 3.4 MB idle");

                line("");
                line("# one query at a time (" + latencyN
                        + " queries after 2000 warm-up, from inside 'client'), microseconds");
                line(String.format(Locale.ROOT, "%-28s %8s %8s %8s %8s", "run", "p50", "p90", "p99", "max"));
                double[] berthP50 = new double[2], aardP50 = new double[2];
                for (int round = 0; round < 2; round++) {
                    for (String name : List.of("target", "www.example")) {
                        double[] b = latency(engine.netnsPath(client), berthAt, name, latencyN);
                        double[] a = latency(engine.netnsPath(client), gateway, name, latencyN);
                        line(String.format(
                                Locale.ROOT,
                                "%-28s %8.1f %8.1f %8.1f %8.1f",
                                "berth    " + name + " r" + (round + 1),
                                b[0],
                                b[1],
                                b[2],
                                b[3]));
                        line(String.format(
                                Locale.ROOT,
                                "%-28s %8.1f %8.1f %8.1f %8.1f",
                                "aardvark " + name + " r" + (round + 1),
                                a[0],
                                a[1],
                                a[2],
                                a[3]));
                        if (name.equals("target")) {
                            berthP50[round] = b[0];
                            aardP50[round] = a[0];
                        }
                    }
                }
                line(String.format(
                        Locale.ROOT,
                        "p50 ratio berth/aardvark (local name): r1 %.2f, r2 %.2f (goal <= 1.2)",
                        berthP50[0] / aardP50[0],
                        berthP50[1] / aardP50[1]));

                tablesOrNot(host, inClient, engine.netnsPath(client), gateway, local, seconds, latencyN, work);

                if (floodSeconds > 0) {
                    line("");
                    line("# flood: dnsperf " + floodSeconds
                            + " s against Berth, mixed local/forwarded/NXDOMAIN names; server's own figures every 2 s");
                    int before = mem.size();
                    double[] f = dnsperf(inClient, berthAt, mix, floodSeconds);
                    List<String> during = new ArrayList<>(mem.subList(before, mem.size()));
                    line(String.format(Locale.ROOT, "flood: %.0f qps, %d lost", f[0], (long) f[1]));
                    flood(during);
                }
            } finally {
                if (berth != null) {
                    berth.getOutputStream().close();
                    if (!berth.waitFor(5, TimeUnit.SECONDS)) berth.destroyForcibly();
                }
                if (aardvarkPid > 0) ProcessHandle.of(aardvarkPid).ifPresent(ProcessHandle::destroy);
                if (etcNetns != null) deleteTree(etcNetns);
            }
        } finally {
            deleteTree(work);
        }
        Files.createDirectories(out);
        Path file = out.resolve(
                "dns-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".txt");
        Files.write(file, report);
        System.out.println("written to " + file);
    }

    /**
     * aardvark-dns where its users query it (the gateway, in the host namespace where Berth's nftables
     * tables also live): qps and one-query latency with Berth's tables loaded, then with them deleted
     * (saved first and put back after), alternating twice, so a cost Berth's rules add to aardvark shows.
     */
    private void tablesOrNot(
            LabHost host,
            LabHost inClient,
            Path clientNetns,
            String gateway,
            Path queries,
            int seconds,
            int latencyN,
            Path work)
            throws Exception {
        line("");
        line("# aardvark-dns at the gateway " + gateway
                + " (host namespace), with and without Berth's nftables tables in that namespace");
        line(String.format(Locale.ROOT, "%-30s %10s %10s %10s", "run", "qps", "p50 us", "p99 us"));
        Path saved = work.resolve("berth-tables.nft");
        Files.writeString(
                saved,
                host.run("nft", "list", "table", "inet", "berth").stdout()
                        + host.run("nft", "list", "table", "bridge", "berth").stdout());
        double[] qps = new double[2], p50 = new double[2];
        for (int round = 1; round <= 2; round++) {
            for (boolean tables : new boolean[] {true, false}) {
                if (!tables) {
                    host.run("nft", "delete", "table", "inet", "berth");
                    host.run("nft", "delete", "table", "bridge", "berth");
                }
                try {
                    double[] d = dnsperf(inClient, gateway, queries, seconds);
                    double[] l = latency(clientNetns, gateway, "target", latencyN);
                    qps[tables ? 0 : 1] += d[0] / 2;
                    p50[tables ? 0 : 1] += l[0] / 2;
                    line(String.format(
                            Locale.ROOT,
                            "%-30s %10.0f %10.1f %10.1f",
                            "aardvark, " + (tables ? "with" : "without") + " tables r" + round,
                            d[0],
                            l[0],
                            l[2]));
                } finally {
                    if (!tables) host.run("nft", "-f", saved.toString());
                }
            }
        }
        line(String.format(
                Locale.ROOT,
                "aardvark with / without Berth's tables (mean of 2): qps %.2f, p50 latency %.2f",
                qps[0] / qps[1],
                p50[0] / p50[1]));
    }

    private static String aardvarkLine(Engine engine, Sandbox s) {
        Endpoint e = engine.endpointsOf(s).getFirst();
        List<String> names = new ArrayList<>(List.of(s.name()));
        names.addAll(e.aliases());
        return s.id() + " " + IpPrefix.format(e.ipv4()) + "  " + String.join(",", names) + "\n";
    }

    /** Both servers answer the local and the forwarded name before anything is measured. */
    private static void check(LabHost in, String berthAt, String gateway) {
        for (String server : List.of(berthAt, gateway))
            for (String[] q :
                    List.of(new String[] {"target", "10.90.0.3"}, new String[] {"www.example", "198.51.100.2"})) {
                String got = in.exec("dig", "+short", "+time=2", "+tries=2", "@" + server, q[0])
                        .stdout()
                        .strip();
                if (!got.equals(q[1]))
                    throw new IllegalStateException(
                            server + " answered " + q[0] + " with '" + got + "', expected " + q[1]);
            }
    }

    /** dnsperf against {@code server}; returns qps, lost, average latency (s). */
    private static double[] dnsperf(LabHost in, String server, Path queries, int seconds) {
        ExecResult r = Commands.run(
                List.of(
                        "ip",
                        "netns",
                        "exec",
                        in.name(),
                        "dnsperf",
                        "-s",
                        server,
                        "-d",
                        queries.toString(),
                        "-l",
                        String.valueOf(seconds),
                        "-t",
                        "1"),
                Duration.ofSeconds(seconds + 30L),
                null);
        Matcher q = QPS.matcher(r.stdout()), l = LOST.matcher(r.stdout()), a = AVG.matcher(r.stdout());
        if (!q.find()) throw new IllegalStateException("dnsperf failed: " + r.stdout() + r.stderr());
        return new double[] {
            Double.parseDouble(q.group(1)),
            l.find() ? Double.parseDouble(l.group(1)) : -1,
            a.find() ? Double.parseDouble(a.group(1)) : -1
        };
    }

    /** One query in flight at a time from a socket inside the sandbox; p50, p90, p99, max in microseconds. */
    private static double[] latency(Path netns, String server, String name, int n) throws Exception {
        byte[] query = Message.newQuery(Record.newRecord(Name.fromString(name + "."), Type.A, DClass.IN))
                .toWire();
        long[] t = new long[n];
        try (NetnsHandle ns = Netns.open(netns);
                DatagramChannel ch = Netns.call(
                        ns,
                        () -> DatagramChannel.open()
                                .connect(new InetSocketAddress(InetAddress.getByName(server), 53)))) {
            ch.socket().setSoTimeout(1000);
            ByteBuffer in = ByteBuffer.allocate(4096);
            for (int i = -2000; i < n; i++) {
                query[0] = (byte) (i >>> 8);
                query[1] = (byte) i;
                long t0 = System.nanoTime();
                ch.write(ByteBuffer.wrap(query));
                in.clear();
                ch.read(in);
                long dt = System.nanoTime() - t0;
                if (i >= 0) t[i] = dt;
            }
        }
        Arrays.sort(t);
        return new double[] {t[n / 2] / 1e3, t[n * 9 / 10] / 1e3, t[n * 99 / 100] / 1e3, t[n - 1] / 1e3};
    }

    private void flood(List<String> lines) {
        Pattern p = Pattern.compile("rss_kb=(\\d+) old_gen_kb=(\\d+) loop_alloc_bytes=(-?\\d+) queries=(\\d+)");
        List<long[]> v = new ArrayList<>();
        for (String l : lines) {
            Matcher m = p.matcher(l);
            if (m.find())
                v.add(new long[] {
                    Long.parseLong(m.group(1)),
                    Long.parseLong(m.group(2)),
                    Long.parseLong(m.group(3)),
                    Long.parseLong(m.group(4))
                });
        }
        if (v.size() < 4) {
            line("flood: too few samples (" + v.size() + ")");
            return;
        }
        int q1 = v.size() / 4;
        long[] a = v.get(q1), b = v.getLast();
        long maxRss = v.stream().mapToLong(x -> x[0]).max().orElse(-1);
        double bytesPerQuery = (b[2] - a[2]) / (double) Math.max(1, b[3] - a[3]);
        line(String.format(
                Locale.ROOT,
                "RSS kB: at 1/4 %d, at end %d, max %d; old generation kB: at 1/4 %d, at end %d",
                a[0],
                b[0],
                maxRss,
                a[1],
                b[1]));
        line(String.format(
                Locale.ROOT,
                "resolver thread allocation: %.0f bytes per query (young garbage: see the old generation)",
                bytesPerQuery));
        line("samples (rss_kb old_gen_kb queries): "
                + v.stream().map(x -> x[0] + "/" + x[1] + "/" + x[3]).toList());
    }

    private static long lastRss(List<String> mem, int from) {
        long rss = -1;
        for (int i = from; i < mem.size(); i++) {
            Matcher m = Pattern.compile("rss_kb=(\\d+)").matcher(mem.get(i));
            if (m.find()) rss = Math.max(rss, Long.parseLong(m.group(1)));
        }
        return rss;
    }

    private static long rssKb(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
                if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D", ""));
        } catch (IOException ignored) {
            // gone
        }
        return -1;
    }

    private static long waitForPid(Path pidFile) throws Exception {
        for (int i = 0; i < 50; i++) {
            if (Files.exists(pidFile)) {
                String s = Files.readString(pidFile).strip();
                if (!s.isEmpty()) return Long.parseLong(s);
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("aardvark-dns wrote no pid file " + pidFile);
    }

    private static String aardvarkVersion() {
        try {
            Process p = new ProcessBuilder("/usr/lib/podman/aardvark-dns", "--version")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String v = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            return v.replace("aardvark-dns ", "");
        } catch (Exception e) {
            return "?";
        }
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private void line(String s) {
        System.out.println(s);
        report.add(s);
    }

    private static void deleteTree(Path p) {
        try (var files = Files.walk(p)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    /**
     * The upstream resolver on the lab machine "up": answers every A query with 198.51.100.2 and
     * everything else with NOERROR and no data, built from the query's bytes (no parsing), so it is
     * not what limits the forwarded runs of either server.
     */
    static final class Responder implements AutoCloseable {
        private final DatagramChannel ch;

        Responder(NetnsHandle ns, String address) throws IOException {
            InetSocketAddress at = new InetSocketAddress(InetAddress.getByName(address), 53);
            ch = Netns.call(ns, () -> DatagramChannel.open().bind(at));
            Thread.ofPlatform().daemon().name("bench-upstream").start(this::serve);
        }

        private void serve() {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            byte[] out = new byte[4096];
            while (ch.isOpen()) {
                try {
                    buf.clear();
                    var from = ch.receive(buf);
                    byte[] q = buf.array();
                    int n = buf.position();
                    int end = 12;
                    while (end < n && q[end] != 0) end += (q[end] & 0xff) + 1;
                    end += 5;
                    if (n < 12 || end > n) continue;
                    System.arraycopy(q, 0, out, 0, end);
                    out[2] = (byte) (0x80 | (q[2] & 0x01));
                    out[3] = (byte) 0x80;
                    out[6] = 0;
                    out[7] = 0;
                    out[8] = out[9] = out[10] = out[11] = 0;
                    int len = end;
                    boolean a = q[end - 4] == 0 && q[end - 3] == 1;
                    if (a) {
                        out[7] = 1;
                        byte[] rr = {(byte) 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, (byte) 198, 51, 100, 2};
                        System.arraycopy(rr, 0, out, end, rr.length);
                        len += rr.length;
                    }
                    ch.send(ByteBuffer.wrap(out, 0, len), from);
                } catch (IOException e) {
                    return;
                } catch (RuntimeException e) {
                    // a packet it cannot read
                }
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
