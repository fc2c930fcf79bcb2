package dev.berth.daemon.containers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cgroup (v1) directories of a running container, found from its task's {@code /proc/PID/cgroup}
 * (so they are right whatever cgroup parent or path runc was given), and their counters read as numbers.
 * A file that is missing or unreadable reads as absent: a task may end between two reads.
 */
public record ContainerCgroup(Map<String, Path> controllers) {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    /** The directories of the task {@code pid}, one per v1 controller. */
    public static ContainerCgroup of(long pid) {
        Map<String, Path> dirs = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
                String[] f = line.split(":", 3);
                if (f.length != 3 || f[1].isEmpty()) continue;
                for (String controller : f[1].split(",")) {
                    String name = controller.startsWith("name=") ? controller.substring(5) : controller;
                    Path dir = ROOT.resolve(name).resolve(f[2].substring(1));
                    if (Files.isDirectory(dir)) dirs.put(name, dir);
                }
            }
        } catch (IOException gone) {
            // the task ended: no cgroup to read
        }
        return new ContainerCgroup(Map.copyOf(dirs));
    }

    /** Every process in the container (the pids controller's list, else the memory one's). */
    public List<Long> pids() {
        List<Long> out = new ArrayList<>();
        Path dir = controllers.containsKey("pids") ? controllers.get("pids") : controllers.get("memory");
        if (dir == null) return out;
        for (String l : lines(dir.resolve("cgroup.procs"))) if (!l.isBlank()) out.add(Long.parseLong(l.trim()));
        return out;
    }

    /** One number from {@code controller/file}, or -1 when absent; "max" (no limit) reads as -1 too. */
    public long number(String controller, String file) {
        List<String> l = lines(file(controller, file));
        if (l.isEmpty()) return -1;
        String v = l.getFirst().trim();
        if (v.equals("max")) return -1;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A file of "key value" lines (memory.stat, cpu.stat, cpuacct.stat) as a map. */
    public Map<String, Long> keyed(String controller, String file) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String l : lines(file(controller, file))) {
            String[] kv = l.trim().split("\\s+");
            if (kv.length != 2) continue;
            try {
                out.put(kv[0], Long.parseLong(kv[1]));
            } catch (NumberFormatException e) {
                // not a counter
            }
        }
        return out;
    }

    /** The lines of {@code controller/file}; empty when the container has no such controller or file. */
    public List<String> lines(String controller, String file) {
        return lines(file(controller, file));
    }

    /** Writes a limit (update); false when the controller or file is missing. */
    public boolean write(String controller, String file, String value) throws IOException {
        Path p = file(controller, file);
        if (p == null || !Files.exists(p)) return false;
        Files.writeString(p, value);
        return true;
    }

    private Path file(String controller, String file) {
        Path dir = controllers.get(controller);
        return dir == null ? null : dir.resolve(file);
    }

    private static List<String> lines(Path p) {
        if (p == null) return List.of();
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            return List.of();
        }
    }
}
