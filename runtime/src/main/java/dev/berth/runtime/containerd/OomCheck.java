package dev.berth.runtime.containerd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the kernel's OOM killer struck in a container's cgroup, from the cgroup's own counter
 * ({@code oom_kill} in memory.oom_control on v1, memory.events on v2). The cgroup stays until the task is
 * deleted, so this also answers for exits that happened while berthd was down (an event would be lost).
 */
final class OomCheck {
    private static final Path CGROUP = Path.of("/sys/fs/cgroup");

    private OomCheck() {}

    static boolean killed(String cgroupsPath) {
        if (cgroupsPath == null || !cgroupsPath.startsWith("/")) return false;
        String rel = cgroupsPath.substring(1);
        return count(CGROUP.resolve("memory").resolve(rel).resolve("memory.oom_control")) > 0
                || count(CGROUP.resolve(rel).resolve("memory.events")) > 0;
    }

    private static long count(Path file) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("oom_kill "))
                    return Long.parseLong(line.substring("oom_kill ".length()).strip());
            }
        } catch (IOException | NumberFormatException e) {
            // no such cgroup (already deleted) or no counter on this kernel
        }
        return 0;
    }
}
