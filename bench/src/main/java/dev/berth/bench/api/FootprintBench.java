package dev.berth.bench.api;

import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Issue 13's footprint benchmark: berthd as users start it (bin/berthd) beside Docker's dockerd with the
 * containerd it runs, each in its own lab namespace, in one run, the two taking turns every round:
 * spawn to the first 200 on {@code /_ping} (polled every 20 ms on a fresh connection), resident memory
 * (VmRSS) idle and with N running containers, for the daemon and for the daemon with its containerd
 * (a container's own processes and shims are not counted for either). Then what each of bin/berthd's
 * JVM flags costs or saves: berthd started with the flags added one by one, idle RSS and spawn to ping.
 * Run it with scripts/bench-api.sh --footprint; options: --rounds N (5), --containers N (50), --settle S (3), --busy-settle S (15),
 * --no-dockerd, --no-flags, --out DIR (bench/results), --root DIR, --docker PATH.
 */
public final class FootprintBench {
    record Options(
            int rounds,
            int containers,
            int settleSeconds,
            int busySettleSeconds,
            boolean dockerd,
            boolean flags,
            List<String> tries,
            Path out,
            Path root,
            String docker) {
        static Options parse(String[] args) {
            int rounds = 5, containers = 50, settle = 3, busySettle = 15;
            boolean dockerd = true, flags = true;
            List<String> tries = new ArrayList<>();
            Path out = Path.of("bench/results"), root = Path.of("").toAbsolutePath();
            String docker = "/usr/local/bin/docker";
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                    case "--containers" -> containers = Integer.parseInt(args[++i]);
                    case "--settle" -> settle = Integer.parseInt(args[++i]);
                    case "--busy-settle" -> busySettle = Integer.parseInt(args[++i]);
                    case "--no-dockerd" -> dockerd = false;
                    case "--no-flags" -> flags = false;
                    case "--try" -> tries.add(args[++i]);
                    case "--out" -> out = Path.of(args[++i]);
                    case "--root" -> root = Path.of(args[++i]).toAbsolutePath();
                    case "--docker" -> docker = args[++i];
                    default ->
                        throw new IllegalArgumentException(
                                "unknown option '" + args[i]
                                        + "'; allowed: --rounds N --containers N --settle S --busy-settle S --no-dockerd --no-flags --try FLAGS --out DIR --root DIR --docker PATH");
                }
            }
            return new Options(rounds, containers, settle, busySettle, dockerd, flags, tries, out, root, docker);
        }
    }

    /** One daemon start: spawn to first ping, and memory in kB of the daemon alone and with its containerd. */
    record Sample(long startMillis, long readyMillis, Rss.Breakdown own, Rss.Breakdown withContainerd) {
        static Sample of(long startMillis, long readyMillis, long daemonPid, long containerdPid) {
            Rss.Breakdown own = Rss.breakdown(daemonPid);
            return new Sample(startMillis, readyMillis, own, own.plus(Rss.breakdown(containerdPid)));
        }

        long ownKb() {
            return own.rss();
        }

        long withContainerdKb() {
            return withContainerd.rss();
        }
    }

    private final Options o;
    private final StringBuilder report = new StringBuilder();

    private FootprintBench(Options o) {
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        new FootprintBench(Options.parse(args)).run();
    }

    private void run() throws IOException {
        line(
                "berth bench-footprint %s, load average %s, %d rounds, %d containers; RSS read %d s after the first ping (idle), %d s after the last run -d",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")),
                loadAverage(),
                o.rounds(),
                o.containers(),
                o.settleSeconds(),
                o.busySettleSeconds());
        try (Lab lab = Lab.create()) {
            LabHost berthdHost = lab.host("berthd");
            LabHost dockerdHost = o.dockerd() ? lab.host("dockerd") : null;
            List<Sample> bIdle = new ArrayList<>(), dIdle = new ArrayList<>();
            for (int r = 0; r < o.rounds(); r++) {
                bIdle.add(idleBerthd(
                        lab, berthdHost, List.of(o.root().resolve("bin/berthd").toString())));
                if (dockerdHost != null) dIdle.add(idleDockerd(lab, dockerdHost));
                System.out.printf(
                        "round %d: berthd %s%s%n",
                        r + 1, bIdle.getLast(), dIdle.isEmpty() ? "" : ", dockerd " + dIdle.getLast());
            }
            line("");
            line("%-44s %14s %14s %10s", "idle (median of " + o.rounds() + ")", "berthd", "dockerd", "ratio");
            compare("spawn to first /_ping, ms", bIdle, dIdle, Sample::startMillis);
            compare("spawn to ready (/info answered), ms", bIdle, dIdle, Sample::readyMillis);
            memory(bIdle, dIdle);
            Sample bBusy = busyBerthd(lab, berthdHost);
            Sample dBusy = dockerdHost == null ? null : busyDockerd(lab, dockerdHost);
            line("");
            line(
                    "%-44s %14s %14s %10s",
                    "with " + o.containers() + " running containers", "berthd", "dockerd", "ratio");
            memory(List.of(bBusy), dBusy == null ? List.of() : List.of(dBusy));
            if (o.flags()) flags(lab, berthdHost);
            if (!o.tries().isEmpty()) tries(lab, berthdHost);
        }
        System.out.print(report);
        Files.createDirectories(o.out());
        Path file = o.out()
                .resolve("footprint-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                        + ".txt");
        Files.writeString(file, report);
        System.out.println("written to " + file);
    }

    // ------------------------------------------------------------------ berthd

    private Sample idleBerthd(Lab lab, LabHost host, List<String> launcher) {
        return idleBerthd(lab, host, launcher, Map.of());
    }

    private Sample idleBerthd(Lab lab, LabHost host, List<String> launcher, Map<String, String> env) {
        try (BerthdTarget b = BerthdTarget.start(lab, host, launcher, env, lab.prefix("sb-"))) {
            long ready = readyMillis(b.socket(), b.startMillis());
            Targets.sleep(o.settleSeconds() * 1000L);
            return Sample.of(b.startMillis(), ready, b.process().pid(), b.containerdPid());
        }
    }

    private Sample busyBerthd(Lab lab, LabHost host) {
        return busyBerthd(lab, host, Map.of());
    }

    private Sample busyBerthd(Lab lab, LabHost host, Map<String, String> env) {
        System.out.printf("berthd with %d containers %s...%n", o.containers(), env.isEmpty() ? "" : env + " ");
        try (BerthdTarget b = BerthdTarget.start(
                lab, host, List.of(o.root().resolve("bin/berthd").toString()), env, lab.prefix("sb-"))) {
            b.loadSeedImages(o.docker());
            runContainers(b.socket());
            Targets.sleep(o.busySettleSeconds() * 1000L);
            return Sample.of(b.startMillis(), b.startMillis(), b.process().pid(), b.containerdPid());
        }
    }

    // ------------------------------------------------------------------ dockerd

    private Sample idleDockerd(Lab lab, LabHost host) {
        DockerdTarget d = DockerdTarget.start(lab, host, o.root().resolve("scripts/bench-api-dockerd.sh"));
        try {
            long ready = readyMillis(d.socket(), d.startMillis());
            Targets.sleep(o.settleSeconds() * 1000L);
            return Sample.of(d.startMillis(), ready, d.process().pid(), d.containerdPid());
        } finally {
            d.close();
        }
    }

    private Sample busyDockerd(Lab lab, LabHost host) {
        System.out.printf("dockerd with %d containers ...%n", o.containers());
        DockerdTarget d = DockerdTarget.start(lab, host, o.root().resolve("scripts/bench-api-dockerd.sh"));
        try {
            d.loadSeedImages(o.docker()); // the same images as berthd's
            runContainers(d.socket());
            Targets.sleep(o.busySettleSeconds() * 1000L);
            return Sample.of(d.startMillis(), d.startMillis(), d.process().pid(), d.containerdPid());
        } finally {
            d.close();
        }
    }

    private void runContainers(Path socket) {
        for (int i = 0; i < o.containers(); i++)
            Cli.output(List.of(
                    o.docker(),
                    "-H",
                    "unix://" + socket,
                    "run",
                    "-d",
                    "--name",
                    "bench-f" + i,
                    "busybox",
                    "sleep",
                    "3600"));
    }

    // ------------------------------------------------------------------ JVM flags

    /** berthd with bin/berthd's flags added one at a time (no AOT cache but in the last row, which is bin/berthd). */
    private void flags(Lab lab, LabHost host) throws IOException {
        Map<String, String> env = launcherEnv();
        String java = env.get("BERTHD_JAVA"), cp = env.get("BERTHD_CP");
        List<String> base = List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");
        List<List<String>> steps = List.of(
                List.of(),
                List.of("-XX:+UseSerialGC"),
                List.of("-Xmx64m", "-Xss512k"),
                List.of("-Xms8m"),
                List.of("-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20"),
                List.of("-Xmn2m"),
                List.of("-XX:TieredStopAtLevel=1"),
                List.of("-XX:+UseCompactObjectHeaders", "-XX:-UsePerfData"),
                List.of("-XX:TrimNativeHeapInterval=2000"),
                List.of("-Dio.netty.allocator.type=unpooled", "-Dio.grpc.netty.useCustomAllocator=false"));
        line("");
        line(
                "bin/berthd's JVM flags, added one by one (median of %d; the JDK's defaults first; -Xlog flags in every row)",
                o.rounds());
        line("%-58s %10s %14s", "flags", "RSS, MB", "first ping, ms");
        List<String> flags = new ArrayList<>(base);
        flags.addAll(List.of("-Xlog:disable", "-Xlog:all=error:stderr"));
        for (List<String> step : steps) {
            flags.addAll(step);
            List<String> cmd = new ArrayList<>(List.of(java));
            cmd.addAll(flags);
            cmd.addAll(List.of("-cp", cp, "dev.berth.daemon.Berthd"));
            List<Sample> s = new ArrayList<>();
            for (int r = 0; r < o.rounds(); r++) s.add(idleBerthd(lab, host, cmd));
            line(
                    "%-58s %10.1f %14d",
                    step.isEmpty() ? "(none beyond native access)" : "+ " + String.join(" ", step),
                    median(s, Sample::ownKb) / 1024.0,
                    median(s, Sample::startMillis));
        }
        List<Sample> s = new ArrayList<>();
        for (int r = 0; r < o.rounds(); r++)
            s.add(idleBerthd(lab, host, List.of(o.root().resolve("bin/berthd").toString())));
        line(
                "%-58s %10.1f %14d",
                "+ -XX:AOTCache (bin/berthd as built)",
                median(s, Sample::ownKb) / 1024.0,
                median(s, Sample::startMillis));
    }

    /**
     * Flags tried beside bin/berthd's (--try, given to its JVM through JDK_JAVA_OPTIONS, before its own
     * flags; -XX:AOTMode=off turns its AOT cache off): idle RSS and first ping, and RSS with the containers.
     */
    private void tries(Lab lab, LabHost host) {
        line("");
        line(
                "flags tried on top of bin/berthd's (idle: median of %d; busy: %d containers, one run)",
                o.rounds(), o.containers());
        line("%-58s %10s %14s %10s", "flags", "idle, MB", "first ping, ms", "busy, MB");
        List<String> rows = new ArrayList<>(List.of(""));
        rows.addAll(o.tries());
        for (String t : rows) {
            Map<String, String> env = t.isEmpty() ? Map.of() : Map.of("JDK_JAVA_OPTIONS", t);
            List<Sample> s = new ArrayList<>();
            for (int r = 0; r < o.rounds(); r++)
                s.add(idleBerthd(
                        lab, host, List.of(o.root().resolve("bin/berthd").toString()), env));
            Sample busy = busyBerthd(lab, host, env);
            line(
                    "%-58s %10.1f %14d %10.1f",
                    t.isEmpty() ? "(bin/berthd as built)" : "+ " + t,
                    median(s, Sample::ownKb) / 1024.0,
                    median(s, Sample::startMillis),
                    busy.ownKb() / 1024.0);
        }
    }

    private Map<String, String> launcherEnv() throws IOException {
        Path f = o.root().resolve("daemon/target/launcher.env");
        Map<String, String> m = new HashMap<>();
        for (String l : Files.readAllLines(f)) {
            int eq = l.indexOf('=');
            if (l.startsWith("#") || eq < 0) continue;
            m.put(l.substring(0, eq), l.substring(eq + 1).replaceAll("^'|'$", ""));
        }
        return m;
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Spawn to ready: {@code /info} sent right after the first ping (berthd answers ping before it is ready
     * and holds other requests until it is) is answered this many ms after spawn.
     */
    private static long readyMillis(Path socket, long pingMillis) {
        long t = System.nanoTime();
        UnixHttp.Response r = new UnixHttp(socket).get("/info");
        if (r.status() != 200) throw new IllegalStateException("/info answered " + r.status() + ": " + r.body());
        return pingMillis + (System.nanoTime() - t) / 1_000_000;
    }

    /** RSS, PSS, USS and anonymous memory of the daemon, then of the daemon with its containerd. */
    private void memory(List<Sample> berthd, List<Sample> dockerd) {
        compare("daemon RSS, MB", berthd, dockerd, s -> s.own().rss());
        compare("daemon PSS, MB", berthd, dockerd, s -> s.own().pss());
        compare("daemon USS (private pages), MB", berthd, dockerd, s -> s.own().uss());
        compare("daemon anonymous, MB", berthd, dockerd, s -> s.own().anon());
        compare(
                "daemon + its containerd RSS, MB",
                berthd,
                dockerd,
                s -> s.withContainerd().rss());
        compare(
                "daemon + its containerd PSS, MB",
                berthd,
                dockerd,
                s -> s.withContainerd().pss());
        compare(
                "daemon + its containerd USS, MB",
                berthd,
                dockerd,
                s -> s.withContainerd().uss());
    }

    private void compare(String what, List<Sample> berthd, List<Sample> dockerd, ToLongFunction<Sample> f) {
        long b = median(berthd, f);
        boolean mb = what.contains("MB");
        String bs = mb ? String.format(Locale.ROOT, "%.1f", b / 1024.0) : Long.toString(b);
        if (dockerd.isEmpty()) {
            line("%-44s %14s %14s %10s", what, bs, "-", "-");
            return;
        }
        long d = median(dockerd, f);
        String ds = mb ? String.format(Locale.ROOT, "%.1f", d / 1024.0) : Long.toString(d);
        line("%-44s %14s %14s %10s", what, bs, ds, String.format(Locale.ROOT, "%.2f", (double) b / d));
    }

    private static long median(List<Sample> s, ToLongFunction<Sample> f) {
        long[] v = s.stream().mapToLong(f).sorted().toArray();
        return v.length == 0 ? 0 : v[v.length / 2];
    }

    private void line(String format, Object... args) {
        report.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
