package dev.berth.runtime.oci;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.zip.GZIPInputStream;

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

    private static final boolean X32 = readX32();

    private HostLimits() {}

    /**
     * Whether the kernel was built with the x32 system-call ABI (CONFIG_X86_X32_ABI, CONFIG_X86_X32 before
     * 5.18), from its configuration in /proc/config.gz or /boot; true when that cannot be read.
     */
    static boolean x32Abi() {
        return X32;
    }

    private static boolean readX32() {
        List<Path> configs =
                List.of(Path.of("/proc/config.gz"), Path.of("/boot/config-" + System.getProperty("os.version")));
        for (Path p : configs) {
            if (!Files.isReadable(p)) continue;
            try (InputStream raw = Files.newInputStream(p);
                    InputStream in = p.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
                boolean x86_64 = false;
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.equals("CONFIG_X86_X32_ABI=y") || line.equals("CONFIG_X86_X32=y")) return true;
                    if (line.equals("CONFIG_X86_64=y")) x86_64 = true;
                }
                if (x86_64) return false; // an x86-64 kernel's whole configuration, without x32
            } catch (IOException e) {
                // try the next one
            }
        }
        return true;
    }

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
