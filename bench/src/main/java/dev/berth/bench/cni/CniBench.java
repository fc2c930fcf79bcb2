package dev.berth.bench.cni;

import dev.berth.bench.api.BerthdTarget;
import dev.berth.bench.engine.Latencies;
import dev.berth.bench.engine.Peers;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 15's CNI benchmark: ADD and DEL latency of Berth's plugin ({@code bin/cni/berth} talking to a berthd)
 * against the reference {@code bridge} plugin chained with {@code portmap} (Debian's containernetworking-plugins),
 * each in a lab namespace of its own that plays the runtime's host. Both are driven the same way: one process
 * per call, {@code nsenter --net=HOST PLUGIN} with the CNI_ variables and the configuration on stdin, timed
 * from spawn to exit, taking turns per pod. Every pod publishes one TCP port (portMappings). A peer ADD is
 * bridge ADD + portmap ADD, a peer DEL is portmap DEL + bridge DEL: what a runtime runs for one pod.
 * Options: --n N (pods, 100), --warmup N (5), --root DIR (the checkout), --out DIR. berthd runs through bin/berthd.
 */
public final class CniBench {
    private record Options(int n, int warmup, Path root, Path out) {
        static Options parse(String[] args) {
            int n = 100, warmup = 5;
            Path root = Path.of("").toAbsolutePath(), out = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--n" -> n = Integer.parseInt(args[++i]);
                    case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                    case "--root" -> root = Path.of(args[++i]).toAbsolutePath();
                    case "--out" -> out = Path.of(args[++i]);
                    default ->
                        throw new IllegalArgumentException(
                                "unknown option '" + args[i] + "'; allowed: --n N --warmup N --root DIR --out DIR");
                }
            }
            return new Options(n, warmup, root, out == null ? root.resolve("bench/results") : out);
        }
    }

    private final Options o;
    private final Path work;
    private final Latencies berthAdd = new Latencies(),
            berthDel = new Latencies(),
            peerAdd = new Latencies(),
            peerDel = new Latencies();

    private CniBench(Options o, Path work) {
        this.o = o;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Path plugin = o.root().resolve("bin/cni/berth");
        if (!Files.isExecutable(plugin))
            throw new IllegalStateException(plugin + " is missing: run scripts/cni-plugin (make build does)");
        if (!Peers.cniPresent())
            throw new IllegalStateException(
                    "the CNI reference plugins are missing: apt-get install containernetworking-plugins");
        Path work = Files.createTempDirectory("berth-bench-cni-");
        try (Lab lab = Lab.create()) {
            String report = new CniBench(o, work).run(lab, plugin);
            System.out.print(report);
            Files.createDirectories(o.out());
            Path file = o.out()
                    .resolve("cni-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                            + ".txt");
            Files.writeString(file, report);
            System.out.println("written to " + file);
        } finally {
            deleteTree(work);
        }
    }

    private String run(Lab lab, Path plugin) throws IOException {
        LabHost berthHost = lab.host("berthd"), peerHost = lab.host("cnihost");
        // bin/berthd, as users start it (make build prepares it)
        List<String> launcher = List.of(o.root().resolve("bin/berthd").toString());
        String load0 = load();
        try (BerthdTarget berthd = BerthdTarget.start(lab, berthHost, launcher)) {
            berthd.createNetwork("bench-pods", "10.93.0.0/16");
            String berthConf =
                    "{\"cniVersion\":\"1.0.0\",\"name\":\"berthnet\",\"type\":\"berth\",\"socket\":\"" + berthd.socket()
                            + "\",\"network\":\"bench-pods\",\"capabilities\":{\"portMappings\":true},\"runtimeConfig\":{\"portMappings\":"
                            + "[{\"hostPort\":%d,\"containerPort\":80,\"protocol\":\"tcp\"}]}}";
            String bridgeConf = Peers.cniBridgeConf(work.resolve("ipam"));
            int total = o.warmup() + o.n();
            List<LabHost> berthPods = new ArrayList<>(), peerPods = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                berthPods.add(lab.host("b" + i));
                peerPods.add(lab.host("p" + i));
            }
            System.out.printf(
                    "berth bench-cni: lab %s, %d pods each (+%d warm-up), one published port per pod%n",
                    lab.runId(), o.n(), o.warmup());
            String[] prev = new String[total];
            for (int i = 0; i < total; i++) {
                boolean timed = i >= o.warmup();
                long b = call(
                        plugin,
                        berthHost,
                        "ADD",
                        "b" + i,
                        berthPods.get(i),
                        String.format(Locale.ROOT, berthConf, 20000 + i),
                        "b-add-" + i);
                long p = call(
                        Peers.CNI_DIR.resolve("bridge"),
                        peerHost,
                        "ADD",
                        "p" + i,
                        peerPods.get(i),
                        bridgeConf,
                        "br-add-" + i);
                prev[i] = Files.readString(work.resolve("br-add-" + i + ".out"));
                p += call(
                        Peers.CNI_DIR.resolve("portmap"),
                        peerHost,
                        "ADD",
                        "p" + i,
                        peerPods.get(i),
                        Peers.cniPortmapConf(30000 + i, prev[i]),
                        "pm-add-" + i);
                if (timed) {
                    berthAdd.add(b);
                    peerAdd.add(p);
                }
            }
            for (int i = total - 1; i >= 0; i--) {
                boolean timed = i >= o.warmup();
                long b = call(
                        plugin,
                        berthHost,
                        "DEL",
                        "b" + i,
                        berthPods.get(i),
                        String.format(Locale.ROOT, berthConf, 20000 + i),
                        "b-del-" + i);
                long p = call(
                        Peers.CNI_DIR.resolve("portmap"),
                        peerHost,
                        "DEL",
                        "p" + i,
                        peerPods.get(i),
                        Peers.cniPortmapConf(30000 + i, prev[i]),
                        "pm-del-" + i);
                p += call(
                        Peers.CNI_DIR.resolve("bridge"),
                        peerHost,
                        "DEL",
                        "p" + i,
                        peerPods.get(i),
                        bridgeConf,
                        "br-del-" + i);
                if (timed) {
                    berthDel.add(b);
                    peerDel.add(p);
                }
            }
        }
        return report(load0, load());
    }

    /** One plugin process, as a runtime starts it; returns its wall time in nanoseconds. */
    private long call(
            Path plugin, LabHost runtimeHost, String command, String id, LabHost pod, String config, String tag)
            throws IOException {
        Path in = work.resolve(tag + ".in"), out = work.resolve(tag + ".out"), err = work.resolve(tag + ".err");
        Files.writeString(in, config);
        Map<String, String> env = new HashMap<>(Peers.cniEnv(command, id, pod.name()));
        return Peers.run(List.of("nsenter", "--net=" + runtimeHost.netnsPath(), plugin.toString()), env, in, out, err)
                .wallNanos();
    }

    private String report(String load0, String load1) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "%nCNI ADD and DEL, one published TCP port per pod, %d pods, ms (p50 / p99); load average %s -> %s%n",
                o.n(),
                load0,
                load1));
        s.append(
                "| operation | berth (bin/cni/berth + berthd) | bridge + portmap | peer / berth (p50) |\n|---|---|---|---|\n");
        row(s, "ADD", berthAdd, peerAdd);
        row(s, "DEL", berthDel, peerDel);
        return s.toString();
    }

    private static void row(StringBuilder s, String op, Latencies berth, Latencies peer) {
        double b50 = berth.percentileMs(50),
                b99 = berth.percentileMs(99),
                p50 = peer.percentileMs(50),
                p99 = peer.percentileMs(99);
        s.append(String.format(
                Locale.ROOT, "| %s | %.1f / %.1f | %.1f / %.1f | %.1fx |%n", op, b50, b99, p50, p99, p50 / b50));
    }

    private static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temp directory left behind is harmless
        }
    }
}
