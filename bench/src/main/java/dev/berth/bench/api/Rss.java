package dev.berth.bench.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of processes, from /proc/PID/status (VmRSS, kB), as ps and top show it. */
final class Rss {
    private Rss() {}

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
