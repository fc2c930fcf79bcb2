package dev.berth.runtime.oci;

import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * runc driven directly on bundles made from an {@link OciSpec}: a busybox root file system (Debian's
 * busybox-static, one link per applet) and config.json. Its own runc state root and cgroup parent
 * {@code /<prefix>}; closing kills and deletes every container it started, removes the cgroup parent in
 * every hierarchy and the bundles, also after a failed test.
 */
final class Runc implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Path BUSYBOX = Path.of("/bin/busybox");

    private final Path dir;
    private final Path state;
    private final String cgroupParent;
    private final List<String> started = new ArrayList<>();

    /** @param prefix names the cgroup parent, e.g. the lab's {@code blab-<run>-oci} */
    Runc(String prefix) {
        try {
            dir = Files.createTempDirectory("berth-oci-");
            state = Files.createDirectories(dir.resolve("runc-state"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cgroupParent = "/" + prefix;
    }

    /** The cgroup path a container named {@code id} should use. */
    String cgroup(String id) {
        return cgroupParent + "/" + id;
    }

    /** Writes {@code bundle/<id>/{config.json,rootfs}}; {@code extraFiles} are (path, content) pairs added to the root. */
    Path bundle(String id, byte[] config, String... extraFiles) {
        try {
            Path b = Files.createDirectories(dir.resolve(id));
            Files.write(b.resolve("config.json"), config);
            Path root = Files.createDirectories(b.resolve(OciSpec.ROOTFS));
            for (String d : List.of("bin", "proc", "sys", "dev", "etc", "tmp", "root", "run", "mnt", "data"))
                Files.createDirectories(root.resolve(d));
            Files.copy(BUSYBOX, root.resolve("bin/busybox"));
            for (String applet : Commands.run(List.of(BUSYBOX.toString(), "--list"))
                    .check()
                    .stdout()
                    .split("\n")) {
                if (!applet.isBlank() && !applet.equals("busybox"))
                    Files.createSymbolicLink(root.resolve("bin").resolve(applet), Path.of("busybox"));
            }
            Files.writeString(
                    root.resolve("etc/passwd"),
                    "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n");
            Files.writeString(root.resolve("etc/group"), "root:x:0:\napp:x:1000:\nstaff:x:50:app\n");
            for (int i = 0; i + 1 < extraFiles.length; i += 2) {
                Path f = root.resolve(extraFiles[i].substring(1));
                Files.createDirectories(f.getParent());
                Files.writeString(f, extraFiles[i + 1]);
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code runc run} in the foreground: the container's exit code and output; deleted afterwards. */
    ExecResult run(String id, Path bundle) {
        started.add(id);
        try {
            return Commands.run(
                    List.of("runc", "--root", state.toString(), "run", "--bundle", bundle.toString(), id), TIMEOUT, "");
        } finally {
            delete(id);
        }
    }

    /** {@code runc run -d}: the container keeps running; its output goes to {@code <bundle>/out}. */
    void start(String id, Path bundle) {
        started.add(id);
        Path out = bundle.resolve("out");
        Commands.run(
                        List.of(
                                "sh",
                                "-c",
                                "exec runc --root " + state + " run -d --bundle " + bundle + " " + id + " </dev/null >"
                                        + out + " 2>&1"),
                        TIMEOUT,
                        null)
                .check();
    }

    /** {@code runc exec --process process.json}: a process in a running container. */
    ExecResult exec(String id, byte[] processJson) {
        try {
            Path p = dir.resolve(id + "-process.json");
            Files.write(p, processJson);
            return Commands.run(
                    List.of("runc", "--root", state.toString(), "exec", "--process", p.toString(), id), TIMEOUT, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void delete(String id) {
        Commands.run(List.of("runc", "--root", state.toString(), "delete", "-f", id), TIMEOUT, null);
    }

    /** The folder of this container's cgroup in a v1 hierarchy such as {@code memory}. */
    Path cgroupDir(String controller, String id) {
        return Path.of("/sys/fs/cgroup", controller).resolve(cgroup(id).substring(1));
    }

    @Override
    public void close() {
        for (String id : started) delete(id);
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.toList()) {
                Path parent = h.resolve(cgroupParent.substring(1));
                if (Files.isDirectory(parent)) removeCgroup(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Commands.run(List.of("rm", "-rf", dir.toString()));
    }

    /** Cgroup folders go with rmdir, children first (their files cannot be deleted). */
    private static void removeCgroup(Path p) throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.walk(p)) {
            dirs = s.filter(Files::isDirectory)
                    .sorted(Comparator.reverseOrder())
                    .toList();
        }
        for (Path d : dirs) Files.deleteIfExists(d);
    }
}
