package dev.berth.runtime.oci;

import dev.berth.netlink.sys.FileModes;
import dev.berth.runtime.oci.OciModel.Device;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The host's device nodes, which a privileged container gets as Docker gives them (runc makes each node). */
final class HostDevices {
    /** Folders of /dev that hold mounts or runtime state rather than devices of their own. */
    private static final Set<String> SKIP = Set.of("pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev");

    private HostDevices() {}

    static List<Device> list() {
        List<Device> out = new ArrayList<>();
        walk(Path.of("/dev"), out);
        return List.copyOf(out);
    }

    private static void walk(Path dir, List<Device> out) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    if (!SKIP.contains(p.getFileName().toString())) walk(p, out);
                    continue;
                }
                if (p.toString().equals("/dev/console"))
                    continue; // runc makes the console from the container's terminal
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,rdev,uid,gid", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode");
                boolean character = FileModes.isCharacterDevice(mode);
                if (!character && !FileModes.isBlockDevice(mode)) continue;
                long rdev = (Long) a.get("rdev");
                out.add(new Device(
                        p.toString(),
                        character ? "c" : "b",
                        FileModes.major(rdev),
                        FileModes.minor(rdev),
                        FileModes.permissions(mode),
                        ((Integer) a.get("uid")).longValue(),
                        ((Integer) a.get("gid")).longValue()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list host devices in " + dir, e);
        }
    }
}
