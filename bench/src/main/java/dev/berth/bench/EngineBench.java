package dev.berth.bench;

import dev.berth.bench.engine.CpuClock;
import dev.berth.bench.engine.Latencies;
import dev.berth.bench.engine.Peers;
import dev.berth.bench.engine.StepClock;
import dev.berth.engine.Engine;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.firewall.NftablesFirewall;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.model.IpPrefix;
import dev.berth.model.MacAddress;
import dev.berth.model.log.Log;
import dev.berth.netlink.NetlinkSocket.Request;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.AddrGenMode;
import dev.berth.netlink.route.Addresses;
import dev.berth.netlink.route.Link;
import dev.berth.netlink.route.LinkType;
import dev.berth.netlink.route.Links;
import dev.berth.netlink.route.NewLink;
import dev.berth.netlink.route.Route;
import dev.berth.netlink.route.Routes;
import dev.berth.netlink.route.Rtnl;
import dev.berth.netlink.sys.Libc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * Single-host engine benchmark: how long one endpoint takes to connect through Berth's engine
 * (new namespace, veth, address, routes, state, and a published port when asked), for endpoints
 * 1..N on one bridge network, against the peers doing the same work (netavark setup, the CNI
 * bridge plugin, each with and without one published port) and against the kernel floor (Berth's
 * netlink alone, no engine). Everything runs in lab namespaces; this machine's own network is never
 * touched. Run it with scripts/bench-engine.sh; options: --n N (endpoints per Berth round, 1000),
 * --rounds R (3), --peer-n N (1000), --peer-budget SECONDS (45 per peer case and round), --peer-rounds R (as --rounds),
 * --warmup N (300; the peers get a third of it per kind),
 * --cases a,b,... (a subset of {@link #ALL_CASES}), --no-peers, --no-berth, --out DIR (bench/results).
 */
public final class EngineBench {
    private static final double GOAL_SPEEDUP = 10, GOAL_FLAT = 1.5;
    /** Held so the setting sticks: the engine's INFO lines (forwarding enabled, ...) would clutter the output. */
    static final List<String> ALL_CASES = List.of(
            "floor",
            "berth",
            "berth-nospoof",
            "berth-tmpfs",
            "berth-nosnoop",
            "berth-port",
            "berth-pub1000",
            "berth-attach",
            "nv0",
            "nv1",
            "cni0",
            "cni1");

    record Options(
            int n,
            int rounds,
            int peerN,
            int peerBudgetSeconds,
            int peerRounds,
            int warmup,
            List<String> only,
            Path outDir) {
        boolean berth() {
            return only.stream().anyMatch(c -> c.equals("floor") || c.startsWith("berth"));
        }

        boolean peers() {
            return only.stream().anyMatch(c -> c.startsWith("nv") || c.startsWith("cni"));
        }

        boolean runs(String c) {
            return only.contains(c);
        }

        static Options parse(String[] args) {
            int n = 1000, rounds = 3, peerN = 1000, budget = 45, peerRounds = 0, warmup = 300;
            List<String> only = new ArrayList<>(ALL_CASES);
            Path out = Path.of("bench/results");
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--n" -> n = Integer.parseInt(args[++i]);
                    case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                    case "--peer-n" -> peerN = Integer.parseInt(args[++i]);
                    case "--peer-budget" -> budget = Integer.parseInt(args[++i]);
                    case "--peer-rounds" -> peerRounds = Integer.parseInt(args[++i]);
                    case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                    case "--no-peers" -> only.removeIf(c -> c.startsWith("nv") || c.startsWith("cni"));
                    case "--no-berth" -> only.removeIf(c -> c.equals("floor") || c.startsWith("berth"));
                    case "--cases" -> {
                        only = new ArrayList<>(List.of(args[++i].split(",")));
                        for (String c : only)
                            if (!ALL_CASES.contains(c))
                                throw new IllegalArgumentException("unknown case " + c + "; cases: " + ALL_CASES);
                    }
                    case "--out" -> out = Path.of(args[++i]);
                    default ->
                        throw new IllegalArgumentException(
                                "unknown option " + args[i]
                                        + " (options: --n N --rounds R --peer-n N --peer-budget S --peer-rounds R --warmup N --no-peers --no-berth --cases a,b --out DIR)");
                }
            }
            return new Options(n, rounds, peerN, budget, peerRounds > 0 ? peerRounds : rounds, warmup, only, out);
        }
    }

    /**
     * One measured case: one or more rounds of endpoints 1..N, pooled for the statistics. {@code steps}:
     * per round, per-step times where known; {@code cpuNanos}: CPU time over all rounds.
     */
    static final class Case {
        final String key, label, note;
        final List<Latencies> rounds = new ArrayList<>();
        final List<Map<String, Latencies>> steps = new ArrayList<>();
        final List<String> conditions = new ArrayList<>();
        long cpuNanos;

        Case(String key, String label, String note) {
            this.key = key;
            this.label = label;
            this.note = note;
        }

        void add(Latencies lat, Map<String, Latencies> roundSteps, long cpu, String condition) {
            rounds.add(lat);
            steps.add(roundSteps);
            cpuNanos += cpu;
            conditions.add(condition);
        }

        /** Endpoints per round (the smallest round, for the peers whose budget may cut a round short). */
        int n() {
            return rounds.stream().mapToInt(Latencies::size).min().orElse(0);
        }

        int samples() {
            return rounds.stream().mapToInt(Latencies::size).sum();
        }

        double pct(int from, int to, double p) {
            return Latencies.percentileMs(rounds, from, to, p);
        }

        double p50() {
            return pct(1, n(), 50);
        }

        double p99() {
            return pct(1, n(), 99);
        }

        double cpuPerOpMs() {
            return samples() == 0 ? Double.NaN : cpuNanos / 1e6 / samples();
        }

        /** The last window: endpoints N-19..N (981-1000 for N = 1000). */
        int lastFrom() {
            return Math.max(1, n() - 19);
        }

        double w1() {
            return pct(1, 10, 50);
        }

        double w100() {
            return pct(91, 110, 50);
        }

        double wLast() {
            return pct(lastFrom(), n(), 50);
        }

        String roundP50s() {
            return rounds.stream()
                    .map(r -> ms(r.p50Ms()))
                    .reduce((a, b) -> a + ", " + b)
                    .orElse("-");
        }

        /** Each step's times, pooled over the rounds. */
        Map<String, List<Latencies>> pooledSteps() {
            Map<String, List<Latencies>> out = new LinkedHashMap<>();
            for (Map<String, Latencies> round : steps)
                for (var e : round.entrySet())
                    out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
            return out;
        }
    }

    private final Lab lab;
    private final Options opt;
    private final Map<String, Case> cases = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final List<Path> leftovers = new ArrayList<>();

    private EngineBench(Lab lab, Options opt) {
        this.lab = lab;
        this.opt = opt;
    }

    public static void main(String[] args) throws Exception {
        Options opt = Options.parse(args);
        Log.setLevel(Log.Level.WARN);
        long start = System.nanoTime();
        ZonedDateTime when = ZonedDateTime.now();
        String env = environment();
        System.out.println(env);
        EngineBench b;
        try (Lab lab = Lab.create()) {
            b = new EngineBench(lab, opt);
            try {
                b.runAll();
            } finally {
                b.dropNamespaces(lab.prefix(""));
            }
        }
        double minutes = (System.nanoTime() - start) / 60e9;
        String report = "Berth engine benchmark, " + when.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + "\n" + env
                + "\n" + b.report() + String.format(Locale.ROOT, "%nwhole run: %.1f min%n", minutes);
        System.out.println();
        System.out.println(report);
        Files.createDirectories(opt.outDir);
        Path file = opt.outDir.resolve(
                "engine-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".txt");
        Files.writeString(file, report);
        System.out.println("written to " + file.toAbsolutePath());
    }

    private void runAll() throws IOException {
        if (opt.berth()) {
            warmUpBerth();
            // Rounds go through every case in turn, so a burst of load from elsewhere lands in one round
            // of several cases rather than in all of one case.
            for (int round = 1; round <= opt.rounds; round++) {
                String r = "r" + round;
                if (opt.runs("floor")) floor(r);
                if (opt.runs("berth"))
                    berth(
                            "berth",
                            "berth connect, no port",
                            "b0" + r,
                            i -> SandboxRequest.on("c" + i, "net"),
                            null,
                            false,
                            "createSandbox(on(name, \"net\")): netns + veth + address + routes + state");
                if (opt.runs("berth-nospoof"))
                    berth(
                            "berth-nospoof",
                            "berth connect, no port, anti-spoofing off",
                            "b6" + r,
                            i -> SandboxRequest.on("c" + i, "net"),
                            null,
                            false,
                            "as \"berth connect, no port\" on a network created with berth.anti_spoofing=false: no guard "
                                    + "elements (port, port . MAC, port . address, port . link-local) are added per endpoint");
                if (opt.runs("berth-tmpfs"))
                    berth(
                            "berth-tmpfs",
                            "berth connect, no port, state on tmpfs",
                            "b4" + r,
                            i -> SandboxRequest.on("c" + i, "net"),
                            null,
                            false,
                            "as \"berth connect, no port\" with the state directory on tmpfs (/dev/shm) instead of this VM's ext4: "
                                    + "shows what the state writes cost");
                if (opt.runs("berth-nosnoop"))
                    berth(
                            "berth-nosnoop",
                            "berth connect, mcast_snooping 0 (exp.)",
                            "b5" + r,
                            i -> SandboxRequest.on("c" + i, "net"),
                            (e, h) -> h.ip(
                                    "link", "set", e.network("net").device(), "type", "bridge", "mcast_snooping", "0"),
                            false,
                            "experiment, not what the engine does: as \"berth connect, no port\" with IGMP/MLD snooping turned off on "
                                    + "the bridge (ip link set BRIDGE type bridge mcast_snooping 0) after the engine made it; shows the "
                                    + "kernel's per-port multicast work that grows with the number of ports");
                if (opt.runs("berth-port"))
                    berth(
                            "berth-port",
                            "berth connect, 1 published port",
                            "b1" + r,
                            i -> SandboxRequest.on("c" + i, "net").publishing((30000 + i) + ":80"),
                            null,
                            false,
                            "createSandbox(...publishing(\"3xxxx:80\")): endpoint k runs with k-1 ports already published");
                if (opt.runs("berth-pub1000"))
                    berth(
                            "berth-pub1000",
                            "berth connect, 1 port, 1000 published",
                            "b2" + r,
                            i -> SandboxRequest.on("c" + i, "net").publishing((30000 + i) + ":80"),
                            (e, h) -> e.createSandbox(
                                    SandboxRequest.on("pub", "net").publishing("20000-20999:20000-20999")),
                            false,
                            "a sandbox publishing 20000-20999 exists first (so these are endpoints 2..N+1 on the bridge); "
                                    + "ports grow from 1000 to 1000+N");
                if (opt.runs("berth-attach"))
                    berth(
                            "berth-attach",
                            "berth attach, existing netns",
                            "b3" + r,
                            i -> SandboxRequest.on("c" + i, "none"),
                            null,
                            true,
                            "connect(sandbox, \"net\") to a sandbox created untimed with network none: the same work the peers "
                                    + "are timed for (they get a namespace made beforehand)");
            }
        }
        if (opt.peers()) {
            if (!Peers.netavarkPresent() || !Peers.cniPresent()) {
                notes.add(
                        "peers skipped: netavark or the CNI plugins are missing (apt-get install -y netavark containernetworking-plugins)");
            } else {
                warmUpPeers();
                // As many rounds as Berth's, taking turns, each with the same budget; the spawn floor each round too.
                for (int round = 1; round <= opt.peerRounds; round++) {
                    String r = round == 1 ? "" : "r" + round;
                    spawnFloor(r);
                    if (opt.runs("nv0")) netavark(false, r);
                    if (opt.runs("nv1")) netavark(true, r);
                    if (opt.runs("cni0")) cni(false, r);
                    if (opt.runs("cni1")) cni(true, r);
                }
            }
        }
    }

    private Case caseOf(String key, String label, String note) {
        return cases.computeIfAbsent(key, k -> new Case(key, label, note));
    }

    // ------------------------------------------------------------------ Berth

    private Engine startEngine(LabHost host, NetnsHandle hostNs, Path state, String sandboxPrefix, StepClock clock) {
        return startEngine(host, hostNs, state, sandboxPrefix, clock, Map.of());
    }

    private Engine startEngine(
            LabHost host,
            NetnsHandle hostNs,
            Path state,
            String sandboxPrefix,
            StepClock clock,
            Map<String, String> netOptions) {
        EngineConfig c = EngineConfig.of(state, hostNs, NftablesFirewall::new).withNetnsPrefix(sandboxPrefix);
        if (clock != null) c = c.withFaults(clock);
        Engine e = Engine.start(c);
        e.createNetwork(NetworkRequest.bridge("net", "10.88.0.0/16").withOptions(netOptions));
        return e;
    }

    /** The JIT warms up on a throw-away engine first: a daemon that has run for a while is warm. */
    private void warmUpBerth() throws IOException {
        if (opt.warmup <= 0) return;
        progress("warm-up: " + opt.warmup + " sandboxes on a throw-away engine (untimed)");
        LabHost host = lab.host("bwarm");
        Path state = Files.createTempDirectory("berth-ebench-");
        String prefix = lab.prefix("bwarmc");
        try (NetnsHandle hostNs = Netns.open(host.name())) {
            Engine e = startEngine(host, hostNs, state, prefix, new StepClock());
            try {
                for (int i = 1; i <= opt.warmup; i++) {
                    switch (i % 3) {
                        case 0 -> e.createSandbox(SandboxRequest.on("w" + i, "net"));
                        case 1 ->
                            e.createSandbox(SandboxRequest.on("w" + i, "net").publishing((30000 + i) + ":80"));
                        default -> {
                            e.createSandbox(SandboxRequest.on("w" + i, "none"));
                            e.connect("w" + i, "net", EndpointRequest.DEFAULT);
                        }
                    }
                }
                for (int i = 1; i <= Math.min(50, opt.warmup); i++) e.removeSandbox("w" + i);
            } finally {
                e.close();
            }
            floorRun(hostNs, lab.prefix("bwarmf"), Math.min(200, opt.warmup), new StepClock(), "10.87.0.0/16");
        } finally {
            finish(host, prefix, state);
            unmountNamespaces(lab.prefix("bwarmf"));
        }
        settle();
    }

    /**
     * One Berth case on a fresh engine in its own lab host: network "net" (10.88.0.0/16), then N timed
     * operations. {@code attachOnly}: the sandbox is made untimed with network none and the timed
     * operation is connect().
     */
    private void berth(
            String key,
            String label,
            String role,
            IntFunction<SandboxRequest> request,
            BiConsumer<Engine, LabHost> prepare,
            boolean attachOnly,
            String note)
            throws IOException {
        progress(label + " (" + role + "): " + opt.n + " endpoints");
        LabHost host = lab.host(role);
        Path state = key.endsWith("-tmpfs")
                ? Files.createTempDirectory(Path.of("/dev/shm"), "berth-ebench-")
                : Files.createTempDirectory("berth-ebench-");
        String prefix = lab.prefix(role + "c");
        StepClock clock = new StepClock();
        Latencies lat = new Latencies();
        long cpu = 0;
        String conditions;
        try (NetnsHandle hostNs = Netns.open(host.name())) {
            Map<String, String> netOptions =
                    key.equals("berth-nospoof") ? Map.of("berth.anti_spoofing", "false") : Map.of();
            Engine e = startEngine(host, hostNs, state, prefix, clock, netOptions);
            try {
                if (prepare != null) prepare.accept(e, host);
                conditions = settle();
                for (int i = 1; i <= opt.n; i++) {
                    SandboxRequest r = request.apply(i);
                    if (attachOnly) e.createSandbox(r);
                    long c0 = CpuClock.selfNanos();
                    long t0 = System.nanoTime();
                    clock.begin(t0);
                    if (attachOnly) e.connect(r.name(), "net", EndpointRequest.DEFAULT);
                    else e.createSandbox(r);
                    long t1 = System.nanoTime();
                    clock.end(t1);
                    cpu += CpuClock.selfNanos() - c0;
                    lat.add(t1 - t0);
                    if (i == 1) check(prefix + "c1", "10.88.");
                }
            } finally {
                e.close();
            }
        } finally {
            finish(host, prefix, state);
        }
        caseOf(key, label, note).add(lat, clock.steps(), cpu, conditions);
    }

    /** The kernel floor: the engine's kernel work for one endpoint with Berth's netlink, no engine, no state. */
    private void floor(String round) {
        progress("kernel floor (" + round + "): " + opt.n
                + " endpoints (netns + lo + veth + hairpin + address + up + route)");
        LabHost host = lab.host("floor" + round);
        String prefix = lab.prefix("floor" + round + "c");
        StepClock clock = new StepClock();
        Latencies lat;
        long cpu0, cpu1;
        String conditions;
        try (NetnsHandle hostNs = Netns.open(host.name())) {
            conditions = settle();
            cpu0 = CpuClock.selfNanos();
            lat = floorRun(hostNs, prefix, opt.n, clock, "10.89.0.0/16");
            cpu1 = CpuClock.selfNanos();
            check(prefix + "1", "10.89.");
        } finally {
            finish(host, prefix, null);
        }
        caseOf(
                        "floor",
                        "kernel floor (netlink, no engine)",
                        "in-process: Netns.create, rtnetlink socket in it, lo up, veth created in place with master/up, hairpin + "
                                + "no IPv6 link-local, then no link-local + address + up + default route in one batch (the engine's "
                                + "kernel requests); no state, no firewall")
                .add(lat, clock.steps(), cpu1 - cpu0, conditions);
    }

    private Latencies floorRun(NetnsHandle hostNs, String prefix, int n, StepClock clock, String subnet) {
        Latencies lat = new Latencies();
        List<AutoCloseable> open = new ArrayList<>();
        IpPrefix net = IpPrefix.parse(subnet);
        byte[] base = net.address().getAddress();
        try (Rtnl host = Netns.rtnl(hostNs)) {
            String bridge = "brf" + Integer.toHexString(base[1] & 0xff);
            Link br = host.links()
                    .create(NewLink.of(bridge, new LinkType.Bridge()).withMtu(1500));
            InetAddress gw = addr(base, 255, 254);
            host.addresses().add(br.index(), new IpPrefix(gw, 16));
            host.links().setUp(br.index());
            for (int i = 1; i <= n; i++) {
                InetAddress ip = addr(base, i / 250, i % 250 + 2);
                long t0 = System.nanoTime();
                clock.begin(t0);
                clock.reach("floor:netns");
                NetnsHandle ns = Netns.create(prefix + i);
                clock.reach("floor:socket");
                Rtnl rt = Netns.rtnl(ns);
                clock.reach("floor:lo");
                rt.links().setUp(1);
                clock.reach("floor:veth");
                Link veth = host.links()
                        .create(NewLink.of(
                                        "vf" + Integer.toHexString(base[1] & 0xff) + "x" + i,
                                        new LinkType.Veth("eth0", ns.fd(), 1500, MacAddress.randomLocal()))
                                .withMtu(1500)
                                .withMaster(br.index())
                                .withUp());
                clock.reach("floor:hairpin");
                host.socket()
                        .requestAll(List.of(
                                new Request(Links.hairpinMessage(veth.index(), true), "hairpin"),
                                new Request(
                                        Links.addrGenModeMessage(veth.index(), AddrGenMode.NONE), "no link-local")));
                clock.reach("floor:configure");
                int inside = veth.linkIndex();
                rt.socket()
                        .requestAll(List.of(
                                new Request(Links.addrGenModeMessage(inside, AddrGenMode.NONE), "no link-local"),
                                new Request(Addresses.addMessage(inside, new IpPrefix(ip, 16)), "address"),
                                new Request(Links.upMessage(inside), "up"),
                                new Request(Routes.addMessage(Route.defaultVia(gw, inside)), "route")));
                long t1 = System.nanoTime();
                clock.end(t1);
                lat.add(t1 - t0);
                open.add(rt);
                open.add(ns);
            }
        } finally {
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing handles only
                }
            }
        }
        return lat;
    }

    private static InetAddress addr(byte[] base, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {base[0], base[1], (byte) c, (byte) d});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ peers

    private void warmUpPeers() throws IOException {
        int calls = Math.max(3, opt.warmup / 3); // Berth warms on opt.warmup sandboxes, a third of each kind
        progress("warm-up: " + calls + " netavark (1 port) and " + calls
                + " CNI bridge+portmap calls in a throw-away namespace (untimed)");
        LabHost host = lab.host("pwarm");
        Path dir = Files.createTempDirectory("berth-ebench-peer-");
        String prefix = lab.prefix("pwarmc");
        try {
            Files.createDirectories(dir.resolve("aardvark"));
            Files.writeString(dir.resolve("bridge.json"), Peers.cniBridgeConf(dir.resolve("ipam")));
            for (int i = 1; i <= calls; i++) {
                Netns.create(prefix + "n" + i).close();
                Files.writeString(dir.resolve("in.json"), Peers.netavarkSetup(i, 30000 + i));
                Peers.run(
                        Peers.netavarkCommand(host.name(), dir.resolve("aardvark"), prefix + "n" + i),
                        Map.of("NETAVARK_FW", "iptables"),
                        dir.resolve("in.json"),
                        dir.resolve("out"),
                        dir.resolve("err"));
                Netns.create(prefix + "c" + i).close();
                Peers.run(
                        Peers.cniCommand(host.name(), "bridge"),
                        Peers.cniEnv("ADD", "cni" + i, prefix + "c" + i),
                        dir.resolve("bridge.json"),
                        dir.resolve("res.json"),
                        dir.resolve("err"));
                Files.writeString(
                        dir.resolve("pm.json"),
                        Peers.cniPortmapConf(30000 + i, Files.readString(dir.resolve("res.json"))));
                Peers.run(
                        Peers.cniCommand(host.name(), "portmap"),
                        Peers.cniEnv("ADD", "cni" + i, prefix + "c" + i),
                        dir.resolve("pm.json"),
                        dir.resolve("out"),
                        dir.resolve("err"));
            }
        } finally {
            finish(host, prefix, dir);
        }
    }

    /** netavark setup for containers 1..N (or until the time budget is spent) on one bridge; each gets a namespace made untimed. */
    private void netavark(boolean port, String round) throws IOException {
        String key = port ? "nv1" : "nv0", role = key + round;
        String label = port ? "netavark setup, 1 published port" : "netavark setup, no port";
        progress(label + ": up to " + opt.peerN + " containers or " + opt.peerBudgetSeconds + " s");
        LabHost host = lab.host(role);
        Path dir = Files.createTempDirectory("berth-ebench-peer-");
        String prefix = lab.prefix(role + "c");
        Latencies lat = new Latencies();
        long cpu = 0;
        String conditions;
        long started;
        try {
            Path cfg = Files.createDirectories(dir.resolve("aardvark"));
            Path in = dir.resolve("in.json");
            conditions = settle();
            started = System.nanoTime();
            for (int i = 1;
                    i <= opt.peerN && System.nanoTime() - started < opt.peerBudgetSeconds * 1_000_000_000L;
                    i++) {
                Netns.create(prefix + i).close();
                Files.writeString(in, Peers.netavarkSetup(i, port ? 30000 + i : 0));
                Peers.Run r = Peers.run(
                        Peers.netavarkCommand(host.name(), cfg, prefix + i),
                        Map.of("NETAVARK_FW", "iptables"),
                        in,
                        dir.resolve("out"),
                        dir.resolve("err"));
                lat.add(r.wallNanos());
                cpu += r.cpuNanos();
                if (i == 1) check(prefix + "1", "10.91.");
            }
        } finally {
            finish(host, prefix, dir);
        }
        caseOf(
                        key,
                        label,
                        peerNote(
                                lat,
                                started,
                                "nsenter --net=<lab host> netavark setup (NETAVARK_FW=iptables), request JSON from a file; "
                                        + "#1 includes creating the bridge and chains"))
                .add(lat, Map.of(), cpu, conditions);
    }

    /** The CNI bridge plugin ADD (host-local IPAM), and with a port the portmap ADD chained after it. */
    private void cni(boolean port, String round) throws IOException {
        String key = port ? "cni1" : "cni0", role = key + round;
        String label = port ? "CNI bridge ADD + portmap ADD" : "CNI bridge ADD";
        progress(label + ": up to " + opt.peerN + " containers or " + opt.peerBudgetSeconds + " s");
        LabHost host = lab.host(role);
        Path dir = Files.createTempDirectory("berth-ebench-peer-");
        String prefix = lab.prefix(role + "c");
        Latencies lat = new Latencies();
        Map<String, Latencies> steps = new LinkedHashMap<>();
        long cpu = 0;
        String conditions;
        long started;
        try {
            Path conf = dir.resolve("bridge.json"), res = dir.resolve("res.json"), pm = dir.resolve("pm.json");
            Files.writeString(conf, Peers.cniBridgeConf(dir.resolve("ipam")));
            conditions = settle();
            started = System.nanoTime();
            for (int i = 1;
                    i <= opt.peerN && System.nanoTime() - started < opt.peerBudgetSeconds * 1_000_000_000L;
                    i++) {
                Netns.create(prefix + i).close();
                Peers.Run b = Peers.run(
                        Peers.cniCommand(host.name(), "bridge"),
                        Peers.cniEnv("ADD", "cni" + i, prefix + i),
                        conf,
                        res,
                        dir.resolve("err"));
                long wall = b.wallNanos(), c = b.cpuNanos();
                steps.computeIfAbsent("bridge ADD", k -> new Latencies()).add(b.wallNanos());
                if (port) {
                    Files.writeString(pm, Peers.cniPortmapConf(30000 + i, Files.readString(res)));
                    Peers.Run p = Peers.run(
                            Peers.cniCommand(host.name(), "portmap"),
                            Peers.cniEnv("ADD", "cni" + i, prefix + i),
                            pm,
                            dir.resolve("out"),
                            dir.resolve("err"));
                    wall += p.wallNanos();
                    c += p.cpuNanos();
                    steps.computeIfAbsent("portmap ADD", k -> new Latencies()).add(p.wallNanos());
                }
                lat.add(wall);
                cpu += c;
                if (i == 1) check(prefix + "1", "10.92.");
            }
        } finally {
            finish(host, prefix, dir);
        }
        caseOf(
                        key,
                        label,
                        peerNote(
                                lat,
                                started,
                                "nsenter --net=<lab host> /usr/lib/cni/bridge (host-local, isGateway, ipMasq, hairpin)"
                                        + (port
                                                ? " then portmap (snat) with the bridge result as prevResult; the time is the sum"
                                                : "")))
                .add(lat, steps, cpu, conditions);
    }

    /**
     * The harness's own cost of one peer call: {@code nsenter --net=<lab host> /bin/true} started exactly as
     * the peers are (ProcessBuilder, files for stdin/stdout/stderr), as many times and with the same budget.
     */
    private void spawnFloor(String round) throws IOException {
        progress("spawn floor: nsenter + /bin/true, up to " + opt.peerN + " runs or " + opt.peerBudgetSeconds + " s");
        LabHost host = lab.host("spawn" + round);
        Path dir = Files.createTempDirectory("berth-ebench-peer-");
        Latencies lat = new Latencies();
        long cpu = 0;
        String conditions;
        long started;
        try {
            Path in = Files.writeString(dir.resolve("in.json"), Peers.netavarkSetup(1, 0));
            conditions = settle();
            started = System.nanoTime();
            for (int i = 1;
                    i <= opt.peerN && System.nanoTime() - started < opt.peerBudgetSeconds * 1_000_000_000L;
                    i++) {
                Peers.Run r = Peers.run(
                        Peers.spawnFloorCommand(host.name()), Map.of(), in, dir.resolve("out"), dir.resolve("err"));
                lat.add(r.wallNanos());
                cpu += r.cpuNanos();
            }
        } finally {
            finish(host, lab.prefix("spawn" + round + "c"), dir);
        }
        caseOf(
                        "spawn",
                        "spawn floor: nsenter + /bin/true",
                        peerNote(
                                lat,
                                started,
                                "what the harness itself costs per peer call (fork, exec, nsenter, exec): subtracted below for the net figures"))
                .add(lat, Map.of(), cpu, conditions);
    }

    private String peerNote(Latencies lat, long started, String what) {
        double s = (System.nanoTime() - started) / 1e9;
        String n = lat.size() < opt.peerN
                ? String.format(
                        Locale.ROOT,
                        "N=%d, not %d: the %d s budget ran out (%.0f s); ",
                        lat.size(),
                        opt.peerN,
                        opt.peerBudgetSeconds,
                        s)
                : String.format(Locale.ROOT, "N=%d in %.0f s; ", lat.size(), s);
        return n + what;
    }

    // ------------------------------------------------------------------ lab plumbing

    /** A quick proof that the endpoint works: the namespace has an IPv4 address in the expected subnet. */
    private void check(String netns, String subnetStart) {
        String out = lab.existing(netns).run("ip", "-4", "-o", "addr", "show").stdout();
        if (!out.contains(" " + subnetStart))
            throw new IllegalStateException(netns + " has no address in " + subnetStart + "*: " + out);
    }

    /**
     * Frees the case's namespaces (container ones and its host) by unmounting them, but leaves their
     * empty files and the case's temporary directory until the end of the run: on a file system
     * without a journal (this VM's root, which holds /run and /tmp), ext4 skips inodes deleted in the
     * last minutes when it allocates one, so deleting thousands of files would slow every file
     * creation of the next cases (namespaces, state records, the peers' IPAM files).
     */
    private void finish(LabHost host, String containerPrefix, Path dir) {
        unmountNamespaces(containerPrefix);
        unmount(host.name());
        if (dir != null) leftovers.add(dir);
    }

    private void unmountNamespaces(String prefix) {
        if (!prefix.startsWith(lab.prefix(""))) throw new IllegalArgumentException(prefix + " is not this lab's");
        for (String name : Netns.list()) if (name.startsWith(prefix)) unmount(name);
    }

    private static void unmount(String netns) {
        try {
            Libc.umount2(Netns.pathOf(netns).toString(), Libc.MNT_DETACH);
        } catch (RuntimeException ignored) {
            // not mounted (already freed)
        }
    }

    /** Deletes namespaces of this lab whose name starts with {@code prefix}, and the temporary directories. */
    void dropNamespaces(String prefix) {
        if (!prefix.startsWith(lab.prefix(""))) throw new IllegalArgumentException(prefix + " is not this lab's");
        for (String name : Netns.list()) if (name.startsWith(prefix)) deleteNetns(name);
        for (Path dir : leftovers) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temporary files
            }
        }
        leftovers.clear();
    }

    private static void deleteNetns(String name) {
        try {
            Netns.delete(name);
        } catch (RuntimeException ignored) {
            // already gone; the lab sweeps what is left
        }
    }

    /**
     * Waits (up to 20 s) until the CPUs are mostly idle, so one case's leftovers (the kernel freeing
     * a thousand namespaces) do not land in the next one. Returns what it saw.
     */
    private static String settle() {
        long start = System.nanoTime();
        double idle = 0;
        sleep(300);
        while (System.nanoTime() - start < 20_000_000_000L) {
            idle = idleFraction(400);
            if (idle >= 0.80) break;
        }
        return String.format(
                Locale.ROOT,
                "settled %.1f s, idle %.0f%%, load %s",
                (System.nanoTime() - start) / 1e9,
                idle * 100,
                loadAverage());
    }

    private static double idleFraction(long millis) {
        long[] a = cpuTimes();
        sleep(millis);
        long[] b = cpuTimes();
        long total = 0;
        for (int i = 0; i < a.length; i++) total += b[i] - a[i];
        long idle = (b[3] - a[3]) + (b[4] - a[4]);
        return total == 0 ? 1 : (double) idle / total;
    }

    private static long[] cpuTimes() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat")).getFirst();
            String[] f = line.trim().split("\\s+");
            long[] v = new long[8];
            for (int i = 0; i < 8; i++) v[i] = Long.parseLong(f[i + 1]);
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void progress(String s) {
        System.out.println("[" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + "] " + s);
    }

    // ------------------------------------------------------------------ report

    private static String environment() {
        StringBuilder s = new StringBuilder();
        s.append("machine: ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs, kernel ")
                .append(System.getProperty("os.version"))
                .append(", ")
                .append(osRelease())
                .append(", JDK ")
                .append(Runtime.version())
                .append(", load ")
                .append(loadAverage())
                .append('\n');
        s.append("peers: ")
                .append(
                        Peers.netavarkPresent()
                                ? firstLine(Peers.NETAVARK.toString(), "--version")
                                : "netavark missing")
                .append(" (NETAVARK_FW=iptables; ")
                .append(firstLine("iptables", "--version"))
                .append("), CNI plugins ")
                .append(dpkgVersion("containernetworking-plugins"))
                .append('\n');
        return s.toString();
    }

    private static String osRelease() {
        try {
            for (String l : Files.readAllLines(Path.of("/etc/os-release")))
                if (l.startsWith("PRETTY_NAME=")) return l.substring(12).replace("\"", "");
        } catch (IOException ignored) {
            // unknown
        }
        return "?";
    }

    private static String firstLine(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            return out.lines().findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    private static String dpkgVersion(String pkg) {
        return firstLine("dpkg-query", "-W", "-f=${Version}", pkg);
    }

    private String report() {
        StringBuilder s = new StringBuilder();
        s.append("Per-operation wall time (ms), taken around each single call. Berth: ")
                .append(opt.rounds)
                .append(" rounds of endpoints 1..N, pooled; peers: ")
                .append(opt.peerRounds)
                .append(" rounds, each cut short by a\n")
                .append(opt.peerBudgetSeconds)
                .append(" s budget (their N shows where), warmed on ")
                .append(Math.max(3, opt.warmup / 3))
                .append(" calls of each first. Windows are p50 of endpoints 1-10 (#1), 91-110 (#100) and\n")
                .append(
                        "N-19..N (#1000 when N = 1000). cpu/op: CPU time per operation (Berth: the whole JVM, JIT and GC included;\n")
                .append("peers: the peer process and its children).\n\n");
        s.append(String.format(
                Locale.ROOT,
                "%-38s %5s %8s %8s %8s %8s %8s %-9s %7s %7s%n",
                "case",
                "N",
                "p50",
                "p99",
                "#1",
                "#100",
                "#last",
                "(window)",
                "last/#1",
                "cpu/op"));
        for (Case c : cases.values()) {
            s.append(String.format(
                    Locale.ROOT,
                    "%-38s %5d %8s %8s %8s %8s %8s %-9s %7s %7s%n",
                    c.label,
                    c.n(),
                    ms(c.p50()),
                    ms(c.p99()),
                    ms(c.w1()),
                    ms(c.w100()),
                    ms(c.wLast()),
                    c.lastFrom() + "-" + c.n(),
                    ratio(c.wLast() / c.w1()),
                    ms(c.cpuPerOpMs())));
        }
        s.append("\nGoals (issue): p50 connect >= ")
                .append((int) GOAL_SPEEDUP)
                .append("x faster than each peer, with and without a port;")
                .append(" endpoint #1000 within ")
                .append(GOAL_FLAT)
                .append("x of #1.\n")
                .append(
                        "Speed-ups compare p50 over the same endpoints 1..n, n = the peer's N (the peers slow down as they grow).\n");
        goal(s, "netavark setup / berth connect (no port)", "nv0", "berth");
        goal(s, "CNI bridge ADD / berth connect (no port)", "cni0", "berth");
        goal(s, "netavark setup 1 port / berth connect 1 port", "nv1", "berth-port");
        goal(s, "CNI bridge+portmap / berth connect 1 port", "cni1", "berth-port");
        for (String k : List.of("berth", "berth-port", "berth-pub1000")) {
            Case c = cases.get(k);
            if (c == null) continue;
            double f = c.wLast() / c.w1();
            s.append(String.format(
                    Locale.ROOT,
                    "  %-58s %7s  %s%n",
                    "flat: " + c.label + " #" + c.n() + "/#1",
                    ratio(f),
                    f <= GOAL_FLAT ? "PASS" : "FAIL"));
        }
        Case sp = cases.get("spawn");
        if (sp != null) {
            s.append(String.format(
                    Locale.ROOT,
                    "Net of the harness (peer p50 minus %s x the spawn floor p50 %s ms: what the peer itself takes):%n",
                    "1 or 2",
                    ms(sp.p50())));
            goalNet(s, "netavark setup / berth connect (no port)", "nv0", "berth", 1);
            goalNet(s, "CNI bridge ADD / berth connect (no port)", "cni0", "berth", 1);
            goalNet(s, "netavark setup 1 port / berth connect 1 port", "nv1", "berth-port", 1);
            goalNet(s, "CNI bridge+portmap / berth connect 1 port", "cni1", "berth-port", 2);
        }
        Case fl = cases.get("floor");
        if (fl != null)
            s.append(String.format(
                    Locale.ROOT,
                    "  %-58s %7s  (the kernel's own growth, for reference)%n",
                    "flat: kernel floor #" + fl.n() + "/#1",
                    ratio(fl.wLast() / fl.w1())));
        s.append("\nFor information:\n");
        info(s, "netavark setup / berth connect, endpoints 1-10", "nv0", "berth", 1, 10);
        info(s, "CNI bridge ADD / berth connect, endpoints 1-10", "cni0", "berth", 1, 10);
        info(s, "netavark 1 port / berth 1 port, endpoints 1-10", "nv1", "berth-port", 1, 10);
        info(s, "CNI bridge+portmap / berth 1 port, endpoints 1-10", "cni1", "berth-port", 1, 10);
        info(s, "netavark setup / berth attach to an existing netns", "nv0", "berth-attach", 1, 0);
        info(s, "CNI bridge ADD / berth attach to an existing netns", "cni0", "berth-attach", 1, 0);
        info(s, "netavark 1 port / berth 1 port with 1000 published", "nv1", "berth-pub1000", 1, 0);
        info(s, "CNI bridge+portmap / berth 1 port with 1000 published", "cni1", "berth-pub1000", 1, 0);
        info(s, "berth connect / kernel floor", "berth", "floor", 1, 0);
        info(s, "berth connect, state on tmpfs / kernel floor", "berth-tmpfs", "floor", 1, 0);
        info(s, "berth connect / berth connect, anti-spoofing off", "berth", "berth-nospoof", 1, 0);
        info(s, "berth attach / kernel floor", "berth-attach", "floor", 1, 0);
        s.append(
                        "  anchors from /work/shared/anchors/podman (another time, same kind of VM; date +%s%N around each call, which adds\n")
                .append(
                        "  1-2 ms of fork/exec/nsenter): netavark setup 25.4 ms, with 1 port 48.6; CNI bridge ADD 31.6, with portmap ~81;\n")
                .append("  in-process floor ~1.6.\n");
        anchorsBeside(s);

        s.append(
                        "\nWhere Berth's time goes (per step, from the engine's transaction points; a step runs until the next point;\n")
                .append("all rounds pooled):\n");
        for (Case c : cases.values()) {
            Map<String, List<Latencies>> steps = c.pooledSteps();
            if (steps.isEmpty()) continue;
            double total = 0;
            for (List<Latencies> l : steps.values()) for (Latencies x : l) total += x.sum();
            s.append("  ")
                    .append(c.label)
                    .append(String.format(Locale.ROOT, "  (mean total %s ms)%n", ms(Latencies.meanMs(c.rounds))));
            s.append(String.format(
                    Locale.ROOT,
                    "    %-24s %8s %8s %8s %7s %8s %9s%n",
                    "step",
                    "p50 ms",
                    "mean ms",
                    "p99 ms",
                    "share",
                    "#1 p50",
                    "#last p50"));
            for (var e : steps.entrySet()) {
                List<Latencies> l = e.getValue();
                int n = l.stream().mapToInt(Latencies::size).min().orElse(0);
                long sum = 0;
                for (Latencies x : l) sum += x.sum();
                s.append(String.format(
                        Locale.ROOT,
                        "    %-24s %8s %8s %8s %6.1f%% %8s %9s%n",
                        e.getKey(),
                        ms3(Latencies.percentileMs(l, 1, n, 50)),
                        ms3(Latencies.meanMs(l)),
                        ms3(Latencies.percentileMs(l, 1, n, 99)),
                        100.0 * sum / total,
                        ms3(Latencies.percentileMs(l, 1, 10, 50)),
                        ms3(Latencies.percentileMs(l, Math.max(1, n - 19), n, 50))));
            }
        }

        s.append("\nCases:\n");
        for (Case c : cases.values()) {
            s.append("  ").append(c.label).append(": ").append(c.note).append('\n');
            if (c.rounds.size() > 1)
                s.append("    p50 per round: ").append(c.roundP50s()).append('\n');
            for (String cond : c.conditions) s.append("    (").append(cond).append(")\n");
        }
        for (String n : notes) s.append("  note: ").append(n).append('\n');
        s.append("  Berth: JIT warmed on ")
                .append(opt.warmup)
                .append(" untimed sandboxes first; every round of every case has its own lab host\n")
                .append(
                        "  namespace and a fresh engine (state in a temp dir on this VM's ext4, durableState=false, nftables firewall),\n")
                .append(
                        "  network \"net\" = 10.88.0.0/16. Berth's connect includes creating the sandbox's namespace; the peers' timings do\n")
                .append("  not (it is made before, untimed, as podman does before calling netavark or CNI).\n")
                .append(
                        "  Namespaces are unmounted after each case but their files and the state directories are deleted only at the end:\n")
                .append(
                        "  this VM's root (/run, /tmp) is ext4 without a journal, where creating a file skips every inode deleted in the last\n")
                .append(
                        "  minutes, so deleting thousands of files would slow the next case's namespace and state-file creation.\n");
        return s.toString();
    }

    private void goal(StringBuilder s, String what, String peer, String berth) {
        Case p = cases.get(peer), b = cases.get(berth);
        if (p == null || b == null) return;
        int n = Math.min(p.n(), b.n());
        double pv = p.pct(1, n, 50), bv = b.pct(1, n, 50), r = pv / bv;
        s.append(String.format(
                Locale.ROOT,
                "  %-58s %7s  %s  (%s / %s ms, endpoints 1-%d)%n",
                "p50 " + what,
                ratio(r),
                r >= GOAL_SPEEDUP ? "PASS" : "FAIL",
                ms(pv),
                ms(bv),
                n));
    }

    /** Like {@link #goal} with the peer's p50 less {@code spawns} times the spawn floor's p50. */
    private void goalNet(StringBuilder s, String what, String peer, String berth, int spawns) {
        Case p = cases.get(peer), b = cases.get(berth), sp = cases.get("spawn");
        if (p == null || b == null || sp == null) return;
        int n = Math.min(p.n(), b.n());
        double pv = p.pct(1, n, 50) - spawns * sp.p50(), bv = b.pct(1, n, 50), r = pv / bv;
        s.append(String.format(
                Locale.ROOT,
                "  %-58s %7s  %s  (%s / %s ms, endpoints 1-%d)%n",
                "p50 net " + what,
                ratio(r),
                r >= GOAL_SPEEDUP ? "PASS" : "FAIL",
                ms(pv),
                ms(bv),
                n));
    }

    /** A ratio of p50s over endpoints from..to ({@code to} 0: 1..the smaller N). */
    private void info(StringBuilder s, String what, String a, String b, int from, int to) {
        Case x = cases.get(a), y = cases.get(b);
        if (x == null || y == null) return;
        int hi = to > 0 ? to : Math.min(x.n(), y.n());
        double xv = x.pct(from, hi, 50), yv = y.pct(from, hi, 50);
        s.append(String.format(
                Locale.ROOT,
                "  %-58s %7s  (%s / %s ms, endpoints %d-%d)%n",
                "p50 " + what,
                ratio(xv / yv),
                ms(xv),
                ms(yv),
                from,
                hi));
    }

    /** This run's peer p50s beside the anchors' (same operations, measured another day on the same kind of VM). */
    private void anchorsBeside(StringBuilder s) {
        double[][] anchors = {{25.4}, {48.6}, {31.6}, {81.1}};
        String[] keys = {"nv0", "nv1", "cni0", "cni1"};
        String[] what = {"netavark setup", "netavark setup, 1 port", "CNI bridge ADD", "CNI bridge+portmap ADD"};
        Case sp = cases.get("spawn");
        s.append(String.format(
                Locale.ROOT, "  %-28s %10s %10s %14s%n", "peer p50 (ms)", "anchor", "this run", "this run, net"));
        for (int i = 0; i < keys.length; i++) {
            Case c = cases.get(keys[i]);
            if (c == null) continue;
            double net = sp == null ? Double.NaN : c.p50() - (keys[i].equals("cni1") ? 2 : 1) * sp.p50();
            s.append(String.format(
                    Locale.ROOT, "  %-28s %10s %10s %14s%n", what[i], ms(anchors[i][0]), ms(c.p50()), ms(net)));
        }
    }

    static String ms(double v) {
        if (Double.isNaN(v)) return "-";
        return String.format(Locale.ROOT, v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f", v);
    }

    private static String ms3(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String ratio(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(Locale.ROOT, "%.2fx", v);
    }
}
