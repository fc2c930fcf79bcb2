package dev.berth.runtime.containerd;

import dev.berth.model.log.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * runc containers in Berth's runc root that containerd has no task for: berthd killed while containerd's
 * task create ran cuts the create short (the call's context ends with berthd's connection), and the shim
 * goes without {@code runc delete}: runc's state, its init process waiting to be started and its cgroup
 * stay. Removed with {@code runc delete --force} when the runtime opens, before any task of this berthd.
 */
final class RuncLeftovers {

    private RuncLeftovers() {}

    /**
     * Deletes the runc containers under {@code root} (runc's {@code --root}: one directory per container)
     * whose id is not in {@code tasks}; returns how many.
     */
    static int sweep(Path root, Set<String> tasks) {
        if (!Files.isDirectory(root)) return 0;
        int removed = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path d : dirs) {
                String id = d.getFileName().toString();
                if (!id.matches("[0-9a-f]{64}") || tasks.contains(id) || !Files.isDirectory(d)) continue;
                Log.warn(
                        "removing a runc container containerd has no task for (a crash during a task create)",
                        "container",
                        id);
                if (runcDelete(root, id)) removed++;
            }
        } catch (IOException e) {
            Log.warn("cannot sweep runc's leftovers", "dir", root, "error", e.getMessage());
        }
        return removed;
    }

    private static boolean runcDelete(Path root, String id) {
        List<String> cmd = List.of("runc", "--root", root.toString(), "delete", "--force", id);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                Log.warn("runc delete did not finish within 30 s", "container", id);
                return false;
            }
            if (p.exitValue() != 0) {
                Log.warn("runc delete failed", "container", id, "output", out.strip());
                return false;
            }
            return true;
        } catch (IOException e) {
            Log.warn("cannot run runc delete", "container", id, "error", e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
