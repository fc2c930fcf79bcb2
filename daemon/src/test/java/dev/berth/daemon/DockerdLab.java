package dev.berth.daemon;

import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Docker's own dockerd (Debian's docker.io 20.10) in a lab host's namespace, next to the berthd there. It
 * is started with {@code nsenter --net=} so that the namespaces it makes for containers (bind mounts under
 * its exec root) are visible to berthd, which attaches into them; it has no bridge and no iptables of its
 * own (its containers use Berth's networks). Every path carries the lab's run id (data root, exec root,
 * socket, pid file, config file, cgroup parent); closing removes the containers, stops dockerd, its
 * containerd and their shims by PID, unmounts what they left and removes their cgroups and files.
 */
final class DockerdLab implements AutoCloseable {
    final Path socket;
    private final String tag;
    private final Path base, data;
    private final LabProcess process;

    DockerdLab(Lab lab, LabHost host) {
        tag = Lab.PREFIX + lab.runId() + "-" + host.role() + "-dockerd";
        base = Path.of("/run", tag);
        data = Path.of("/var/lib", tag);
        socket = base.resolve("docker.sock");
        try {
            Files.createDirectories(base);
            Files.writeString(
                    base.resolve("daemon.json"), "{\"deprecated-key-path\": \"" + base.resolve("key.json") + "\"}\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        process = host.spawnDaemon(
                Map.of(),
                "dockerd",
                "--data-root",
                data.toString(),
                "--exec-root",
                base.resolve("exec").toString(),
                "-H",
                "unix://" + socket,
                "--pidfile",
                base.resolve("docker.pid").toString(),
                "--config-file",
                base.resolve("daemon.json").toString(),
                "--storage-driver",
                "overlay2",
                "--cgroup-parent",
                "/" + tag,
                "--bridge",
                "none",
                "--iptables=false",
                "--ip-masq=false",
                "--default-ulimit",
                "nofile=4096:4096");
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!DaemonLab.docker(socket, "version").ok()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String out = process.output();
                close();
                throw new IllegalStateException("dockerd did not start:\n" + DaemonLab.tail(out));
            }
            sleep(200);
        }
    }

    ExecResult docker(String... args) {
        return DaemonLab.docker(socket, args);
    }

    String dockerOk(String... args) {
        ExecResult r = docker(args);
        if (!r.ok())
            throw new AssertionError("docker " + String.join(" ", args) + " failed (" + r.exitCode() + "):\n"
                    + r.stdout() + r.stderr() + "\n--- dockerd log:\n" + DaemonLab.tail(process.output()));
        return r.stdout();
    }

    String log() {
        return process.output();
    }

    /** "busybox:latest" from the host's busybox-static (no registry, no internet). */
    void importBusybox() {
        Path root = base.resolve("rootfs"), tar = base.resolve("busybox.tar");
        try {
            for (String d : List.of("bin", "sbin", "usr/bin", "usr/sbin", "etc", "tmp", "proc", "sys", "dev", "root"))
                Files.createDirectories(root.resolve(d));
            Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
            for (String applet : Commands.run(List.of("/bin/busybox", "--list-full"))
                    .check()
                    .stdout()
                    .split("\n")) {
                if (applet.isBlank() || applet.equals("bin/busybox")) continue;
                Path link = root.resolve(applet);
                if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS))
                    Files.createSymbolicLink(link, Path.of("/bin/busybox"));
            }
            Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
            Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
            Commands.run(List.of("tar", "-C", root.toString(), "-cf", tar.toString(), "."))
                    .check();
            dockerOk("import", "-c", "CMD [\"sh\"]", tar.toString(), "busybox:latest");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the busybox image", e);
        }
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                String ids = docker("ps", "-aq").stdout().trim();
                if (!ids.isEmpty()) {
                    List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                    rm.addAll(List.of(ids.split("\\s+")));
                    docker(rm.toArray(String[]::new));
                }
            }
        } finally {
            long containerd = ProcessHandle.of(process.pid()).stream()
                    .flatMap(ProcessHandle::children)
                    .filter(c -> c.info().command().orElse("").endsWith("containerd"))
                    .mapToLong(ProcessHandle::pid)
                    .findFirst()
                    .orElse(-1);
            Leftovers.stop(process.pid(), Duration.ofSeconds(20));
            if (containerd > 0) Leftovers.stop(containerd, Duration.ofSeconds(10));
            for (long pid : Leftovers.processesNaming(base.toString(), data.toString()))
                Leftovers.stop(pid, Duration.ofSeconds(5)); // shims
            process.close();
            Leftovers.unmountUnder(base, data);
            Leftovers.removeCgroups(tag);
            Leftovers.deleteTree(data);
            Leftovers.deleteTree(base);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
