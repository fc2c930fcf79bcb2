package dev.berth.daemon.containers;

import dev.berth.model.log.Log;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Per-container directories berthd keeps under the run directory ({@code RUN/containers/ID}: the /etc
 * files; {@code RUN/rootfs/ID}: a stopped container's root file system mounted for docker cp) that no
 * container record owns any more: a crash between a remove's steps, or inside a copy, leaves them. Swept
 * at start-up, after the records are loaded; a mount point is unmounted first.
 */
final class OrphanFiles {
    private OrphanFiles() {}

    /**
     * Removes the directories under {@code parent} named like a container id that are not in {@code records};
     * one that is a mount point is given to {@code unmount} first (null: nothing is mounted there).
     */
    static void sweep(Path parent, Set<String> records, Consumer<Path> unmount) {
        if (!Files.isDirectory(parent)) return;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent)) {
            for (Path d : dirs) {
                String id = d.getFileName().toString();
                if (!id.matches("[0-9a-f]{64}") || records.contains(id)) continue;
                Log.warn("removing files of a container no record owns", "path", d.toString());
                try {
                    if (unmount != null && isMountPoint(d)) unmount.accept(d);
                    ContainerFiles.deleteTree(d);
                } catch (RuntimeException e) {
                    Log.warn(
                            "cannot remove files of a removed container",
                            "path",
                            d.toString(),
                            "error",
                            e.getMessage());
                }
            }
        } catch (IOException e) {
            Log.warn("cannot sweep container files", "path", parent.toString(), "error", e.getMessage());
        }
    }

    /** Whether {@code dir} is a mount point: its device differs from its parent's. */
    private static boolean isMountPoint(Path dir) {
        try {
            return !Files.getAttribute(dir, "unix:dev").equals(Files.getAttribute(dir.getParent(), "unix:dev"));
        } catch (IOException e) {
            return false;
        }
    }
}
