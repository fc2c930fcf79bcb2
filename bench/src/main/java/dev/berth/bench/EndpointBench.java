package dev.berth.bench;

import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.model.net.IpPrefix;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.Link;
import dev.berth.netlink.route.LinkType;
import dev.berth.netlink.route.NewLink;
import dev.berth.netlink.route.Rtnl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * How long it takes to create container endpoints, three ways, in one run:
 *
 * <ul>
 *   <li>{@code berth}: Berth's netlink layer in this process. One route socket in the lab host
 *       namespace for the whole run; per endpoint: {@link Netns#create}, one RTM_NEWLINK for the veth
 *       (peer made directly in the container as eth0, host end enslaved to br0 and up), then a socket in
 *       the container, one lookup of eth0's index and one datagram with lo up, the address, eth0 up and
 *       the default route.</li>
 *   <li>{@code ip-batch}: iproute2 at its cheapest: {@code ip -batch} for every netns add, {@code ip -n
 *       HOST -batch} for every veth, then one {@code ip -n C -batch} per container (N+2 processes).</li>
 *   <li>{@code ip-per-step}: one {@code ip} process per step (6 per endpoint).</li>
 * </ul>
 *
 * An endpoint: a named namespace {@code blab-<run>-c<mode><i>}, veth {@code v<mode><i>} in the lab host
 * namespace (port of br0, 10.88.0.1/16) whose peer is {@code eth0} in the container, lo and eth0 up,
 * 10.88.X.Y/16 on eth0 and a default route via 10.88.0.1. Only creation is timed. Every run is checked
 * with iproute2 (first and last endpoint's address, links and route, a ping from the last one to the
 * bridge, and the bridge's port count), then torn down, and the machine is left to go quiet before the
 * next run. Everything lives in the lab's namespaces; the lab deletes them all even when a run fails.
 *
 * <p>Usage: {@code EndpointBench [N ...] [--modes=berth,ip-batch,ip-per-step] [--reps=K] [--warmup=W]
 * [--launcher=sh|java] [--berth-thread=worker|caller] [--berth-order=endpoint|staged] [--quiet-bridge]
 * [--results=DIR]}
 *
 * <p>Each endpoint's eth0 starts IPv6 (MLD reports, DAD, router solicitations); br0 has no multicast
 * querier, so it floods every such packet to every port, and at N=1000 the kernel spends more time
 * delivering those floods into the containers than creating endpoints. The report shows that softirq
 * time. {@code --quiet-bridge} drops IPv6 multicast where it enters br0 (an nftables bridge rule in the
 * lab host namespace) so that only endpoint creation is measured.
 */
public final class EndpointBench {
    enum Mode {
        BERTH("berth", 'b'),
        IP_BATCH("ip-batch", 'i'),
        IP_PER_STEP("ip-per-step", 'p');

        final String label;
        final char tag;

        Mode(String label, char tag) {
            this.label = label;
            this.tag = tag;
        }

        static Mode of(String label) {
            for (Mode m : values()) if (m.label.equals(label)) return m;
            throw new IllegalArgumentException("unknown mode '" + label + "': use berth, ip-batch or ip-per-step");
        }
    }

    /** How the iproute2 modes start their processes: from one bash script (the floor) or from Java's ProcessBuilder. */
    enum Launcher {
        SH,
        JAVA
    }

    /**
     * Which thread runs the berth mode's loop. {@code worker}: one of the library's namespace threads
     * (one {@link Netns#call}), so that Netns.create and Netns.rtnl, nested there, run inline; {@code
     * caller}: the main thread, so that each of them hands its work to a namespace thread and waits.
     */
    enum BerthThread {
        WORKER,
        CALLER
    }

    record Options(
            List<Integer> sizes,
            List<Mode> modes,
            Integer reps,
            int warmup,
            Launcher launcher,
            BerthThread berthThread,
            boolean berthStaged,
            boolean quietBridge,
            Path resultsDir) {
        static Options parse(String[] args) {
            List<Integer> sizes = new ArrayList<>();
            List<Mode> modes = List.of(Mode.values());
            Integer reps = null;
            int warmup = 50;
            Launcher launcher = Launcher.SH;
            BerthThread berthThread = BerthThread.WORKER;
            boolean staged = false;
            boolean quietBridge = false;
            Path results = Path.of("bench", "results");
            for (String a : args) {
                if (a.startsWith("--modes=")) {
                    modes = Arrays.stream(a.substring(8).split(","))
                            .map(Mode::of)
                            .toList();
                } else if (a.startsWith("--reps=")) {
                    reps = positive(a.substring(7), "--reps");
                } else if (a.startsWith("--warmup=")) {
                    warmup = Integer.parseInt(a.substring(9));
                } else if (a.startsWith("--launcher=")) {
                    launcher = Launcher.valueOf(a.substring(11).toUpperCase(Locale.ROOT));
                } else if (a.startsWith("--berth-thread=")) {
                    berthThread = BerthThread.valueOf(a.substring(15).toUpperCase(Locale.ROOT));
                } else if (a.startsWith("--berth-order=")) {
                    staged = switch (a.substring(14)) {
                        case "endpoint" -> false;
                        case "staged" -> true;
                        default -> throw new IllegalArgumentException("--berth-order is endpoint or staged");
                    };
                } else if (a.equals("--quiet-bridge")) {
                    quietBridge = true;
                } else if (a.startsWith("--results=")) {
                    results = Path.of(a.substring(10));
                } else if (a.startsWith("-")) {
                    throw new IllegalArgumentException("unknown option " + a);
                } else {
                    for (String n : a.split(",")) sizes.add(positive(n, "N"));
                }
            }
            if (sizes.isEmpty()) sizes = List.of(1, 100, 1000);
            for (int n : sizes)
                if (n > 60000)
                    throw new IllegalArgumentException("N " + n + " is too large: addresses come from 10.88.0.0/16");
            return new Options(sizes, modes, reps, warmup, launcher, berthThread, staged, quietBridge, results);
        }

        private static int positive(String s, String what) {
            int v = Integer.parseInt(s.trim());
            if (v < 1) throw new IllegalArgumentException(what + " must be at least 1, not " + v);
            return v;
        }

        /** Runs per (mode, N): several for small N, where one run is a few milliseconds. */
        int repsFor(int n) {
            if (reps != null) return reps;
            return n <= 10 ? 15 : n <= 100 ? 5 : 3;
        }
    }

    /** One timed run: total nanoseconds and the parts it splits into. */
    record Run(Mode mode, int n, long nanos, Map<String, Long> phases, long softirqMillis) {
        double microsPerEndpoint() {
            return nanos / 1e3 / n;
        }
    }

    private static final String GATEWAY = "10.88.0.1";
    private static final int PREFIX_LENGTH = 16;
    private static final Duration IP_RUN_LIMIT = Duration.ofMinutes(30);

    private final Lab lab;
    private final Options options;
    private final String nsPrefix;
    private final InetAddress gateway = IpPrefix.literal(GATEWAY, GATEWAY);
    /** Container namespaces that may exist: added before each is created, removed once deleted. */
    private final Set<String> live = new LinkedHashSet<>();

    private final List<String> notes = new ArrayList<>();
    private LabHost host;
    private NetnsHandle hostNs;
    private Rtnl hostRtnl;
    private int bridgeIndex;
    /** The iproute2 mode's process (bash script or ip) running now, so that an interrupted run can stop it. */
    private volatile Process child;

    private EndpointBench(Lab lab, Options options) {
        this.lab = lab;
        this.options = options;
        this.nsPrefix = Lab.PREFIX + lab.runId() + "-";
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("EndpointBench: " + e.getMessage());
            System.err.println(
                    "usage: EndpointBench [N ...] [--modes=berth,ip-batch,ip-per-step] [--reps=K] [--warmup=W] "
                            + "[--launcher=sh|java] [--berth-thread=worker|caller] "
                            + "[--berth-order=endpoint|staged] [--quiet-bridge] [--results=DIR]");
            System.exit(2);
            return;
        }
        List<Run> runs;
        String environment;
        List<String> notes;
        try (Lab lab = Lab.create()) {
            // Ctrl-C skips try-with-resources; the hook still deletes the lab's namespaces.
            EndpointBench bench = new EndpointBench(lab, options);
            Thread hook = Thread.ofPlatform().unstarted(() -> {
                bench.stopChild();
                closeQuietly(lab);
            });
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                environment = environment(options);
                System.out.println(environment);
                runs = bench.runAll();
                notes = bench.notes;
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running already
                }
            }
        }
        String report = environment + "\n" + report(options, runs, notes);
        System.out.println();
        System.out.print(report);
        Files.createDirectories(options.resultsDir());
        Path out = options.resultsDir()
                .resolve("endpoints-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                        + ".txt");
        Files.writeString(out, report);
        System.out.println("written to " + out);
    }

    // ---- the run ----

    private List<Run> runAll() {
        host = lab.host("host");
        host.ip("link", "add", "br0", "type", "bridge", "stp_state", "0");
        host.ip("addr", "add", GATEWAY + "/" + PREFIX_LENGTH, "dev", "br0");
        host.ip("link", "set", "br0", "up");
        if (options.quietBridge()) {
            // Only inside the lab host namespace: IPv6 multicast from the containers stops at br0's ports.
            Commands.run(
                            List.of("ip", "netns", "exec", host.name(), "nft", "-f", "-"),
                            Commands.DEFAULT_TIMEOUT,
                            "table bridge blab_quiet {\n"
                                    + "  chain pre { type filter hook prerouting priority 0; policy accept; ether type ip6 meta pkttype multicast drop; }\n"
                                    + "}\n")
                    .check();
        }
        List<Run> runs = new ArrayList<>();
        try (NetnsHandle hns = Netns.open(host.name());
                Rtnl rt = Netns.rtnl(hns)) {
            hostNs = hns;
            hostRtnl = rt;
            bridgeIndex = rt.links().get("br0").index();
            try {
                if (options.warmup() > 0) {
                    for (Mode m : options.modes()) {
                        progress("warm-up: " + m.label + " x" + options.warmup());
                        run(m, options.warmup());
                        verify(m, options.warmup());
                        teardown();
                    }
                }
                for (int n : options.sizes()) {
                    int reps = options.repsFor(n);
                    for (int rep = 1; rep <= reps; rep++) {
                        for (Mode m : options.modes()) {
                            Run r = run(m, n);
                            verify(m, n);
                            progress(String.format(
                                    Locale.ROOT,
                                    "%-11s N=%-5d run %d/%d: %8.0f us/endpoint%s",
                                    m.label,
                                    n,
                                    rep,
                                    reps,
                                    r.microsPerEndpoint(),
                                    phasesText(r)));
                            runs.add(r);
                            teardown();
                        }
                    }
                }
            } finally {
                try {
                    deleteContainers(); // after a failure; the lab's close deletes whatever this misses
                } catch (RuntimeException e) {
                    System.err.println("EndpointBench: " + e.getMessage() + " (the lab deletes them when it closes)");
                }
            }
        }
        return runs;
    }

    private Run run(Mode mode, int n) {
        long softirq = cpuTimes()[2];
        Run r = switch (mode) {
            case BERTH -> runBerth(n);
            case IP_BATCH, IP_PER_STEP -> runIp(mode, n);
        };
        return new Run(r.mode(), r.n(), r.nanos(), r.phases(), (cpuTimes()[2] - softirq) * 10);
    }

    private String container(Mode mode, int i) {
        return nsPrefix + "c" + mode.tag + i;
    }

    private static String hostVeth(Mode mode, int i) {
        return "v" + mode.tag + i;
    }

    /** 10.88.X.Y for endpoint {@code i}: .0.1 is the bridge, endpoints start at .0.2. */
    private static String address(int i) {
        int h = i + 2;
        return "10.88." + (h >> 8) + "." + (h & 0xff);
    }

    private static final String[] BERTH_PHASES = {
        "netns create + socket", "veth create (echo gives eth0's index)", "-", "-", "config batch", "close"
    };

    private Run runBerth(int n) {
        // Like the iproute2 modes' batch files, the addresses are ready before the clock starts.
        IpPrefix[] addresses = new IpPrefix[n];
        for (int i = 0; i < n; i++) addresses[i] = IpPrefix.parse(address(i) + "/" + PREFIX_LENGTH);
        if (options.berthThread() == BerthThread.CALLER) return berthLoop(n, addresses);
        // One hand-off for the whole run (timed too); inside, Netns.create and Netns.rtnl run on this same thread.
        long start = System.nanoTime();
        Run r = Netns.call(hostNs, () -> berthLoop(n, addresses));
        return new Run(r.mode(), n, System.nanoTime() - start, r.phases(), 0);
    }

    private Run berthLoop(int n, IpPrefix[] addresses) {
        if (options.berthStaged()) return berthStaged(n, addresses);
        long[] phase = new long[BERTH_PHASES.length];
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            String name = container(Mode.BERTH, i);
            live.add(name);
            long t0 = System.nanoTime();
            long t5;
            // One trip creates the namespace with a socket inside; the veth create's echo names eth0's index.
            Netns.Created c = Netns.createWithRtnl(name);
            try (NetnsHandle ns = c.handle();
                    Rtnl crt = c.rtnl()) {
                long t1 = System.nanoTime();
                Link veth = hostRtnl.links()
                        .create(NewLink.of(hostVeth(Mode.BERTH, i), new LinkType.Veth("eth0").inNetns(ns.fd()))
                                .withMaster(bridgeIndex)
                                .withUp());
                long t2 = System.nanoTime();
                crt.socket().requestAll(EndpointMessages.containerConfig(veth.linkIndex(), addresses[i], gateway));
                t5 = System.nanoTime();
                phase[0] += t1 - t0;
                phase[1] += t2 - t1;
                phase[4] += t5 - t2;
            }
            phase[5] += System.nanoTime() - t5;
        }
        long total = System.nanoTime() - start;
        Map<String, Long> phases = new LinkedHashMap<>();
        for (int p = 0; p < phase.length; p++) phases.put(BERTH_PHASES[p], phase[p]);
        return new Run(Mode.BERTH, n, total, phases, 0);
    }

    /**
     * Diagnostic order (--berth-order=staged): every namespace, then every veth, then every container's
     * configuration, the order ip-batch works in, to tell the cost of each step from the cost of
     * interleaving them.
     */
    private Run berthStaged(int n, IpPrefix[] addresses) {
        var hostSocket = hostRtnl.socket();
        NetnsHandle[] handles = new NetnsHandle[n];
        long[] mark = new long[4];
        try {
            mark[0] = System.nanoTime();
            for (int i = 0; i < n; i++) {
                String name = container(Mode.BERTH, i);
                live.add(name);
                handles[i] = Netns.create(name);
            }
            mark[1] = System.nanoTime();
            for (int i = 0; i < n; i++)
                hostSocket.request(
                        EndpointMessages.vethIntoContainer(hostVeth(Mode.BERTH, i), handles[i].fd(), bridgeIndex),
                        "create veth for " + handles[i]);
            mark[2] = System.nanoTime();
            for (int i = 0; i < n; i++) {
                try (Rtnl crt = Netns.rtnl(handles[i])) {
                    Link eth0 = crt.links().get("eth0");
                    crt.socket().requestAll(EndpointMessages.containerConfig(eth0.index(), addresses[i], gateway));
                }
                handles[i].close();
            }
            mark[3] = System.nanoTime();
        } finally {
            for (NetnsHandle h : handles) if (h != null) h.close();
        }
        Map<String, Long> phases = new LinkedHashMap<>();
        phases.put("all netns create", mark[1] - mark[0]);
        phases.put("all veth create", mark[2] - mark[1]);
        phases.put("all config (socket, get, batch, close)", mark[3] - mark[2]);
        return new Run(Mode.BERTH, n, mark[3] - mark[0], phases, 0);
    }

    /** A group of processes timed together. */
    private record Stage(String label, List<List<String>> commands) {}

    private Run runIp(Mode mode, int n) {
        Path dir;
        try {
            dir = Files.createTempDirectory(nsPrefix + "bench-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            List<Stage> stages = mode == Mode.IP_BATCH ? batchStages(dir, n) : perStepStages(n);
            long[] stageNanos =
                    options.launcher() == Launcher.SH ? launchFromShell(dir, stages) : launchFromJava(dir, stages);
            Map<String, Long> phases = new LinkedHashMap<>();
            long total = 0;
            for (int s = 0; s < stages.size(); s++) {
                total += stageNanos[s];
                if (stages.size() > 1) phases.put(stages.get(s).label(), stageNanos[s]);
            }
            return new Run(mode, n, total, phases, 0);
        } finally {
            deleteTree(dir);
        }
    }

    private List<Stage> batchStages(Path dir, int n) {
        StringBuilder netns = new StringBuilder();
        StringBuilder veths = new StringBuilder();
        List<List<String>> configs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String c = container(Mode.IP_BATCH, i);
            live.add(c);
            netns.append("netns add ").append(c).append('\n');
            veths.append("link add ")
                    .append(hostVeth(Mode.IP_BATCH, i))
                    .append(" master br0 up type veth peer name eth0 netns ")
                    .append(c)
                    .append('\n');
            Path f = write(
                    dir,
                    "c" + i + ".batch",
                    "link set lo up\n"
                            + "addr add " + address(i) + "/" + PREFIX_LENGTH + " dev eth0\n"
                            + "link set eth0 up\n"
                            + "route add default via " + GATEWAY + "\n");
            configs.add(List.of("ip", "-n", c, "-batch", f.toString()));
        }
        Path nsFile = write(dir, "netns.batch", netns.toString());
        Path vethFile = write(dir, "veth.batch", veths.toString());
        return List.of(
                new Stage("netns add (1 ip -batch)", List.of(List.of("ip", "-batch", nsFile.toString()))),
                new Stage(
                        "veth create (1 ip -n HOST -batch)",
                        List.of(List.of("ip", "-n", host.name(), "-batch", vethFile.toString()))),
                new Stage("config (N ip -n C -batch)", configs));
    }

    private List<Stage> perStepStages(int n) {
        List<List<String>> commands = new ArrayList<>(6 * n);
        for (int i = 0; i < n; i++) {
            String c = container(Mode.IP_PER_STEP, i);
            live.add(c);
            commands.add(List.of("ip", "netns", "add", c));
            commands.add(List.of(
                    "ip",
                    "-n",
                    host.name(),
                    "link",
                    "add",
                    hostVeth(Mode.IP_PER_STEP, i),
                    "master",
                    "br0",
                    "up",
                    "type",
                    "veth",
                    "peer",
                    "name",
                    "eth0",
                    "netns",
                    c));
            commands.add(List.of("ip", "-n", c, "link", "set", "lo", "up"));
            commands.add(List.of("ip", "-n", c, "addr", "add", address(i) + "/" + PREFIX_LENGTH, "dev", "eth0"));
            commands.add(List.of("ip", "-n", c, "link", "set", "eth0", "up"));
            commands.add(List.of("ip", "-n", c, "route", "add", "default", "via", GATEWAY));
        }
        return List.of(new Stage("all", commands));
    }

    /**
     * Runs the stages from one bash script (fork+exec from a small process: iproute2's floor) that
     * reads the clock between stages; bash's own start-up is outside the timed part.
     */
    private long[] launchFromShell(Path dir, List<Stage> stages) {
        StringBuilder script = new StringBuilder("set -e\nm0=$EPOCHREALTIME\n");
        for (int s = 0; s < stages.size(); s++) {
            for (List<String> c : stages.get(s).commands()) {
                script.append(c.stream().map(EndpointBench::shellQuote).collect(Collectors.joining(" ")))
                        .append('\n');
            }
            script.append("m").append(s + 1).append("=$EPOCHREALTIME\n");
        }
        script.append("echo marks");
        for (int s = 0; s <= stages.size(); s++) script.append(" $m").append(s);
        script.append('\n');
        Path file = write(dir, "run.sh", script.toString());
        List<String> command = List.of("bash", file.toString());
        String stdout = runChild(command, dir);
        String marks = stdout.lines()
                .filter(l -> l.startsWith("marks "))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException("bash printed no timings: " + stdout));
        String[] f = marks.split(" ");
        long[] out = new long[stages.size()];
        for (int s = 0; s < stages.size(); s++) out[s] = (micros(f[s + 2]) - micros(f[s + 1])) * 1000;
        return out;
    }

    /** $EPOCHREALTIME (seconds with six decimals; the separator follows the locale) in microseconds. */
    private static long micros(String epochRealtime) {
        return Long.parseLong(epochRealtime.replace(".", "").replace(",", ""));
    }

    /** Runs the stages with one ProcessBuilder per command, as a Java engine that shells out would. */
    private long[] launchFromJava(Path dir, List<Stage> stages) {
        long[] out = new long[stages.size()];
        for (int s = 0; s < stages.size(); s++) {
            long t = System.nanoTime();
            for (List<String> c : stages.get(s).commands()) runChild(c, dir);
            out[s] = System.nanoTime() - t;
        }
        return out;
    }

    /** Runs one process to completion (output to files in {@code dir}); throws with its stderr when it fails. */
    private String runChild(List<String> command, Path dir) {
        Path out = dir.resolve("stdout.txt"), err = dir.resolve("stderr.txt");
        try {
            Process p = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            child = p;
            try {
                if (!p.waitFor(IP_RUN_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(
                            String.join(" ", command) + " did not finish within " + IP_RUN_LIMIT);
                }
            } finally {
                child = null;
            }
            if (p.exitValue() != 0)
                throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": "
                        + Files.readString(err).strip());
            return Files.readString(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Stops the running iproute2 process (by its own PID), so that it creates nothing more once the lab is closing. */
    private void stopChild() {
        Process p = child;
        if (p == null) return;
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- checking and tearing down ----

    /** Checks, with iproute2 rather than Berth, that endpoints 0 and n-1 are complete and that br0 has n ports. */
    private void verify(Mode mode, int n) {
        for (int i : n == 1 ? new int[] {0} : new int[] {0, n - 1}) {
            String c = container(mode, i);
            String addr = ip("-n", c, "-j", "addr", "show", "dev", "eth0");
            expect(
                    addr.contains("\"local\":\"" + address(i) + "\",\"prefixlen\":" + PREFIX_LENGTH),
                    c + " eth0 has no " + address(i),
                    addr);
            for (String dev : List.of("lo", "eth0")) {
                String link = ip("-n", c, "-j", "link", "show", "dev", dev);
                expect(link.matches("(?s).*\"flags\":\\[[^]]*\"UP\".*"), c + " " + dev + " is not up", link);
            }
            String route = ip("-n", c, "-j", "route", "show", "default");
            expect(
                    route.contains("\"gateway\":\"" + GATEWAY + "\"") && route.contains("\"dev\":\"eth0\""),
                    c + " has no default route via " + GATEWAY + " dev eth0",
                    route);
        }
        String last = container(mode, n - 1);
        ExecResult ping =
                Commands.run(List.of("ip", "netns", "exec", last, "ping", "-n", "-q", "-c", "1", "-W", "2", GATEWAY));
        expect(ping.ok(), last + " cannot ping the bridge at " + GATEWAY, ping.stdout() + ping.stderr());
        String ports = ip("-n", host.name(), "-j", "link", "show", "master", "br0");
        int count = ports.split("\"ifname\":", -1).length - 1;
        expect(count == n, "br0 has " + count + " ports after " + mode.label + " made " + n, "");
    }

    private static String ip(String... args) {
        List<String> c = new ArrayList<>(List.of("ip"));
        c.addAll(List.of(args));
        return Commands.run(c).check().stdout();
    }

    private static void expect(boolean ok, String what, String output) {
        if (!ok)
            throw new IllegalStateException(
                    "verification failed: " + what + (output.isBlank() ? "" : "\n" + output.strip()));
    }

    /** Deletes every container namespace, waits for their veths to leave br0, then for the machine to go quiet. */
    private void teardown() {
        deleteContainers();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (bridgePorts() > 0) {
            if (System.nanoTime() > deadline)
                throw new IllegalStateException("br0 still has " + bridgePorts() + " ports 2 minutes after teardown");
            sleep(50);
        }
        waitQuiet();
    }

    private void deleteContainers() {
        List<String> failures = new ArrayList<>();
        for (String name : List.copyOf(live)) {
            try {
                if (Netns.exists(name)) Netns.delete(name);
                live.remove(name);
            } catch (RuntimeException e) {
                failures.add(name + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) throw new IllegalStateException("could not delete " + String.join("; ", failures));
    }

    private int bridgePorts() {
        int ports = 0;
        for (Link l : hostRtnl.links().list()) if (l.masterIndex() == bridgeIndex) ports++;
        return ports;
    }

    /**
     * Waits (up to 30 s) until the CPUs are at least 85% idle over two 250 ms windows in a row: the
     * kernel frees deleted namespaces in the background, and that work must not land in the next run.
     */
    private void waitQuiet() {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int quiet = 0;
        long[] before = cpuTimes();
        while (quiet < 2) {
            sleep(250);
            long[] after = cpuTimes();
            long idle = after[0] - before[0], total = after[1] - before[1];
            before = after;
            quiet = total > 0 && idle >= 0.85 * total ? quiet + 1 : 0;
            if (System.nanoTime() > deadline) {
                notes.add(
                        "the machine was still busy 30 s after a teardown (other load?); timings after it may be noisy");
                return;
            }
        }
    }

    /** Idle (idle + iowait), total and softirq time from /proc/stat, in USER_HZ ticks (1/100 s). */
    private static long[] cpuTimes() {
        try {
            String[] f =
                    Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) total += Long.parseLong(f[i]);
            return new long[] {Long.parseLong(f[4]) + Long.parseLong(f[5]), total, Long.parseLong(f[7])};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- report ----

    private static String environment(Options o) {
        String ipVersion = Commands.run(List.of("ip", "-V")).stdout().strip();
        String load;
        try {
            load = Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            load = "?";
        }
        return "Berth endpoint creation benchmark, "
                + LocalDateTime.now()
                        .format(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
                        .substring(0, 19)
                + "\nkernel " + System.getProperty("os.version") + ", " + ipVersion + ", JDK " + Runtime.version()
                + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs, load average at start " + load
                + "\nN " + o.sizes() + ", warm-up " + o.warmup()
                + " endpoints per mode, iproute2 processes launched from "
                + (o.launcher() == Launcher.SH
                        ? "one bash script (fork+exec; timed inside bash)"
                        : "Java's ProcessBuilder")
                + ", berth loop on "
                + (o.berthThread() == BerthThread.WORKER
                        ? "a namespace worker thread (Netns.create/rtnl run inline)"
                        : "the main thread (each Netns.create/rtnl hands off to a worker)")
                + (o.berthStaged() ? ", berth in staged order (all netns, all veths, all configs)" : "")
                + (o.quietBridge()
                        ? "\nbr0 drops IPv6 multicast from its ports (--quiet-bridge)"
                        : "\nbr0 floods the containers' IPv6 multicast (MLD, DAD, RS) to every port, as a bridge without a querier does");
    }

    static String report(Options o, List<Run> runs, List<String> notes) {
        StringBuilder s = new StringBuilder();
        s.append(
                "\nMicroseconds per endpoint (median of the runs; each run verified); a ratio above 1 means berth is faster\n\n");
        s.append(String.format(Locale.ROOT, "%6s %5s", "N", "runs"));
        for (Mode m : o.modes()) s.append(String.format(Locale.ROOT, " %12s", m.label));
        boolean ratios = o.modes().contains(Mode.BERTH);
        if (ratios)
            for (Mode m : o.modes())
                if (m != Mode.BERTH) s.append(String.format(Locale.ROOT, " %18s", m.label + "/berth"));
        s.append('\n');
        boolean beatsBatch = true, fiveTimesPerStep = true;
        for (int n : o.sizes()) {
            s.append(String.format(Locale.ROOT, "%6d %5d", n, o.repsFor(n)));
            Map<Mode, Double> med = new LinkedHashMap<>();
            for (Mode m : o.modes()) {
                double v = median(runs.stream()
                        .filter(r -> r.mode() == m && r.n() == n)
                        .mapToDouble(Run::microsPerEndpoint)
                        .toArray());
                med.put(m, v);
                s.append(String.format(Locale.ROOT, " %12.0f", v));
            }
            if (ratios) {
                for (Mode m : o.modes()) {
                    if (m == Mode.BERTH) continue;
                    double ratio = med.get(m) / med.get(Mode.BERTH);
                    s.append(String.format(Locale.ROOT, " %17.2fx", ratio));
                    if (m == Mode.IP_BATCH && ratio <= 1) beatsBatch = false;
                    if (m == Mode.IP_PER_STEP && ratio < 5) fiveTimesPerStep = false;
                }
            }
            s.append('\n');
        }
        if (ratios && o.modes().contains(Mode.IP_BATCH))
            s.append("\ngoal: berth faster than ip-batch at every N: ").append(beatsBatch ? "met" : "NOT met");
        if (ratios && o.modes().contains(Mode.IP_PER_STEP))
            s.append("\ngoal: berth at least 5x faster than ip-per-step at every N: ")
                    .append(fiveTimesPerStep ? "met" : "NOT met");
        s.append("\n\nWhere the time goes (microseconds per endpoint, median of the runs)\n");
        for (Mode m : o.modes()) {
            for (int n : o.sizes()) {
                List<Run> rs =
                        runs.stream().filter(r -> r.mode() == m && r.n() == n).toList();
                if (rs.isEmpty() || rs.getFirst().phases().isEmpty()) continue;
                s.append(String.format(Locale.ROOT, "%-11s N=%-5d", m.label, n));
                for (String p : rs.getFirst().phases().keySet()) {
                    double v = median(rs.stream()
                            .mapToDouble(r -> r.phases().get(p) / 1e3 / n)
                            .toArray());
                    s.append(String.format(Locale.ROOT, "  %s %.0f", p, v));
                }
                s.append('\n');
            }
        }
        s.append(
                "\nSoftirq CPU time (both CPUs) during the runs, % of their wall time; mostly multicast flooded through br0\n"
                        + "('-': under 2 s of runs, too short for /proc/stat's 10 ms ticks)\n\n");
        s.append(String.format(Locale.ROOT, "%6s", "N"));
        for (Mode m : o.modes()) s.append(String.format(Locale.ROOT, " %12s", m.label));
        s.append('\n');
        for (int n : o.sizes()) {
            s.append(String.format(Locale.ROOT, "%6d", n));
            for (Mode m : o.modes()) {
                List<Run> rs =
                        runs.stream().filter(r -> r.mode() == m && r.n() == n).toList();
                long nanos = rs.stream().mapToLong(Run::nanos).sum(),
                        softirq = rs.stream().mapToLong(Run::softirqMillis).sum();
                s.append(String.format(
                        Locale.ROOT,
                        " %12s",
                        nanos < 2_000_000_000L
                                ? "-"
                                : String.format(Locale.ROOT, "%.0f%%", 100.0 * softirq * 1e6 / nanos)));
            }
            s.append('\n');
        }
        s.append("\nEvery run (microseconds per endpoint)\n");
        for (Mode m : o.modes()) {
            for (int n : o.sizes()) {
                s.append(String.format(Locale.ROOT, "%-11s N=%-5d", m.label, n));
                for (Run r : runs)
                    if (r.mode() == m && r.n() == n)
                        s.append(String.format(Locale.ROOT, " %.0f", r.microsPerEndpoint()));
                s.append('\n');
            }
        }
        for (String note : new LinkedHashSet<>(notes)) s.append("\nnote: ").append(note);
        if (!notes.isEmpty()) s.append('\n');
        return s.toString();
    }

    private static String phasesText(Run r) {
        if (r.phases().isEmpty()) return "";
        return r.phases().entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue() / 1e3 / r.n()))
                .collect(Collectors.joining(", ", "  (", ")"));
    }

    static double median(double[] v) {
        if (v.length == 0) return Double.NaN;
        double[] s = v.clone();
        Arrays.sort(s);
        int h = s.length / 2;
        return s.length % 2 == 1 ? s[h] : (s[h - 1] + s[h]) / 2;
    }

    // ---- small helpers ----

    private static void closeQuietly(Lab lab) {
        try {
            lab.close();
        } catch (RuntimeException e) {
            System.err.println("EndpointBench: " + e.getMessage());
        }
    }

    private static void progress(String line) {
        System.out.println(line);
    }

    private static Path write(Path dir, String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a temporary file; the OS cleans /tmp
                }
            });
        } catch (IOException ignored) {
            // nothing to delete
        }
    }

    private static String shellQuote(String s) {
        return s.matches("[A-Za-z0-9_./:=,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
