package dev.berth.daemon.containers;

import dev.berth.model.BerthException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A path of a container resolved inside its root file system, as the container would resolve it: every
 * symlink met on the way is read (never followed by the kernel) and its target taken relative to the
 * container's root, and {@code ..} stops at that root. So a hostile link ({@code /x -> /etc/shadow},
 * {@code ../../../}) names a file of the container, never one of the host (Docker's FollowSymlinkInScope).
 *
 * <p>The host path returned has no symlink in its directories at the time of the check; berthd then opens
 * the last component with O_NOFOLLOW. A process of the container racing to swap a checked directory for a
 * link between the check and the open is not prevented (Docker has the same window without openat2).
 */
public final class ContainerPaths {
    private static final int MAX_LINKS = 40;

    private ContainerPaths() {}

    /**
     * {@code path} (absolute, as inside the container) under {@code root}; a symlink as the last component
     * is followed only with {@code followLast}.
     */
    public static Path resolve(Path root, String path, boolean followLast) {
        List<String> in = inContainer(root, path, followLast);
        // the root itself as "root/.": /proc/PID/root is a link to the container's root, not its directory
        return in.isEmpty() ? root.resolve(".") : root.resolve(String.join("/", in));
    }

    /** The same resolution, as the absolute path the container sees ("/" for the root). */
    public static String containerPath(Path root, String path, boolean followLast) {
        return "/" + String.join("/", inContainer(root, path, followLast));
    }

    private static List<String> inContainer(Path root, String path, boolean followLast) {
        if (path == null || path.isEmpty())
            throw new BerthException.InvalidRequest("path", "give the path in the container");
        if (path.indexOf('\0') >= 0) throw new BerthException.InvalidRequest("path", "a path cannot hold a NUL byte");
        Deque<String> todo = new ArrayDeque<>(components(path));
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (!done.isEmpty()) done.removeLast();
                continue;
            }
            Path here = root.resolve(String.join("/", done)).resolve(c);
            boolean last = todo.stream().allMatch(x -> x.isEmpty() || x.equals("."));
            if (!Files.isSymbolicLink(here) || (last && !followLast)) {
                done.add(c);
                continue;
            }
            if (++links > MAX_LINKS)
                throw new BerthException.InvalidRequest("path", "too many levels of symbolic links in " + path);
            String target;
            try {
                target = Files.readSymbolicLink(here).toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (target.startsWith("/")) done.clear();
            List<String> parts = components(target);
            for (int i = parts.size() - 1; i >= 0; i--) todo.addFirst(parts.get(i));
        }
        return done;
    }

    private static List<String> components(String path) {
        return List.of(path.split("/", -1));
    }
}
