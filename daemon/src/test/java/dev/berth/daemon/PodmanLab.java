package dev.berth.daemon;

import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Podman 4.3 with its CNI backend, as anchors/runtimes/NOTES.md runs it: inside a lab host's namespace with
 * {@code nsenter --net=} (not {@code ip netns exec}, whose remount of /sys hides the cgroups), runc, a
 * containers.conf of its own whose only network is Berth's plugin ({@code bin/cni/berth}) on a Berth network,
 * storage, run root and temp files under a temp dir, cgroups under {@code /<lab prefix>podman}, and an
 * image {@code localhost/bb} imported from Debian's busybox-static (no registry, no internet). Closing it
 * removes every container, unmounts what Podman left mounted under the dir, the cgroups and the dir.
 */
final class PodmanLab implements AutoCloseable {
    static final String NETWORK = "berthnet";
    static final String IMAGE = "localhost/bb";
    /** The machine's hard limit is 20000; Podman asks for more by default, which runc cannot set. */
    private static final List<String> LIMITS = List.of("--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096");

    private final LabHost host;
    private final Path dir;
    private final String cgroupParent;

    PodmanLab(Lab lab, LabHost host, Path berthSocket, String berthNetwork) {
        this.host = host;
        this.cgroupParent = "/" + lab.prefix("podman");
        try {
            dir = Files.createTempDirectory("podman-" + lab.runId() + "-");
            Path netd = Files.createDirectories(dir.resolve("net.d"));
            Files.writeString(
                    netd.resolve(NETWORK + ".conflist"),
                    "{\"cniVersion\":\"1.0.0\",\"name\":\"" + NETWORK + "\",\"plugins\":[{"
                            + "\"type\":\"berth\",\"socket\":\"" + berthSocket + "\",\"network\":\"" + berthNetwork
                            + "\","
                            + "\"capabilities\":{\"portMappings\":true,\"ips\":true,\"mac\":true,\"dns\":true}}]}\n");
            Files.writeString(dir.resolve("containers.conf"), """
                    [network]
                    network_backend = "cni"
                    cni_plugin_dirs = ["%s"]
                    network_config_dir = "%s"
                    default_network = "%s"
                    [engine]
                    events_logger = "file"
                    events_logfile_path = "%s"
                    cgroup_manager = "cgroupfs"
                    tmp_dir = "%s"
                    """.formatted(
                    CniPlugin.BINARY.getParent(), netd, NETWORK, dir.resolve("events.log"), dir.resolve("tmp")));
            podmanOk("import", busyboxTar().toString(), IMAGE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code podman run -d} with the limits this machine allows and the lab's cgroup parent; returns the container id. */
    String runDetached(String name, String... args) {
        List<String> a = new ArrayList<>(List.of("run", "-d", "--name", name, "--cgroup-parent", cgroupParent));
        a.addAll(LIMITS);
        a.addAll(List.of(args));
        return podmanOk(a.toArray(String[]::new)).trim();
    }

    ExecResult podman(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                "nsenter",
                "--net=" + host.netnsPath(),
                "env",
                "CONTAINERS_CONF=" + dir.resolve("containers.conf"),
                "podman",
                "--runtime",
                "/usr/sbin/runc",
                "--root",
                dir.resolve("root").toString(),
                "--runroot",
                dir.resolve("runroot").toString(),
                "--storage-driver",
                "vfs",
                "--cgroup-manager",
                "cgroupfs"));
        cmd.addAll(List.of(args));
        return Commands.run(cmd, Duration.ofSeconds(120), null);
    }

    String podmanOk(String... args) {
        ExecResult r = podman(args);
        if (!r.ok())
            throw new AssertionError(
                    "podman " + String.join(" ", args) + " failed (" + r.exitCode() + "): " + r.stdout() + r.stderr());
        return r.stdout();
    }

    /** A container's address on the Berth network, as Podman recorded the plugin's result. */
    String ip(String container) {
        return podmanOk(
                        "inspect",
                        container,
                        "--format",
                        "{{(index .NetworkSettings.Networks \"" + NETWORK + "\").IPAddress}}")
                .trim();
    }

    /** A root file system of busybox-static (the binary and a link per applet), as a tar to import. */
    private Path busyboxTar() throws IOException {
        Path root = dir.resolve("rootfs");
        for (String d : List.of("bin", "sbin", "usr/bin", "usr/sbin", "etc", "tmp", "proc", "sys", "dev", "root"))
            Files.createDirectories(root.resolve(d));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
        root.resolve("bin/busybox").toFile().setExecutable(true, false);
        for (String applet : Commands.run(List.of("/bin/busybox", "--list-full"))
                .check()
                .stdout()
                .split("\n")) {
            if (applet.isBlank() || applet.equals("bin/busybox")) continue;
            Path link = root.resolve(applet);
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, Path.of("/bin/busybox"));
        }
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
        Path tar = dir.resolve("busybox.tar");
        Commands.run(List.of("tar", "-C", root.toString(), "-cf", tar.toString(), "."))
                .check();
        return tar;
    }

    @Override
    public void close() {
        try {
            podman("rm", "-a", "-f", "-t", "0");
            podman("rmi", "-a", "-f");
        } finally {
            unmountUnder(dir);
            removeCgroups();
            deleteTree(dir);
        }
    }

    /** Whatever Podman left mounted under its dirs (shm, the storage's own mounts), deepest first. */
    private static void unmountUnder(Path dir) {
        List<String> mounts = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String target = line.split(" ")[4];
                if (target.startsWith(dir.toString())) mounts.add(target);
            }
        } catch (IOException e) {
            return;
        }
        mounts.sort(Comparator.comparing(String::length).reversed());
        for (String m : mounts) Commands.run(List.of("umount", "-l", m));
    }

    /** The lab's cgroup parent in every controller (conmon's and the containers' cgroups are under it). */
    private void removeCgroups() {
        try (var controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path c : controllers.toList()) {
                Path parent = c.resolve(cgroupParent.substring(1));
                if (!Files.isDirectory(parent)) continue;
                try (var all = Files.walk(parent)) {
                    for (Path p : all.filter(Files::isDirectory)
                            .sorted(Comparator.reverseOrder())
                            .toList()) Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot remove the cgroups under " + cgroupParent + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // a temp directory left behind is harmless
        }
    }
}
