package dev.berth.bench.api;

import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Docker's own dockerd (Debian's docker.io 20.10) inside a lab namespace, started through
 * scripts/bench-api-dockerd.sh under {@code ip netns exec} (which re-mounts the cgroup hierarchies that
 * the netns' private mount namespace hides). It runs its own containerd as a child. Every path it
 * uses carries the lab's run id: data root /var/lib/blab-ID-dockerd, exec root, socket and pid file
 * under /run/blab-ID-dockerd, cgroup parent /blab-ID-dockerd; a config file of its own (only its
 * trust key's path, which would be /etc/docker/key.json), so /etc/docker/daemon.json cannot change it. Close stops dockerd and containerd by PID and removes
 * all of it.
 */
record DockerdTarget(
        LabProcess process,
        long containerdPid,
        String tag,
        Path base,
        Path data,
        Path socket,
        String version,
        long startMillis,
        List<String> notes)
        implements Target {

    static DockerdTarget start(Lab lab, LabHost host, Path wrapper) {
        String tag = Lab.PREFIX + lab.runId() + "-dockerd";
        Path base = Path.of("/run", tag), data = Path.of("/var/lib", tag), socket = base.resolve("docker.sock");
        try {
            Files.createDirectories(base);
            // its trust key would otherwise land in /etc/docker/key.json
            Files.writeString(
                    base.resolve("daemon.json"), "{\"deprecated-key-path\": \"" + base.resolve("key.json") + "\"}\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long t0 = System.nanoTime();
        LabProcess p = host.spawn(
                wrapper.toString(),
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
                "--iptables=true");
        long ms;
        try {
            ms = Targets.awaitPing(socket, t0, p::isAlive, "dockerd", p::output);
        } catch (RuntimeException e) {
            new DockerdTarget(p, -1, tag, base, data, socket, "", 0, new ArrayList<>()).close();
            throw e;
        }
        // dockerd starts its managed containerd as a child; noted now so it can be stopped by PID later
        long containerd = ProcessHandle.of(p.pid()).stream()
                .flatMap(ProcessHandle::children)
                .filter(c -> c.info().command().orElse("").endsWith("containerd"))
                .mapToLong(ProcessHandle::pid)
                .findFirst()
                .orElse(-1);
        return new DockerdTarget(
                p, containerd, tag, base, data, socket, Targets.version(socket), ms, new ArrayList<>());
    }

    @Override
    public String name() {
        return "dockerd";
    }

    /** Imports a busybox image built from the host's static busybox, as "busybox:latest", with the docker CLI. */
    void importBusybox(String dockerCli) {
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isExecutable(busybox))
            throw new IllegalStateException("/bin/busybox is missing: apt-get install busybox-static");
        Path root = null, tar = null;
        try {
            root = Files.createTempDirectory(tag + "-rootfs-");
            for (String d : List.of("bin", "sbin", "usr/bin", "usr/sbin", "etc", "tmp", "proc", "sys", "dev", "root"))
                Files.createDirectories(root.resolve(d));
            Files.copy(busybox, root.resolve("bin/busybox"));
            String list = Cli.output(List.of("/bin/busybox", "--list-full"));
            for (String applet : list.split("\n")) {
                applet = applet.strip();
                if (applet.isEmpty() || applet.equals("bin/busybox")) continue;
                Path link = root.resolve(applet);
                Files.createDirectories(link.getParent());
                if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS))
                    Files.createSymbolicLink(link, Path.of("/bin/busybox"));
            }
            Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
            Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
            tar = Files.createTempFile(tag + "-busybox-", ".tar");
            Cli.output(List.of("tar", "-C", root.toString(), "-cf", tar.toString(), "."));
            Cli.output(List.of(
                    dockerCli,
                    "-H",
                    "unix://" + socket,
                    "import",
                    "-c",
                    "CMD [\"sh\"]",
                    tar.toString(),
                    "busybox:latest"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the busybox image", e);
        } finally {
            if (root != null) Targets.deleteTree(root);
            if (tar != null) Targets.deleteTree(tar);
        }
    }

    @Override
    public void close() {
        List<String> left = List.of();
        try {
            if (process.isAlive()) left = Targets.empty(socket);
        } catch (RuntimeException e) {
            notes.add("could not empty dockerd: " + e.getMessage());
        }
        stop(process.pid(), "dockerd", Duration.ofSeconds(20));
        if (containerdPid > 0) stop(containerdPid, "containerd", Duration.ofSeconds(10));
        // shims outlive containerd when a container could not be removed; ours name our paths
        for (long pid : processesNaming(base.toString(), data.toString()))
            stop(pid, "process naming " + tag, Duration.ofSeconds(5));
        process.close();
        Targets.deleteTree(data);
        Targets.deleteTree(base);
        removeCgroups();
        if (!left.isEmpty()) notes.add("dockerd could not remove " + left);
    }

    /** SIGTERM, then SIGKILL after {@code grace}; only this PID. */
    private void stop(long pid, String what, Duration grace) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) return;
        h.get().destroy();
        try {
            h.get().onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception timeout) {
            notes.add(what + " (pid " + pid + ") ignored SIGTERM for " + grace.toSeconds() + " s: killed");
            h.get().destroyForcibly();
        }
    }

    private static List<Long> processesNaming(String... needles) {
        List<Long> pids = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit) || Long.parseLong(n) == self) continue;
                String cmdline;
                try {
                    cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                } catch (IOException gone) {
                    continue;
                }
                for (String needle : needles) {
                    if (cmdline.contains(needle)) {
                        pids.add(Long.parseLong(n));
                        break;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pids;
    }

    /** The cgroup directories dockerd made under our parent, in every hierarchy, deepest first. */
    private void removeCgroups() {
        Path cg = Path.of("/sys/fs/cgroup");
        List<Path> roots = new ArrayList<>(List.of(cg.resolve(tag)));
        try (Stream<Path> s = Files.list(cg)) {
            s.forEach(h -> roots.add(h.resolve(tag)));
        } catch (IOException ignored) {
            // no cgroup tree at all
        }
        for (Path r : roots) {
            if (!Files.isDirectory(r)) continue;
            try (Stream<Path> s = Files.walk(r)) {
                for (Path d : s.filter(Files::isDirectory)
                        .sorted(Comparator.reverseOrder())
                        .toList()) {
                    try {
                        Files.delete(d); // rmdir: a cgroup dir goes away empty of processes, its files with it
                    } catch (IOException e) {
                        notes.add("could not remove cgroup " + d + ": " + e.getMessage());
                    }
                }
            } catch (IOException e) {
                notes.add("could not list cgroup " + r + ": " + e.getMessage());
            }
        }
    }
}
