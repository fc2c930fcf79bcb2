package dev.berth.runtime.containerd;

import dev.berth.model.log.Log;
import dev.berth.runtime.containerd.api.containers.DeleteContainerRequest;
import dev.berth.runtime.containerd.api.containers.ListContainersRequest;
import dev.berth.runtime.containerd.api.namespaces.ListNamespacesRequest;
import dev.berth.runtime.containerd.api.namespaces.Namespace;
import dev.berth.runtime.containerd.api.snapshots.ListSnapshotsRequest;
import dev.berth.runtime.containerd.api.snapshots.RemoveSnapshotRequest;
import dev.berth.runtime.containerd.api.tasks.DeleteTaskRequest;
import dev.berth.runtime.containerd.api.tasks.KillRequest;
import dev.berth.runtime.containerd.api.tasks.ListTasksRequest;
import dev.berth.runtime.containerd.api.tasks.WaitRequest;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A containerd that Berth starts and supervises itself when it is not given one ({@code berthd
 * --containerd SOCKET}), as dockerd does with its managed containerd: a config written by Berth, root
 * and state under Berth's directories, the CRI plugin and other unneeded plugins off, runc through the
 * v2 shim. It runs in a session of its own, so it outlives berthd's restarts; the next berthd finds it
 * through the pid file and reuses it while it answers.
 *
 * <p>Layout: {@code STATE/containerd/{config.toml,root,containerd.log}} (kept across reboots, like
 * /var/lib/containerd) and {@code RUN/containerd/{containerd.sock,state,containerd.pid}} (runtime
 * state, like /run/containerd).
 */
public final class ManagedContainerd {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Where the managed containerd lives and how it is started.
     *
     * @param stateDir Berth's state directory (persistent data)
     * @param runDir   Berth's run directory (socket, pid file, runtime state)
     * @param netns    a network namespace path to start containerd in (tests start it inside a lab);
     *                 null: the caller's own
     */
    public record Config(Path stateDir, Path runDir, Path netns) {
        public Path home() {
            return stateDir.resolve("containerd");
        }

        public Path root() {
            return home().resolve("root");
        }

        public Path configFile() {
            return home().resolve("config.toml");
        }

        public Path logFile() {
            return home().resolve("containerd.log");
        }

        public Path runHome() {
            return runDir.resolve("containerd");
        }

        public Path state() {
            return runHome().resolve("state");
        }

        public Path socket() {
            return runHome().resolve("containerd.sock");
        }

        public Path pidFile() {
            return runHome().resolve("containerd.pid");
        }
    }

    private final Config config;
    private final long pid;
    private final boolean startedHere;

    private ManagedContainerd(Config config, long pid, boolean startedHere) {
        this.config = config;
        this.pid = pid;
        this.startedHere = startedHere;
    }

    /** Reuses the live managed containerd of {@code config}, or starts one and waits until it answers. */
    public static ManagedContainerd start(Config config) {
        Optional<Long> live = livePid(config);
        if (live.isPresent()) {
            try (Containerd c = Containerd.connect(config.socket(), "default")) {
                c.awaitReady(Duration.ofSeconds(5));
                Log.info("reusing managed containerd", "pid", live.get(), "socket", config.socket());
                return new ManagedContainerd(config, live.get(), false);
            } catch (TimeoutException e) {
                Log.warn("managed containerd does not answer; restarting it", "pid", live.get());
                terminate(live.get(), Duration.ofSeconds(10));
            }
        }
        return launch(config);
    }

