package dev.berth.daemon.api;

import dev.berth.daemon.api.StatsShapes.BlkioEntry;
import dev.berth.daemon.api.StatsShapes.BlkioStats;
import dev.berth.daemon.api.StatsShapes.CpuStats;
import dev.berth.daemon.api.StatsShapes.CpuUsage;
import dev.berth.daemon.api.StatsShapes.MemoryStats;
import dev.berth.daemon.api.StatsShapes.NetworkStats;
import dev.berth.daemon.api.StatsShapes.PidsStats;
import dev.berth.daemon.api.StatsShapes.Stats;
import dev.berth.daemon.api.StatsShapes.Throttling;
import dev.berth.daemon.containers.ContainerCgroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One sample of a running container's counters, as dockerd takes it from cgroup v1: cpuacct and cpu,
 * memory, pids, blkio, and the network devices of the task's namespace ({@code /proc/PID/net/dev}).
 * The host side (system CPU time, memory total) comes from {@code /proc/stat} and {@code /proc/meminfo}.
 */
final class ContainerStats {
    /** USER_HZ: /proc/stat and cpuacct.stat count in 1/100 s. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private static final Instant ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

    private ContainerStats() {}

    /** A sample of the task {@code pid} (0: not running, every counter zero as Docker answers). */
    static Stats sample(String id, String name, long pid, Stats previous) {
        String preread = previous == null ? Times.rfc3339(ZERO_TIME) : previous.read();
        CpuStats pre = previous == null ? CpuStats.ZERO : previous.cpuStats();
        if (pid <= 0)
            return new Stats(
                    Times.rfc3339(ZERO_TIME),
                    preread,
                    new PidsStats(0, 0),
                    blkio(List.of(), List.of()),
                    0,
                    Map.of(),
                    CpuStats.ZERO,
                    pre,
                    new MemoryStats(0, 0, Map.of(), 0, 0),
                    "/" + name,
                    id,
                    null);
        ContainerCgroup cg = ContainerCgroup.of(pid);
        return new Stats(
                Times.rfc3339(Instant.now()),
                preread,
                pids(cg),
                blkio(
                        blkioEntries(cg, "blkio.throttle.io_service_bytes_recursive"),
                        blkioEntries(cg, "blkio.throttle.io_serviced_recursive")),
                0,
                Map.of(),
                cpu(cg),
                pre,
                memory(cg),
                "/" + name,
                id,
                networks(pid));
    }

    private static PidsStats pids(ContainerCgroup cg) {
        long limit = cg.number("pids", "pids.max");
        return new PidsStats(Math.max(0, cg.number("pids", "pids.current")), limit < 0 ? 0 : limit);
    }

    private static CpuStats cpu(ContainerCgroup cg) {
        List<Long> perCpu = new ArrayList<>();
        for (String l : cg.lines("cpuacct", "cpuacct.usage_percpu"))
            for (String v : l.trim().split("\\s+")) if (!v.isEmpty()) perCpu.add(Long.parseLong(v));
        Map<String, Long> times = cg.keyed("cpuacct", "cpuacct.stat");
        Map<String, Long> throttle = cg.keyed("cpu", "cpu.stat");
        CpuUsage usage = new CpuUsage(
                Math.max(0, cg.number("cpuacct", "cpuacct.usage")),
                perCpu,
                times.getOrDefault("system", 0L) * NANOS_PER_TICK,
                times.getOrDefault("user", 0L) * NANOS_PER_TICK);
        return new CpuStats(
                usage,
                systemCpuNanos(),
                Runtime.getRuntime().availableProcessors(),
                new Throttling(
                        throttle.getOrDefault("nr_periods", 0L),
                        throttle.getOrDefault("nr_throttled", 0L),
                        throttle.getOrDefault("throttled_time", 0L)));
    }

    /** memory.stat as Docker passes it on; an unlimited container's limit is the host's memory, as dockerd reports it. */
    private static MemoryStats memory(ContainerCgroup cg) {
        long limit = cg.number("memory", "memory.limit_in_bytes");
        long host = memTotal();
        if (limit < 0 || (host > 0 && limit > host)) limit = host;
        return new MemoryStats(
                Math.max(0, cg.number("memory", "memory.usage_in_bytes")),
                Math.max(0, cg.number("memory", "memory.max_usage_in_bytes")),
                cg.keyed("memory", "memory.stat"),
                Math.max(0, cg.number("memory", "memory.failcnt")),
                limit);
    }

    /** Lines "8:0 Read 4096"; the total line is left out, as Docker does. */
    private static List<BlkioEntry> blkioEntries(ContainerCgroup cg, String file) {
        List<BlkioEntry> out = new ArrayList<>();
        for (String l : cg.lines("blkio", file)) {
            String[] f = l.trim().split("\\s+");
            if (f.length != 3 || !f[0].contains(":")) continue;
            String[] dev = f[0].split(":");
            try {
                out.add(new BlkioEntry(Long.parseLong(dev[0]), Long.parseLong(dev[1]), f[1], Long.parseLong(f[2])));
            } catch (NumberFormatException e) {
                // not a device line
            }
        }
        return out;
    }

    private static BlkioStats blkio(List<BlkioEntry> bytes, List<BlkioEntry> ops) {
        return new BlkioStats(bytes, ops, List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    }

    /** The eth* devices of the task's network namespace, from its /proc/PID/net/dev. */
    static Map<String, NetworkStats> networks(long pid) {
        Map<String, NetworkStats> out = new LinkedHashMap<>();
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/net/dev"))) {
                int colon = l.indexOf(':');
                if (colon < 0) continue;
                String dev = l.substring(0, colon).trim();
                if (!dev.startsWith("eth")) continue;
                String[] v = l.substring(colon + 1).trim().split("\\s+");
                if (v.length < 12) continue;
                out.put(
                        dev,
                        new NetworkStats(
                                Long.parseLong(v[0]),
                                Long.parseLong(v[1]),
                                Long.parseLong(v[2]),
                                Long.parseLong(v[3]),
                                Long.parseLong(v[8]),
                                Long.parseLong(v[9]),
                                Long.parseLong(v[10]),
                                Long.parseLong(v[11])));
            }
        } catch (IOException | NumberFormatException e) {
            // the task ended meanwhile
        }
        return out;
    }

    /** The host's CPU time in nanoseconds, all CPUs and states summed (the "cpu" line of /proc/stat). */
    static long systemCpuNanos() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/stat"))) {
                if (!l.startsWith("cpu ")) continue;
                long ticks = 0;
                String[] f = l.trim().split("\\s+");
                for (int i = 1; i < f.length && i <= 8; i++) ticks += Long.parseLong(f[i]); // user .. steal, as dockerd
                return ticks * NANOS_PER_TICK;
            }
        } catch (IOException | NumberFormatException e) {
            // no /proc: zero
        }
        return 0;
    }

    /** MemTotal of /proc/meminfo in bytes. */
    static long memTotal() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo")))
                if (l.startsWith("MemTotal:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
        } catch (IOException | NumberFormatException e) {
            // no /proc
        }
        return 0;
    }
}
