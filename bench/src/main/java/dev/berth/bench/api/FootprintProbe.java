package dev.berth.bench.api;

import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where berthd's memory goes: one berthd (bin/berthd, with Native Memory Tracking added through
 * JDK_JAVA_OPTIONS) in a lab namespace, idle and then with N running containers; prints VmRSS, the JVM's
 * own account (jcmd VM.native_memory summary), threads by name and the largest mappings (pmap).
 * Usage (root): java -cp BENCH_CLASSPATH dev.berth.bench.api.FootprintProbe [--containers N] [--hold S]
 * [--java-options "FLAGS"] [--root DIR]; --hold keeps berthd up S seconds at the end, for jcmd by hand.
 */
public final class FootprintProbe {
    public static void main(String[] args) throws Exception {
        int containers = 50, hold = 0;
        String javaOptions = "";
        Path root = Path.of("").toAbsolutePath();
        String docker = "/usr/local/bin/docker";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--containers" -> containers = Integer.parseInt(args[++i]);
                case "--hold" -> hold = Integer.parseInt(args[++i]);
                case "--java-options" -> javaOptions = args[++i];
                case "--root" -> root = Path.of(args[++i]).toAbsolutePath();
                default ->
                    throw new IllegalArgumentException("unknown option " + args[i]
                            + "; allowed: --containers N --hold S --java-options FLAGS --root DIR");
            }
        }
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        try (Lab lab = Lab.create()) {
            LabHost host = lab.host("berthd");
            Map<String, String> env =
                    Map.of("JDK_JAVA_OPTIONS", ("-XX:NativeMemoryTracking=summary " + javaOptions).strip());
            try (BerthdTarget b = BerthdTarget.start(
                    lab, host, List.of(root.resolve("bin/berthd").toString()), env, lab.prefix("sb-"))) {
                long pid = b.process().pid();
                System.out.printf("berthd pid %d, first ping after %d ms%n", pid, b.startMillis());
                Targets.sleep(3000);
                report("idle", pid, jcmd, b);
                b.loadSeedImages(docker);
                for (int i = 0; i < containers; i++)
                    Cli.output(List.of(
                            docker,
                            "-H",
                            "unix://" + b.socket(),
                            "run",
                            "-d",
                            "--name",
                            "bench-p" + i,
                            "busybox",
                            "sleep",
                            "3600"));
                Targets.sleep(3000);
                report(containers + " containers", pid, jcmd, b);
                if (hold > 0) {
                    System.out.printf("holding %d s: jcmd %d ...%n", hold, pid);
                    Targets.sleep(hold * 1000L);
                    report("after the hold", pid, jcmd, b);
                }
            }
        }
    }

    private static void report(String what, long pid, String jcmd, BerthdTarget b) throws IOException {
        System.out.printf(
                "%n==== %s: berthd VmRSS %.1f MB, its containerd %.1f MB%n",
                what, Rss.ofProcess(pid) / 1024.0, Rss.ofProcess(b.containerdPid()) / 1024.0);
        System.out.println(Cli.output(List.of(jcmd, Long.toString(pid), "VM.native_memory", "summary")));
        Map<String, Integer> threads = new TreeMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : s.toList()) {
                String name = Files.readString(t.resolve("comm")).strip().replaceAll("[0-9]+", "N");
                threads.merge(name, 1, Integer::sum);
            }
        }
        System.out.println("threads: "
                + threads.values().stream().mapToInt(Integer::intValue).sum() + " " + threads);
        List<String> maps = new ArrayList<>(
                List.of(Cli.output(List.of("pmap", "-x", Long.toString(pid))).split("\n")));
        maps.removeIf(l -> !l.matches("^[0-9a-f]{16} .*"));
        maps.sort((x, y) -> Long.compare(rss(y), rss(x)));
        System.out.println("largest mappings by RSS (kB): address kbytes rss dirty mode mapping");
        for (String l : maps.subList(0, Math.min(15, maps.size()))) System.out.println("  " + l);
        classes(what, pid, jcmd);
    }

    /**
     * Loaded classes by package (three name parts), the 25 largest groups: what lazy loading could spare;
     * the full list goes to /tmp/berth-footprint-classes-PID-WHAT.txt for a diff between states.
     */
    private static void classes(String what, long pid, String jcmd) throws IOException {
        Map<String, Integer> byPackage = new TreeMap<>();
        List<String> names = new ArrayList<>();
        for (String l : Cli.output(List.of(jcmd, Long.toString(pid), "VM.class_hierarchy"))
                .split("\n")) {
            String n = l.replaceFirst("^[|\\s-]*", "").replaceFirst("[/ ].*$", "");
            int dot = n.lastIndexOf('.');
            if (dot < 0 || !Character.isUpperCase(n.charAt(dot + 1))) continue;
            names.add(n);
            String[] parts = n.substring(0, dot).split("\\.");
            byPackage.merge(String.join(".", List.of(parts).subList(0, Math.min(3, parts.length))), 1, Integer::sum);
        }
        Path list = Path.of("/tmp", "berth-footprint-classes-" + pid + "-" + what.replace(' ', '-') + ".txt");
        Files.write(list, names.stream().sorted().toList());
        System.out.printf("classes: %d (list in %s); largest packages:%n", names.size(), list);
        byPackage.entrySet().stream()
                .sorted((x, y) -> y.getValue() - x.getValue())
                .limit(25)
                .forEach(e -> System.out.printf("  %5d %s%n", e.getValue(), e.getKey()));
    }

    private static long rss(String pmapLine) {
        String[] f = pmapLine.trim().split("\\s+");
        try {
            return Long.parseLong(f[2]);
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
