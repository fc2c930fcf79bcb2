package dev.berth.runtime.containerd;

import dev.berth.model.log.Log;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Per-container directories of the runtime ({@code STATE/runtime/logs/ID}, {@code RUN/runtime/fifo/ID})
 * whose container containerd no longer has: a crash between containerd's delete and the directories'
 * removal leaves them, and nothing else would ever remove them. Swept when the runtime opens.
 */
final class RuntimeLeftovers {

    private RuntimeLeftovers() {}

    /** Removes the container directories (64 hex digits) under {@code parent} that are not in {@code known}; returns how many. */
    static int sweep(Path parent, Set<String> known) {
        if (!Files.isDirectory(parent)) return 0;
        int removed = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent)) {
            for (Path d : dirs) {
                String id = d.getFileName().toString();
                if (!id.matches("[0-9a-f]{64}") || known.contains(id)) continue;
                Log.warn(
                        "removing a directory of a container containerd does not have (a crash during a remove)",
                        "dir",
                        d,
                        "container",
                        id);
                deleteTree(d);
                removed++;
            }
        } catch (IOException e) {
            Log.warn("cannot sweep leftovers", "dir", parent, "error", e.getMessage());
        }
        return removed;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
