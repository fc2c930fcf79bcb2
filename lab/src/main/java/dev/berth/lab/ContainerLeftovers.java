package dev.berth.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Removes what a containerd started for a test, the demo or a benchmark may leave once its daemon is gone:
 * the tasks in its cgroup parent, the containerd and shim processes that name its directory, the mounts
 * under that directory, and the cgroups. Only processes found there are killed, by PID.
 */
public final class ContainerLeftovers {
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");

    private ContainerLeftovers() {}

    /**
     * @param dir          the directory that holds the containerd's root, state and socket
     * @param cgroupParent the cgroup under which its containers were made (e.g. {@code /blab-1a2b3c-berth})
     */
    public static void clean(Path dir, String cgroupParent) {
        List<Path> cgroups = cgroupDirs(cgroupParent);
        for (Path c : cgroups) thaw(c);
        for (Path c : cgroups) for (long pid : pidsIn(c)) kill(pid);
        for (long pid : processesNaming(dir.toString())) kill(pid);
        waitGone(cgroups);
        unmountUnder(dir);
        for (Path c : cgroups) {
            try {
                Files.deleteIfExists(c);
            } catch (IOException busy) {
                // a process still dying; the cgroup is empty soon and harmless
            }
        }
    }

    /** Whether a process still runs in a cgroup at or under {@code cgroupParent} (a container task left running). */
    public static boolean anyRunning(String cgroupParent) {
        for (Path c : cgroupDirs(cgroupParent)) if (!pidsIn(c).isEmpty()) return true;
        return false;
    }

    /** Every cgroup directory at or under {@code parent}, in every v1 hierarchy and the v2 one, deepest first. */
    static List<Path> cgroupDirs(String parent) {
        List<Path> out = new ArrayList<>();
        if (parent == null || parent.isEmpty() || parent.equals("/")) return out;
        String rel = parent.startsWith("/") ? parent.substring(1) : parent;
        List<Path> roots = new ArrayList<>();
        try (Stream<Path> s = Files.list(CGROUPS)) {
            s.filter(Files::isDirectory).forEach(roots::add);
        } catch (IOException e) {
            return out;
        }
        roots.add(CGROUPS);
        for (Path root : roots) {
            Path p = root.resolve(rel);
            if (!Files.isDirectory(p) || Files.isSymbolicLink(root)) continue;
            try (Stream<Path> s = Files.walk(p)) {
                s.filter(Files::isDirectory).forEach(out::add);
            } catch (IOException e) {
                // gone meanwhile
            }
        }
        out.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return out;
    }

    private static void thaw(Path cgroup) {
        Path state = cgroup.resolve("freezer.state");
        if (Files.exists(state)) {
            try {
                Files.writeString(state, "THAWED");
            } catch (IOException e) {
                // not frozen, or gone
            }
        }
    }

    private static List<Long> pidsIn(Path cgroup) {
        List<Long> out = new ArrayList<>();
        try {
            for (String l : Files.readAllLines(cgroup.resolve("cgroup.procs")))
                if (!l.isBlank()) out.add(Long.parseLong(l.strip()));
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return out;
    }

    /** Processes whose command line mentions {@code text} (a containerd or shim started with our paths). */
    public static List<Long> processesNaming(String text) {
        List<Long> out = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                long pid = Long.parseLong(name);
                if (pid == self) continue;
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmd.contains(text)) out.add(pid);
                } catch (IOException gone) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            // no /proc: nothing to find
        }
        return out;
    }

    private static void kill(long pid) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        h.ifPresent(ProcessHandle::destroyForcibly);
    }

    private static void waitGone(List<Path> cgroups) {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < end) {
            boolean empty = true;
            for (Path c : cgroups) if (!pidsIn(c).isEmpty()) empty = false;
            if (empty) return;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Unmounts every mount point at or under {@code dir} (the deepest first), as seen by this process. */
    public static void unmountUnder(Path dir) {
        String prefix = dir.toAbsolutePath().toString();
        List<String> points = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length < 5) continue;
                String mp = f[4].replace("\\040", " ");
                if (mp.equals(prefix) || mp.startsWith(prefix + "/")) points.add(mp);
            }
        } catch (IOException e) {
            return;
        }
        points.sort(Comparator.comparingInt(String::length).reversed());
        for (String mp : points) Commands.run(List.of("umount", "-l", mp));
    }
}
