package dev.berth.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Removes what labs of dead runs left behind: their namespaces, and processes they started if those
 * are still the same processes (same PID and start time, so a reused PID is never touched).
 */
final class LabSweeper {
    private LabSweeper() {}

    static synchronized void sweep() {
        for (String id : staleRunIds()) {
            Path record = Lab.REGISTRY.resolve(id);
            killRecordedProcesses(record);
            deleteNamespaces(id);
            try {
                Files.deleteIfExists(record);
            } catch (IOException ignored) {
                // a later sweep retries
            }
        }
    }

    /** Run ids that have namespaces or a record but whose owning process is gone. */
    private static List<String> staleRunIds() {
        List<String> ids = new ArrayList<>();
        for (String ns : namespaces()) {
            String id = ns.substring(Lab.PREFIX.length()).split("-", 2)[0];
            if (!ids.contains(id)) ids.add(id);
        }
        if (Files.isDirectory(Lab.REGISTRY)) {
            try (Stream<Path> s = Files.list(Lab.REGISTRY)) {
                s.forEach(p -> {
                    if (!ids.contains(p.getFileName().toString()))
                        ids.add(p.getFileName().toString());
                });
            } catch (IOException ignored) {
                // nothing recorded
            }
        }
        ids.removeIf(LabSweeper::ownerAlive);
        return ids;
    }

    private static boolean ownerAlive(String id) {
        for (String[] f : records(Lab.REGISTRY.resolve(id))) {
            if (f[0].equals("owner")) return sameProcess(Long.parseLong(f[1]), Long.parseLong(f[2]));
        }
        return false;
    }

    private static void killRecordedProcesses(Path record) {
        for (String[] f : records(record)) {
            if (!f[0].equals("proc")) continue;
            long pid = Long.parseLong(f[1]);
            if (sameProcess(pid, Long.parseLong(f[2]))) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static boolean sameProcess(long pid, long startMillis) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        return h.isPresent()
                && h.get().isAlive()
                && h.get()
                        .info()
                        .startInstant()
                        .map(i -> i.toEpochMilli() == startMillis)
                        .orElse(false);
    }

    private static List<String[]> records(Path record) {
        try {
            if (!Files.exists(record)) return List.of();
            return Files.readAllLines(record).stream()
                    .map(l -> l.trim().split(" "))
                    .filter(f -> f.length == 3)
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    static List<String> namespaces() {
        ExecResult r = Commands.run(List.of("ip", "netns", "list"));
        List<String> out = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            String name = line.split(" ")[0].trim();
            if (name.startsWith(Lab.PREFIX)) out.add(name);
        }
        return out;
    }

    /** Deletes every namespace of run {@code id}; returns what failed. */
    static List<String> deleteNamespaces(String id) {
        List<String> failures = new ArrayList<>();
        for (String ns : namespaces()) {
            if (!ns.startsWith(Lab.PREFIX + id + "-")) continue;
            ExecResult r = Commands.run(List.of("ip", "netns", "del", ns));
            if (!r.ok()) failures.add("ip netns del " + ns + ": " + r.stderr().strip());
        }
        return failures;
    }
}
