package dev.berth.bench.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of processes, from /proc/PID/status (VmRSS, kB), as ps and top show it. */
final class Rss {
    private Rss() {}

    /**
     * A process's resident memory, kB, four ways (/proc/PID/smaps_rollup): RSS (every mapped page, shared
     * ones, e.g. libjvm's code or a file-backed AOT cache, in full), PSS (shared pages divided among their
     * sharers), USS (pages only this process maps: what its end would give back) and anonymous (heap,
     * stacks, malloc arenas: memory no file backs, which the kernel cannot simply drop).
     */
    record Breakdown(long rss, long pss, long uss, long anon) {
        static final Breakdown NONE = new Breakdown(0, 0, 0, 0);

        Breakdown plus(Breakdown o) {
            return new Breakdown(rss + o.rss, pss + o.pss, uss + o.uss, anon + o.anon);
        }
    }

    /** {@code pid}'s breakdown; zeros when it is gone (or pid is not positive). */
    static Breakdown breakdown(long pid) {
        if (pid <= 0) return Breakdown.NONE;
        long rss = 0, pss = 0, privClean = 0, privDirty = 0, anon = 0;
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                String[] f = l.split("\\s+");
                if (f.length < 2) continue;
                switch (f[0]) {
                    case "Rss:" -> rss = Long.parseLong(f[1]);
                    case "Pss:" -> pss = Long.parseLong(f[1]);
                    case "Private_Clean:" -> privClean = Long.parseLong(f[1]);
                    case "Private_Dirty:" -> privDirty = Long.parseLong(f[1]);
                    case "Anonymous:" -> anon = Long.parseLong(f[1]);
                    default -> {}
                }
            }
        } catch (IOException gone) {
            return Breakdown.NONE;
        }
        return new Breakdown(rss, pss, privClean + privDirty, anon);
    }

    /** VmRSS of {@code pid} in kB; 0 when it is gone (or pid is not positive). */
    static long ofProcess(long pid) {
        if (pid <= 0) return 0;
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")))
                if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
        } catch (IOException gone) {
            return 0;
        }
        return 0;
    }

    /** Sum of VmRSS of the direct children of {@code pid} whose command ends with {@code name} (a managed containerd). */
    static long ofChildrenNamed(long pid, String name) {
        return ProcessHandle.of(pid).stream()
                .flatMap(ProcessHandle::children)
                .filter(c -> c.info().command().orElse("").endsWith("/" + name))
                .mapToLong(c -> ofProcess(c.pid()))
                .sum();
    }
}