    private static ManagedContainerd launch(Config config) {
        try {
            Files.createDirectories(config.root());
            Files.createDirectories(config.state());
            Files.deleteIfExists(config.socket());
            writeAtomically(config.configFile(), configToml(config));
            List<String> cmd = new ArrayList<>();
            cmd.add("setsid"); // own session: no SIGHUP or group signal from berthd's terminal or service manager
            if (config.netns() != null) {
                cmd.addAll(List.of("nsenter", "--net=" + config.netns()));
            }
            cmd.addAll(List.of("containerd", "--config", config.configFile().toString()));
            var p = new ProcessBuilder(cmd)
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(
                            ProcessBuilder.Redirect.appendTo(config.logFile().toFile()))
                    .redirectErrorStream(true)
                    .start();
            // setsid and nsenter --net exec in place (neither forks here), so this pid is containerd's.
            long pid = p.pid();
            writeAtomically(config.pidFile(), pid + "\n");
            ManagedContainerd m = new ManagedContainerd(config, pid, true);
            try (Containerd c = Containerd.connect(config.socket(), "default")) {
                long end = System.nanoTime() + START_TIMEOUT.toNanos();
                while (!Files.exists(config.socket())) {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("containerd exited with " + p.exitValue()
                                + " while starting; see " + config.logFile() + ": " + tail(config.logFile()));
                    }
                    if (System.nanoTime() > end) {
                        throw new TimeoutException("no socket " + config.socket());
                    }
                    Thread.sleep(20);
                }
                c.awaitReady(START_TIMEOUT);
            } catch (TimeoutException | InterruptedException | RuntimeException e) {
                terminate(pid, Duration.ofSeconds(5));
                throw new IllegalStateException(
                        "managed containerd did not start: " + e.getMessage() + "; log " + config.logFile(), e);
            }
            Log.info("started managed containerd", "pid", pid, "socket", config.socket());
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the managed containerd under " + config.home(), e);
        }
    }

    /**
     * containerd's config: everything under Berth's directories, only the plugins Berth uses. Off: CRI
     * (Kubernetes'), every snapshotter but overlayfs, tracing, the cgroups monitor (metrics and OOM events:
     * Berth reads a container's OOM from its cgroup), the restart monitor (Berth applies restart policies),
     * the health service and the /opt plugin installer. Kept: what Berth calls (containers, tasks with the
     * v2 runc shim and the v1 runtime the tasks service needs loaded, snapshots, content, images, diff,
     * leases, namespaces, version), the events service the shims publish into, the collector, and
     * introspection (ctr's image unpack asks it which platforms the snapshotter takes).
     */
    static String configToml(Config c) {
        return """
                # Written by Berth; rewritten at every start of the managed containerd.
                version = 2
                root = "%s"
                state = "%s"
                oom_score = -500
                disabled_plugins = [
                  "io.containerd.grpc.v1.cri",
                  "io.containerd.snapshotter.v1.aufs",
                  "io.containerd.snapshotter.v1.btrfs",
                  "io.containerd.snapshotter.v1.devmapper",
                  "io.containerd.snapshotter.v1.native",
                  "io.containerd.snapshotter.v1.zfs",
                  "io.containerd.tracing.processor.v1.otlp",
                  "io.containerd.internal.v1.tracing",
                  "io.containerd.monitor.v1.cgroups",
                  "io.containerd.internal.v1.restart",
                  "io.containerd.grpc.v1.healthcheck",
                  "io.containerd.internal.v1.opt",
                ]

                [grpc]
                  address = "%s"

                [ttrpc]
                  address = ""

                [debug]
                  address = ""
                  level = "info"

                [metrics]
                  address = ""

                # the tasks service needs the v1 runtime plugin loaded; Berth only uses the v2 runc shim
                [plugins."io.containerd.runtime.v1.linux"]
                  no_shim = false

                [plugins."io.containerd.runtime.v2.task"]
                  platforms = ["linux/amd64"]
                """.formatted(c.root(), c.state(), c.socket());
    }

    public Path socket() {
        return config.socket();
    }

    public long pid() {
        return pid;
    }

    /** Whether this call started containerd (false: an earlier berthd's was reused). */
    public boolean startedHere() {
        return startedHere;
    }

    public Config config() {
        return config;
    }

    /**
     * For tests and uninstall: kills every task of every namespace (SIGKILL, then deletes it so runc
     * removes its cgroup and containerd unmounts its rootfs), removes containers and snapshots, stops
     * containerd, then ends any shim still serving this containerd, by PID.
     */
    public void stop() {
        try (Containerd c = Containerd.connect(config.socket(), "default")) {
            for (Namespace ns : c.namespaces()
                    .list(ListNamespacesRequest.getDefaultInstance())
                    .getNamespacesList()) {
                clean(config.socket(), ns.getName());
            }
        } catch (StatusRuntimeException e) {
            Log.warn("managed containerd cleanup failed", "status", e.getStatus());
        }
        terminate(pid, Duration.ofSeconds(10));
        for (long shim : shimPids(config.socket())) {
            terminate(shim, Duration.ofSeconds(5));
        }
        try {
            Files.deleteIfExists(config.pidFile());
            Files.deleteIfExists(config.socket());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void clean(Path socket, String namespace) {
        try (Containerd c = Containerd.connect(socket, namespace)) {
            for (var t : c.tasks().list(ListTasksRequest.getDefaultInstance()).getTasksList()) {
                // a task's id is its container's; containerd leaves container_id empty in List answers
                String id = t.getContainerId().isEmpty() ? t.getId() : t.getContainerId();
                quietly(
                        "kill task " + id,
                        () -> c.tasks()
                                .kill(KillRequest.newBuilder()
                                        .setContainerId(id)
                                        .setSignal(9)
                                        .setAll(true)
                                        .build()));
                quietly(
                        "wait for task " + id,
                        () -> c.tasksNoDeadline()
                                .withDeadlineAfter(10, TimeUnit.SECONDS)
                                .wait(WaitRequest.newBuilder()
                                        .setContainerId(id)
                                        .build()));
                quietly(
                        "delete task " + id,
                        () -> c.tasks()
                                .delete(DeleteTaskRequest.newBuilder()
                                        .setContainerId(id)
                                        .build()));
            }
            for (var ct : c.containers()
                    .list(ListContainersRequest.getDefaultInstance())
                    .getContainersList()) {
                quietly(
                        "delete container " + ct.getId(),
                        () -> c.containers()
                                .delete(DeleteContainerRequest.newBuilder()
                                        .setId(ct.getId())
                                        .build()));
            }
            c.snapshots()
                    .list(ListSnapshotsRequest.newBuilder()
                            .setSnapshotter("overlayfs")
                            .build())
                    .forEachRemaining(r -> r.getInfoList().forEach(i -> {
                        try {
                            c.snapshots()
                                    .remove(RemoveSnapshotRequest.newBuilder()
                                            .setSnapshotter("overlayfs")
                                            .setKey(i.getName())
                                            .build());
                        } catch (StatusRuntimeException e) {
                            // a parent of another snapshot: goes with its children when containerd's root goes
                        }
                    }));
        }
    }

    /** One cleanup step; a failure is logged and the cleanup goes on with the next one. */
    private static void quietly(String what, Runnable step) {
        try {
            step.run();
        } catch (StatusRuntimeException e) {
            Log.debug(what, "status", e.getStatus());
        }
    }

    /** The pid of the live containerd the pid file names, if it is still that containerd. */
    static Optional<Long> livePid(Config config) {
        try {
            long pid = Long.parseLong(Files.readString(config.pidFile()).strip());
            String cmdline = cmdline(pid);
            return cmdline.contains("containerd")
                            && cmdline.contains(config.configFile().toString())
                    ? Optional.of(pid)
                    : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Shims serving the containerd on {@code socket}: their command line names its address. */
    public static List<Long> shimPids(Path socket) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.map(p -> p.getFileName().toString())
                    .filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong)
                    .filter(pid -> {
                        String cmd = cmdline(pid);
                        return cmd.startsWith("containerd-shim-runc-v2") || cmd.contains("/containerd-shim-runc-v2")
                                ? List.of(cmd.split(" ")).contains(socket.toString())
                                : false;
                    })
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String cmdline(long pid) {
        try {
            return new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ')
                    .strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGTERM, then SIGKILL after {@code grace}; waits until the process is gone. */
    static void terminate(long pid, Duration grace) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty()) {
            return;
        }
        h.get().destroy();
        try {
            h.get().onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            h.get().destroyForcibly();
            try {
                h.get().onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                Log.warn("a process survived SIGKILL for 5 s", "pid", pid);
            }
        }
    }

    static void writeAtomically(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }
}
