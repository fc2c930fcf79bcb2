package dev.berth.bench.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.bench.engine.Latencies;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 4's API benchmark: berthd against Docker's own dockerd, each in its own lab namespace, driven
 * in one run by the same docker CLI and by raw Engine API requests on their Unix sockets, for network
 * create/rm, connect/disconnect of a running container and run -d/rm -f (median and p99 of N each,
 * after warm-up rounds; the two daemons take turns every iteration so drifting machine load hits both
 * alike), and the CLI start time of `docker network ls` and `berth network ls`. The clients (this
 * JVM's measuring thread and every CLI process it starts) run inside a third lab namespace that holds
 * only lo. Run it with scripts/bench-api.sh; options: --n N (50), --warmup N (5), --cli-n N (20),
 * --no-dockerd, --out DIR (bench/results), --docker PATH. berthd is started as users start it, through bin/berthd.
 */
public final class ApiBench {
    /** ctr task exec into ctr's own container (containerd's default spec: no seccomp), the issue's first floor. */
    private static final String EXEC_PLAIN = "ctr:exec true, ctr's plain container (no seccomp)";

    static final String API = "/v1.41"; // both speak it: dockerd 20.10's newest, within berthd's 1.24..1.50
    static final String BERTHD = "berthd", DOCKERD = "dockerd";

    record Options(int n, int warmup, int cliN, boolean dockerd, boolean ctr, Path out, Path root, String docker) {
        static Options parse(String[] args) {
            int n = 50, warmup = 5, cliN = 20;
            boolean dockerd = true, ctr = true;
            Path out = Path.of("bench/results"), root = Path.of("").toAbsolutePath();
            String docker = "/usr/local/bin/docker";
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--n" -> n = positive(a, args[++i]);
                    case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                    case "--cli-n" -> cliN = positive(a, args[++i]);
                    case "--no-dockerd" -> dockerd = false;
                    case "--no-ctr" -> ctr = false;
                    case "--out" -> out = Path.of(args[++i]);
                    case "--root" -> root = Path.of(args[++i]).toAbsolutePath();
                    case "--docker" -> docker = args[++i];
                    default ->
                        throw new IllegalArgumentException(
                                "unknown option '" + a
                                        + "'; allowed: --n N --warmup N --cli-n N --no-dockerd --no-ctr --out DIR --root DIR --docker PATH");
                }
            }
            return new Options(n, warmup, cliN, dockerd, ctr, out, root, docker);
        }

        private static int positive(String flag, String v) {
            int x = Integer.parseInt(v);
            if (x < 1) throw new IllegalArgumentException(flag + ": " + v + " is not a positive number");
            return x;
        }

        /** bin/berthd, the launcher users run (make build prepares it). */
        List<String> berthdLauncher() {
            Path bin = root.resolve("bin/berthd");
            if (!Files.isExecutable(bin))
                throw new IllegalArgumentException("no bin/berthd in " + root + ": run make build");
            return List.of(bin.toString());
        }

        Path berthCli() {
            Path bin = root.resolve("bin/berth");
            return Files.isExecutable(bin) ? bin : null;
        }
    }

    private final Options options;
    private final Results results = new Results();
    private final List<String> notes = new ArrayList<>();
    private final List<DockerdTarget> dockerds = new ArrayList<>();
    private CtrFloor ctr;
    /** Whether ctr's floor runs a container with berthd's spec (the exec row's floor). */
    private boolean berthSpec;

    private String stages = "";
    private final Map<String, long[]> rss = new LinkedHashMap<>();

    private ApiBench(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        if (!Files.isExecutable(Path.of(o.docker())))
            throw new IllegalArgumentException("--docker: " + o.docker() + " is not an executable docker CLI");
        new ApiBench(o).run();
    }

    private void run() throws Exception {
        String started = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
        String load0 = loadAverage();
        List<Target> targets = new ArrayList<>();
        String report;
        String runId;
        try (Lab lab = Lab.create()) {
            runId = lab.runId();
            LabHost client = lab.host("client");
            LabHost berthdHost = lab.host("berthd");
            LabHost dockerdHost = options.dockerd() ? lab.host("dockerd") : null;
            Thread hook = new Thread(
                    () -> { // Ctrl-C: stop the daemons by PID and drop the lab all the same
                        closeAll(targets);
                        lab.close();
                    });
            Runtime.getRuntime().addShutdownHook(hook);
            try (NetnsHandle ns = Netns.open(client.netnsPath())) {
                report = Netns.call(ns, () -> inClient(lab, client, berthdHost, dockerdHost, targets, started, load0));
            } finally {
                closeAll(targets);
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running already
                }
            }
        }
        for (DockerdTarget d : dockerds) if (!d.notes().isEmpty()) report += "\ndockerd clean-up: " + d.notes() + "\n";
        if (results.failures().isEmpty()) deleteLabLogs(runId); // the daemons' output, kept only when something failed
        System.out.print(report);
        Files.createDirectories(options.out());
        Path file = options.out()
                .resolve("api-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".txt");
        Files.writeString(file, report);
        System.out.println("written to " + file);
    }

    /** Everything that talks to the daemons, run on a thread inside the client namespace; returns the report. */
    private String inClient(
            Lab lab,
            LabHost client,
            LabHost berthdHost,
            LabHost dockerdHost,
            List<Target> targets,
            String started,
            String load0)
            throws IOException {
        try {
            checkInside(client);
            System.out.println("berth bench-api: lab " + lab.runId() + "; starting berthd"
                    + (dockerdHost != null ? " and dockerd" : "") + " ...");
            targets.add(BerthdTarget.start(lab, berthdHost, options.berthdLauncher()));
            if (dockerdHost != null) {
                DockerdTarget d =
                        DockerdTarget.start(lab, dockerdHost, options.root().resolve("scripts/bench-api-dockerd.sh"));
                targets.add(d);
                dockerds.add(d);
            }
            if (options.ctr()) ctr = CtrFloor.start(lab, lab.host("ctr"));
            for (Target t : targets) t.loadSeedImages(options.docker()); // the same busybox image for both
            for (Target t : targets) prepare(t);
            if (ctr != null)
                for (Target t : targets)
                    if (t instanceof BerthdTarget b) {
                        ctr.runBerthSpec(
                                b.dir().resolve("run/containerd/containerd.sock"),
                                id(new UnixHttp(b.socket()).get(API + "/containers/bench-base/json")));
                        berthSpec = true;
                    }
            measure(targets);
            memory(targets);
            leakCheck(lab, berthdHost);
            try {
                stages = StageBreakdown.measure(
                        lab, options.berthdLauncher(), options.docker(), Math.min(options.n(), 20));
            } catch (RuntimeException e) {
                stages = "\nstage breakdown FAILED: " + e.getMessage() + "\n";
            }
            return report(started, load0, targets);
        } finally {
            closeAll(targets);
            if (ctr != null) ctr.close();
        }
    }

    private static void deleteLabLogs(String runId) throws IOException {
        try (var s =
                Files.newDirectoryStream(Path.of(System.getProperty("java.io.tmpdir")), "blab-" + runId + "-*.log")) {
            for (Path p : s) Files.deleteIfExists(p);
        }
    }

    private static synchronized void closeAll(List<Target> targets) {
        for (Target t : List.copyOf(targets).reversed()) {
            try {
                t.close();
            } catch (RuntimeException e) {
                System.err.println("berth bench-api: closing " + t.name() + ": " + e.getMessage());
            }
            targets.remove(t);
        }
    }

    /** Every CLI process this thread starts must be born in the client namespace; make sure it is. */
    private static void checkInside(LabHost client) throws IOException {
        Object ino = Files.getAttribute(client.netnsPath(), "unix:ino");
        String seen = Cli.output(List.of("readlink", "/proc/self/ns/net")).strip();
        if (!seen.equals("net:[" + ino + "]"))
            throw new IllegalStateException("a process started from the measuring thread runs in " + seen + ", not in "
                    + client.name() + " (net:[" + ino + "]): refusing to go on");
    }

    /** The fixtures every series uses: two networks and a running container on the default bridge. */
    private void prepare(Target t) {
        UnixHttp http = new UnixHttp(t.socket());
        for (String net : List.of("bench-net", "bench-conn"))
            expect(
                    http.post(API + "/networks/create", "{\"Name\":\"" + net + "\",\"CheckDuplicate\":true}"),
                    201,
                    t,
                    "create " + net);
        UnixHttp.Response c = expect(
                http.post(API + "/containers/create?name=bench-base", runBody("bridge")), 201, t, "create bench-base");
        expect(http.post(API + "/containers/" + id(c) + "/start", null), 204, t, "start bench-base");
    }

    private void measure(List<Target> targets) {
        int n = options.n(), w = options.warmup();
        System.out.printf("measuring: %d rounds (+%d warm-up) of each operation, daemons in turn ...%n", n, w);
        series(targets, "cli: network create/rm", List.of("cli:network create", "cli:network rm"), (t, k, rec) -> {
            rec.add(0, docker(t, "network", "create", "bench-c" + k));
            rec.add(1, docker(t, "network", "rm", "bench-c" + k));
        });
        series(
                targets,
                "raw: network create/rm",
                List.of("raw:POST /networks/create", "raw:DELETE /networks/{id}"),
                (t, k, rec) -> {
                    UnixHttp http = new UnixHttp(t.socket());
                    UnixHttp.Response c = expect(
                            http.post(
                                    API + "/networks/create",
                                    "{\"Name\":\"bench-a" + k + "\",\"CheckDuplicate\":true}"),
                            201,
                            t,
                            "network create");
                    rec.add(0, c.nanos());
                    rec.add(
                            1,
                            expect(http.delete(API + "/networks/" + id(c)), 204, t, "network delete")
                                    .nanos());
                });
        series(
                targets,
                "cli: network connect/disconnect",
                List.of("cli:network connect", "cli:network disconnect"),
                (t, k, rec) -> {
                    rec.add(0, docker(t, "network", "connect", "bench-conn", "bench-base"));
                    rec.add(1, docker(t, "network", "disconnect", "bench-conn", "bench-base"));
                });
        series(
                targets,
                "raw: network connect/disconnect",
                List.of("raw:POST /networks/{id}/connect", "raw:POST /networks/{id}/disconnect"),
                (t, k, rec) -> {
                    UnixHttp http = new UnixHttp(t.socket());
                    rec.add(
                            0,
                            expect(
                                            http.post(
                                                    API + "/networks/bench-conn/connect",
                                                    "{\"Container\":\"bench-base\"}"),
                                            200,
                                            t,
                                            "connect")
                                    .nanos());
                    rec.add(
                            1,
                            expect(
                                            http.post(
                                                    API + "/networks/bench-conn/disconnect",
                                                    "{\"Container\":\"bench-base\",\"Force\":false}"),
                                            200,
                                            t,
                                            "disconnect")
                                    .nanos());
                });
        series(targets, "cli: run -d / rm -f", List.of("cli:run -d", "cli:rm -f"), (t, k, rec) -> {
            rec.add(
                    0,
                    docker(
                            t,
                            "run",
                            "-d",
                            "--name",
                            "bench-r" + k,
                            "--network",
                            "bench-net",
                            "busybox",
                            "sleep",
                            "3600"));
            rec.add(1, docker(t, "rm", "-f", "bench-r" + k));
        });
        series(
                targets,
                "cli: run -d busybox (containers)",
                List.of("ctr:run -d busybox sleep"),
                (t, k, rec) -> {
                    rec.add(0, docker(t, "run", "-d", "--name", "bench-d" + k, "busybox", "sleep", "3600"));
                    docker(t, "rm", "-f", "bench-d" + k);
                },
                ctr == null ? null : (k, rec) -> rec.add(0, ctr.runDetached(k)));
        series(
                targets,
                "cli: run --rm busybox true",
                List.of("ctr:run --rm busybox true"),
                (t, k, rec) -> rec.add(0, docker(t, "run", "--rm", "busybox", "true")),
                ctr == null ? null : (k, rec) -> rec.add(0, ctr.runRm(k, false)));
        if (ctr != null)
            series(
                    List.of(),
                    "ctr run --rm --seccomp",
                    List.of("ctr:run --rm true, ctr with containerd's seccomp profile"),
                    (t, k, rec) -> {},
                    (k, rec) -> rec.add(0, ctr.runRm(k, true)));
        series(
                targets,
                "cli: exec",
                List.of("ctr:exec bench-base true"),
                (t, k, rec) -> rec.add(0, docker(t, "exec", "bench-base", "true")),
                ctr == null || !berthSpec ? null : (k, rec) -> rec.add(0, ctr.execBerthSpec(k)));
        if (ctr != null) {
            series(
                    List.of(),
                    "ctr task exec, plain",
                    List.of(EXEC_PLAIN),
                    (t, k, rec) -> {},
                    (k, rec) -> rec.add(0, ctr.exec(k)));
            series(
                    List.of(),
                    "ctr task exec, seccomp",
                    List.of("ctr:exec true, ctr with containerd's seccomp profile"),
                    (t, k, rec) -> {},
                    (k, rec) -> rec.add(0, ctr.execSeccomp(k)));
        }
        series(
                targets,
                "raw: run -d / rm -f",
                List.of(
                        "raw:POST /containers/create",
                        "raw:POST /containers/{id}/start",
                        "raw:run -d (create + start)",
                        "raw:DELETE /containers/{id}?force=1"),
                (t, k, rec) -> {
                    UnixHttp http = new UnixHttp(t.socket());
                    UnixHttp.Response c = expect(
                            http.post(API + "/containers/create?name=bench-q" + k, runBody("bench-net")),
                            201,
                            t,
                            "container create");
                    UnixHttp.Response s =
                            expect(http.post(API + "/containers/" + id(c) + "/start", null), 204, t, "container start");
                    rec.add(0, c.nanos());
                    rec.add(1, s.nanos());
                    rec.add(2, c.nanos() + s.nanos());
                    rec.add(
                            3,
                            expect(http.delete(API + "/containers/" + id(c) + "?force=1"), 204, t, "container delete")
                                    .nanos());
                });
        series(
                targets,
                "raw: ping",
                List.of("raw:GET /_ping"),
                (t, k, rec) -> rec.add(
                        0,
                        expect(new UnixHttp(t.socket()).get("/_ping"), 200, t, "ping")
                                .nanos()));
        cliStart(targets);
    }

    /** CLI start: `docker network ls` against each daemon, `berth network ls` against berthd, and the fork+exec floor. */
    private void cliStart(List<Target> targets) {
        int n = options.cliN();
        System.out.printf("CLI start: %d runs each ...%n", n);
        Path berth = options.berthCli();
        Target berthd = targets.getFirst();
        for (int i = -3; i < n; i++) {
            long floor = Cli.run(List.of("/bin/true")).check().nanos();
            if (i >= 0) results.add("start:fork+exec /bin/true (floor)", BERTHD, floor);
            for (Target t : targets) {
                if (results.failed("start:docker network ls", t.name())) continue;
                try {
                    long ns = docker(t, "network", "ls");
                    if (i >= 0) results.add("start:docker network ls", t.name(), ns);
                } catch (RuntimeException e) {
                    results.fail("start:docker network ls", t.name(), e.getMessage());
                }
            }
            if (berth != null && !results.failed("start:berth network ls", BERTHD)) {
                try {
                    long ns = Cli.run(List.of(berth.toString(), "-H", "unix://" + berthd.socket(), "network", "ls"))
                            .check()
                            .nanos();
                    if (i >= 0) results.add("start:berth network ls", BERTHD, ns);
                } catch (RuntimeException e) {
                    results.fail("start:berth network ls", BERTHD, e.getMessage());
                }
            }
        }
    }

    /** RSS of each daemon with its containerd (shims left out: one per container, the same for all), bench-base running. */
    private void memory(List<Target> targets) {
        for (Target t : targets) {
            long own, containerd;
            if (t instanceof BerthdTarget b) {
                own = Rss.ofProcess(b.process().pid());
                containerd = Rss.ofProcess(b.containerdPid());
            } else {
                DockerdTarget d = (DockerdTarget) t;
                own = Rss.ofProcess(d.process().pid());
                containerd = Rss.ofProcess(d.containerdPid());
            }
            rss.put(t.name(), new long[] {own, containerd});
        }
        if (ctr != null) rss.put(CtrFloor.NAME, new long[] {0, Rss.ofProcess(ctr.pid())});
    }

    /**
     * After hundreds of create/remove cycles berthd's host namespace must hold only what the fixtures
     * need: one veth (bench-base's) and one sandbox namespace; anything more leaked.
     */
    private void leakCheck(Lab lab, LabHost host) {
        List<String> veths = new ArrayList<>();
        for (String line : Cli.output(List.of("ip", "-n", host.name(), "-o", "link", "show"))
                .split("\n")) {
            String[] f = line.split(":\\s+", 3);
            if (f.length > 1 && f[1].startsWith("veth")) veths.add(f[1].split("@")[0]);
        }
        List<String> sandboxes = new ArrayList<>();
        for (String ns : Netns.list()) if (ns.startsWith(lab.prefix("sb-"))) sandboxes.add(ns);
        boolean clean = veths.size() == 1 && sandboxes.size() == 1;
        notes.add("leak check (berthd's namespace after the run, bench-base still up): " + veths.size() + " veth, "
                + sandboxes.size() + " sandbox namespace: " + (clean ? "clean" : "LEAK " + veths + " " + sandboxes));
    }

    /** Records into the operations of one series, by index. */
    private interface Recorder {
        void add(int op, long nanos);
    }

    private interface Step {
        void run(Target t, int k, Recorder rec);
    }

    /** The ctr floor's part of a round. */
    private interface FloorStep {
        void run(int k, Recorder rec);
    }

    private void series(List<Target> targets, String title, List<String> ops, Step step) {
        series(targets, title, ops, step, null);
    }

    /**
     * Runs {@code step} warm-up + N times on every daemon, the daemons taking turns each round; a
     * daemon whose step fails leaves this series (its row says FAILED) and the others carry on.
     */
    private void series(List<Target> targets, String title, List<String> ops, Step step, FloorStep floor) {
        long t0 = System.nanoTime();
        int w = options.warmup();
        for (int i = -w; i < options.n(); i++) {
            boolean keep = i >= 0;
            for (Target t : targets) {
                if (results.failed(ops.getFirst(), t.name())) continue;
                try {
                    step.run(t, i + w, (op, nanos) -> {
                        if (keep) results.add(ops.get(op), t.name(), nanos);
                    });
                } catch (RuntimeException e) {
                    for (String op : ops) results.fail(op, t.name(), e.getMessage());
                    System.out.println("  " + title + " on " + t.name() + " FAILED: " + e.getMessage());
                }
            }
            if (floor != null && !results.failed(ops.getFirst(), CtrFloor.NAME)) {
                try {
                    floor.run(i + w, (op, nanos) -> {
                        if (keep) results.add(ops.get(op), CtrFloor.NAME, nanos);
                    });
                } catch (RuntimeException e) {
                    for (String op : ops) results.fail(op, CtrFloor.NAME, e.getMessage());
                    System.out.println("  " + title + " on ctr FAILED: " + e.getMessage());
                }
            }
        }
        System.out.printf(Locale.ROOT, "  %-34s %5.1f s%n", title, (System.nanoTime() - t0) / 1e9);
    }

    private long docker(Target t, String... args) {
        List<String> c = new ArrayList<>(List.of(options.docker(), "-H", "unix://" + t.socket()));
        c.addAll(List.of(args));
        return Cli.run(c).check().nanos();
    }

    private static String runBody(String network) {
        return "{\"Image\":\"busybox\",\"Cmd\":[\"sleep\",\"3600\"],\"HostConfig\":{\"NetworkMode\":\"" + network
                + "\"}}";
    }

    private static UnixHttp.Response expect(UnixHttp.Response r, int status, Target t, String what) {
        if (r.status() != status)
            throw new IllegalStateException(t.name() + " " + what + ": expected " + status + ", got " + r.status() + " "
                    + UnixHttp.abbreviate(r.body()));
        return r;
    }

    private static String id(UnixHttp.Response r) {
        JsonNode j = Targets.json(r.body());
        String id = j.path("Id").asText("");
        if (id.isEmpty()) throw new IllegalStateException("no Id in " + UnixHttp.abbreviate(r.body()));
        return id;
    }

    private String report(String started, String load0, List<Target> targets) {
        StringBuilder b = new StringBuilder();
        String cliVersion =
                Cli.run(List.of(options.docker(), "--version")).output().strip();
        b.append("Berth API benchmark (issue 4), ").append(started).append('\n');
        b.append(String.format(
                Locale.ROOT,
                "machine: %d CPUs, load average %s at start, %s at end%n",
                Runtime.getRuntime().availableProcessors(),
                load0,
                loadAverage()));
        b.append(cliVersion).append(" (").append(options.docker()).append(") for both daemons\n");
        for (Target t : targets)
            b.append(String.format(
                    Locale.ROOT,
                    "%-8s %s, in its own lab netns; launch to first /_ping: %d ms%n",
                    t.name() + ":",
                    t.version(),
                    t.startMillis()));
        if (targets.size() < 2) b.append("dockerd: not run (--no-dockerd or docker.io missing)\n");
        b.append(String.format(
                Locale.ROOT,
                "%d samples per row after %d warm-up rounds; daemons take turns each round; "
                        + "p99 is nearest-rank (with %d samples, the %s)%n",
                options.n(),
                options.warmup(),
                options.n(),
                options.n() < 100 ? "slowest" : "99th"));
        b.append("ratio = dockerd median / berthd median (above 1: berthd is faster)\n");
        table(b, "docker CLI wall time, ms (fork to exit)", "cli:");
        table(
                b,
                "raw Engine API round trip, ms (connect to last byte, one connection per request, " + API + ")",
                "raw:");
        table(b, "CLI start, ms (" + options.cliN() + " runs each)", "start:");
        containers(b);
        b.append(stages);
        Path berth = options.berthCli();
        if (berth == null)
            b.append("berth CLI not built (no bin/berth in ")
                    .append(options.root())
                    .append(")\n");
        else if (results.series("start:berth network ls", BERTHD) != null) {
            double p50 = results.series("start:berth network ls", BERTHD).p50Ms();
            b.append(String.format(
                    Locale.ROOT,
                    "berth network ls: median %.1f ms, goal < 150 ms: %s%n",
                    p50,
                    p50 < 150 ? "met" : "NOT met"));
        }
        if (!results.failures().isEmpty()) {
            b.append("\nfailures:\n");
            results.failures()
                    .forEach((k, v) ->
                            b.append("  ").append(k).append(": ").append(v).append('\n'));
        }
        for (String n : notes) b.append(n).append('\n');
        return b.toString();
    }

    /** Issue 11's table: containers through the docker CLI beside containerd's floor driven by ctr, the goals, memory. */
    private void containers(StringBuilder b) {
        b.append(
                "\ncontainers, docker CLI wall time, ms (ctr: containerd + runc driven by ctr, its own start included, no network;"
                        + " run rows without seccomp; the exec row into a container with berthd's own spec)\n");
        b.append(String.format(
                Locale.ROOT,
                "  %-44s | %-15s | %-15s | %-15s | %-8s | %s%n",
                "operation",
                "berthd p50/p99",
                "dockerd p50/p99",
                "ctr p50/p99",
                "d/b",
                "b/ctr"));
        b.append("  ")
                .append("-".repeat(44))
                .append("-+-")
                .append("-".repeat(15))
                .append("-+-")
                .append("-".repeat(15))
                .append("-+-")
                .append("-".repeat(15))
                .append("-+-")
                .append("-".repeat(8))
                .append("-+------\n");
        for (String op : opsWith("ctr:")) {
            Latencies bl = results.series(op, BERTHD), cl = results.series(op, CtrFloor.NAME);
            String overFloor = bl == null || cl == null || bl.size() == 0 || cl.size() == 0
                    ? "-"
                    : String.format(Locale.ROOT, "%.2fx", bl.p50Ms() / cl.p50Ms());
            b.append(String.format(
                    Locale.ROOT,
                    "  %-44s | %-15s | %-15s | %-15s | %-8s | %s%n",
                    op.substring(4),
                    results.cell(op, BERTHD),
                    results.cell(op, DOCKERD),
                    results.cell(op, CtrFloor.NAME),
                    results.ratio(op, BERTHD, DOCKERD),
                    overFloor));
        }
        goal(b, "run -d at most half of dockerd's", "ctr:run -d busybox sleep", DOCKERD, 0.5);
        goal(b, "run --rm at most half of dockerd's", "ctr:run --rm busybox true", DOCKERD, 0.5);
        goal(
                b,
                "exec within 1.2x of containerd's own (ctr task exec, same spec as berthd's)",
                "ctr:exec bench-base true",
                CtrFloor.NAME,
                1.2);
        Latencies be = results.series("ctr:exec bench-base true", BERTHD),
                plain = results.series(EXEC_PLAIN, CtrFloor.NAME);
        if (be != null && plain != null && be.size() > 0 && plain.size() > 0)
            b.append(String.format(
                    Locale.ROOT,
                    "      (against ctr task exec into ctr's plain container, no seccomp: berthd/ctr = %.2f)%n",
                    be.p50Ms() / plain.p50Ms()));
        b.append("RSS, MB (daemon + its containerd; with bench-base running, after all series):\n");
        for (var e : rss.entrySet())
            b.append(String.format(
                    Locale.ROOT,
                    "  %-8s %6.1f + %6.1f = %6.1f%n",
                    e.getKey(),
                    e.getValue()[0] / 1024.0,
                    e.getValue()[1] / 1024.0,
                    (e.getValue()[0] + e.getValue()[1]) / 1024.0));
    }

    private void goal(StringBuilder b, String what, String op, String peer, double factor) {
        Latencies bl = results.series(op, BERTHD), pl = results.series(op, peer);
        if (bl == null || pl == null || bl.size() == 0 || pl.size() == 0) {
            b.append("goal: ").append(what).append(": not measured\n");
            return;
        }
        double ratio = bl.p50Ms() / pl.p50Ms();
        b.append(String.format(
                Locale.ROOT,
                "goal: %s: berthd/%s = %.2f (goal <= %.1f): %s%n",
                what,
                peer,
                ratio,
                factor,
                ratio <= factor ? "met" : "NOT met"));
    }

    private void table(StringBuilder b, String title, String prefix) {
        b.append('\n').append(title).append('\n');
        b.append(String.format(
                Locale.ROOT,
                "  %-36s | %-19s | %-19s | %s%n",
                "operation",
                "berthd median / p99",
                "dockerd median / p99",
                "ratio"));
        b.append("  ")
                .append("-".repeat(36))
                .append("-+-")
                .append("-".repeat(19))
                .append("-+-")
                .append("-".repeat(20))
                .append("-+-------\n");
        for (String op : opsWith(prefix)) {
            String name = op.substring(prefix.length());
            b.append(String.format(
                    Locale.ROOT,
                    "  %-36s | %-19s | %-20s | %s%n",
                    name,
                    results.cell(op, BERTHD),
                    results.cell(op, DOCKERD),
                    results.ratio(op, BERTHD, DOCKERD)));
        }
    }

    private List<String> opsWith(String prefix) {
        List<String> ops = new ArrayList<>();
        for (String op : allOps()) if (op.startsWith(prefix)) ops.add(op);
        return ops;
    }

    private List<String> allOps() {
        return List.of(
                "cli:network create",
                "cli:network rm",
                "cli:network connect",
                "cli:network disconnect",
                "cli:run -d",
                "cli:rm -f",
                "raw:GET /_ping",
                "raw:POST /networks/create",
                "raw:DELETE /networks/{id}",
                "raw:POST /networks/{id}/connect",
                "raw:POST /networks/{id}/disconnect",
                "raw:POST /containers/create",
                "raw:POST /containers/{id}/start",
                "raw:run -d (create + start)",
                "raw:DELETE /containers/{id}?force=1",
                "start:docker network ls",
                "start:berth network ls",
                "start:fork+exec /bin/true (floor)",
                "ctr:run -d busybox sleep",
                "ctr:run --rm busybox true",
                "ctr:run --rm true, ctr with containerd's seccomp profile",
                "ctr:exec bench-base true",
                EXEC_PLAIN,
                "ctr:exec true, ctr with containerd's seccomp profile");
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
