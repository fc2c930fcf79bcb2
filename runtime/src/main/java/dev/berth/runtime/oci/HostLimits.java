package dev.berth.runtime.oci;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What this host and daemon allow, read once from /proc and /sys: the daemon's own rlimits and
 * capability bounding set (a container cannot be given more), CPUs, swap accounting, kernel version.
 */
final class HostLimits {
    /** {@code /proc/self/limits} row titles by Docker's {@code --ulimit} names. */
    private static final Map<String, String> LIMIT_ROWS = Map.ofEntries(
            Map.entry("Max cpu time", "cpu"), Map.entry("Max file size", "fsize"),
            Map.entry("Max data size", "data"), Map.entry("Max stack size", "stack"),
            Map.entry("Max core file size", "core"), Map.entry("Max resident set", "rss"),
            Map.entry("Max processes", "nproc"), Map.entry("Max open files", "nofile"),
            Map.entry("Max locked memory", "memlock"), Map.entry("Max address space", "as"),
            Map.entry("Max file locks", "locks"), Map.entry("Max pending signals", "sigpending"),
            Map.entry("Max msgqueue size", "msgqueue"), Map.entry("Max nice priority", "nice"),
            Map.entry("Max realtime priority", "rtprio"), Map.entry("Max realtime timeout", "rttime"));

    private static final Map<String, Long> HARD = readHardLimits();
    private static final long BOUNDING = readBounding();
    private static final int LAST_CAP = Integer.parseInt(
            lines(Path.of("/proc/sys/kernel/cap_last_cap")).getFirst().strip());

    private HostLimits() {}

    /** The daemon's hard limit for a {@code --ulimit} name; empty when unlimited. */
    static OptionalLong hardLimit(String ulimitName) {
        Long v = HARD.get(ulimitName);
        return v == null || v < 0 ? OptionalLong.empty() : OptionalLong.of(v);
    }

    static long boundingCapabilities() {
        return BOUNDING;
    }

    private static long readBounding() {
        for (String line : lines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapBnd:"))
                return Long.parseUnsignedLong(line.substring(7).strip(), 16);
        }
        throw new IllegalStateException("/proc/self/status has no CapBnd line");
    }

    static int lastCapability() {
        return LAST_CAP;
    }

    static int cpus() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Whether memory+swap can be limited (cgroup v1 needs swap accounting: memory.memsw.*). */
    static boolean swapAccounting() {
        return Files.exists(Path.of("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"))
                || Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
    }

    static boolean kernelAtLeast(int major, int minor) {
        String[] v = System.getProperty("os.version").split("[.-]");
        int ma = Integer.parseInt(v[0]);
        int mi = v.length > 1 ? Integer.parseInt(v[1]) : 0;
        return ma > major || (ma == major && mi >= minor);
    }

    private static Map<String, Long> readHardLimits() {
        Map<String, Long> out = new HashMap<>();
        for (String line : lines(Path.of("/proc/self/limits"))) {
            for (Map.Entry<String, String> e : LIMIT_ROWS.entrySet()) {
                if (!line.startsWith(e.getKey() + " ")) continue;
                // Columns: title (padded to 26), soft, hard, units.
                String[] cols = line.substring(26).strip().split("\\s+");
                out.put(e.getValue(), cols[1].equals("unlimited") ? -1L : Long.parseLong(cols[1]));
            }
        }
        return Map.copyOf(out);
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }
}
