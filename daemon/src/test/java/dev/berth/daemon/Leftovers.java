package dev.berth.daemon;

import dev.berth.lab.Commands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Removing what another engine a test started leaves on the machine (dockerd, containerd and their shims):
 * processes by PID, mounts under its directories, its cgroups, its files.
 */
final class Leftovers {
    private Leftovers() {}

    /** SIGTERM, then SIGKILL after {@code grace}; only this PID. */
    static void stop(long pid, Duration grace) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) return;
        h.get().destroy();
        try {
            h.get().onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception timeout) {
            h.get().destroyForcibly();
        }
    }

    static List<Long> processesNaming(String... needles) {
        List<Long> pids = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit) || Long.parseLong(n) == self) continue;
                String cmdline;
                try {
                    cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                } catch (IOException gone) {
                    continue;
                }
                for (String needle : needles)
                    if (cmdline.contains(needle)) {
                        pids.add(Long.parseLong(n));
                        break;
                    }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pids;
    }

    static void unmountUnder(Path... dirs) {
        List<String> mounts = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String target = line.split(" ")[4];
                for (Path d : dirs) if (target.startsWith(d.toString())) mounts.add(target);
            }
        } catch (IOException e) {
            return;
        }
        mounts.sort(Comparator.comparing(String::length).reversed());
        for (String m : mounts) Commands.run(List.of("umount", "-l", m));
    }

    static void removeCgroups(String tag) {
        try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path c : controllers.toList()) {
                Path parent = c.resolve(tag);
                if (!Files.isDirectory(parent)) continue;
                try (Stream<Path> all = Files.walk(parent)) {
                    for (Path p : all.filter(Files::isDirectory)
                            .sorted(Comparator.reverseOrder())
                            .toList()) Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the cgroups under /" + tag + ": " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // left for the next run's look
        }
    }
}
