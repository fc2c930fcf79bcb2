package dev.berth.runtime.containerd;

import static dev.berth.runtime.containerd.api.task.Status.PAUSED;
import static dev.berth.runtime.containerd.api.task.Status.RUNNING;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import dev.berth.model.BerthException;
import dev.berth.model.log.Log;
import dev.berth.runtime.AttachSession;
import dev.berth.runtime.ContainerRuntime;
import dev.berth.runtime.ExecRequest;
import dev.berth.runtime.ExecSession;
import dev.berth.runtime.LogOptions;
import dev.berth.runtime.LogReader;
import dev.berth.runtime.RuntimeConfig;
import dev.berth.runtime.TaskState;
import dev.berth.runtime.containerd.api.containers.Container;
import dev.berth.runtime.containerd.api.containers.CreateContainerRequest;
import dev.berth.runtime.containerd.api.containers.DeleteContainerRequest;
import dev.berth.runtime.containerd.api.containers.GetContainerRequest;
import dev.berth.runtime.containerd.api.containers.ListContainersRequest;
import dev.berth.runtime.containerd.api.containers.UpdateContainerRequest;
import dev.berth.runtime.containerd.api.namespaces.CreateNamespaceRequest;
import dev.berth.runtime.containerd.api.namespaces.Namespace;
import dev.berth.runtime.containerd.api.runc.Options;
import dev.berth.runtime.containerd.api.snapshots.Kind;
import dev.berth.runtime.containerd.api.snapshots.ListSnapshotsRequest;
import dev.berth.runtime.containerd.api.snapshots.MountsRequest;
import dev.berth.runtime.containerd.api.snapshots.PrepareSnapshotRequest;
import dev.berth.runtime.containerd.api.snapshots.RemoveSnapshotRequest;
import dev.berth.runtime.containerd.api.task.Process;
import dev.berth.runtime.containerd.api.tasks.CloseIORequest;
import dev.berth.runtime.containerd.api.tasks.CreateTaskRequest;
import dev.berth.runtime.containerd.api.tasks.DeleteTaskRequest;
import dev.berth.runtime.containerd.api.tasks.GetRequest;
import dev.berth.runtime.containerd.api.tasks.KillRequest;
import dev.berth.runtime.containerd.api.tasks.ListTasksRequest;
import dev.berth.runtime.containerd.api.tasks.PauseTaskRequest;
import dev.berth.runtime.containerd.api.tasks.ResizePtyRequest;
import dev.berth.runtime.containerd.api.tasks.ResumeTaskRequest;
import dev.berth.runtime.containerd.api.tasks.StartRequest;
import dev.berth.runtime.containerd.api.tasks.UpdateTaskRequest;
import dev.berth.runtime.containerd.api.types.Mount;
import dev.berth.runtime.containerd.io.StdioFifos;
import dev.berth.runtime.logs.JsonFileLog;
import dev.berth.runtime.logs.JsonFileLogReader;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@link ContainerRuntime} on containerd with runc (the v2 shim), in one containerd namespace of
 * Berth's. Files: logs in {@code STATE/runtime/logs/ID/ID-json.log} (Docker's json-file), FIFOs in
 * {@code RUN/runtime/fifo/ID/}, runc's state in {@code RUN/runtime/runc}.
 *
 * <p>Restarts: tasks run on under their shims while berthd is away. Output stays in the FIFOs (the
 * shim holds them; up to the pipe's size, then the task waits, as with Docker) and {@link #open} reopens
 * them and goes on logging; the shim holds a writer of the stdin FIFO itself, so a {@code -i} task's
 * stdin stays open while berthd is away (it closes only with CloseIO). Exits are
 * watched with Tasks.Wait, which also answers at once for a task that exited meanwhile (it stays STOPPED
 * until deleted).
 */
public final class ContainerdRuntime implements ContainerRuntime {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUNTIME = "io.containerd.runc.v2";
    private static final int SIGKILL = 9;
    /** The image's chain id a container's snapshot is prepared on (to prepare it again after a crash). */
    private static final String SNAPSHOT_PARENT = "dev.berth.snapshot-parent";

    private final RuntimeConfig config;
    private final Containerd client;
    private final Execs execs;
    private final ExitWatch exitWatch;
    private final Map<String, Box> boxes = new ConcurrentHashMap<>();
    /** Writes start times into containerd's labels, in order, off the starts' path. */
    private final ExecutorService labelWriter = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("start-labels").factory());

    private volatile boolean closed;
    /** Trims the managed containerd's own log; null with a containerd of the user's. */
    private volatile ContainerdLogCap logCap;

    private ContainerdRuntime(RuntimeConfig config, Containerd client) {
        this.config = config;
        this.client = client;
        this.execs = new Execs(client);
        this.exitWatch = new ExitWatch(client, () -> closed, b -> {
            Process p = task(b.id);
            if (p == null) throw new BerthException.NotFound("container " + b.id + " has no task");
            return stopped(b, p, b.startedAt);
        });
    }

    /**
     * Connects to {@code config.containerdSocket()}, or to berthd's managed containerd (started when it
     * does not run), and adopts the tasks that run in Berth's namespace.
     */
    public static ContainerdRuntime open(RuntimeConfig config) {
        Path socket = config.containerdSocket() != null
                ? config.containerdSocket()
                : ManagedContainerd.start(new ManagedContainerd.Config(config.stateDir(), config.runDir(), null))
                        .socket();
        Containerd client = Containerd.connect(socket, config.namespace());
        try {
            client.awaitReady(Duration.ofSeconds(10));
            ensureNamespace(client, config.namespace());
            ContainerdRuntime rt = new ContainerdRuntime(config, client);
            Set<String> tasks = rt.adoptAll();
            // runc's root holds one directory per namespace (the shim adds it)
            RuncLeftovers.sweep(config.runDir().resolve("runtime/runc").resolve(config.namespace()), tasks);
            rt.removeOrphanSnapshots();
            rt.removeOrphanFiles();
            if (config.containerdSocket() == null)
                rt.logCap = ContainerdLogCap.start(
                        new ManagedContainerd.Config(config.stateDir(), config.runDir(), null).logFile());
            return rt;
        } catch (TimeoutException | RuntimeException e) {
            client.close();
            throw new BerthException.Failed("containerd at " + socket + ": " + e.getMessage(), e);
        }
    }

    /**
     * The connection to containerd this runtime uses (namespace {@code config.namespace()}), for the image
     * store to share: a second channel would cost its own event loop thread and HTTP/2 buffers. The runtime
     * closes it.
     */
    public Containerd client() {
        return client;
    }

    private static void ensureNamespace(Containerd client, String namespace) {
        try {
            client.namespaces()
                    .create(CreateNamespaceRequest.newBuilder()
                            .setNamespace(Namespace.newBuilder().setName(namespace))
                            .build());
        } catch (StatusRuntimeException e) {
            if (!Grpc.is(e, Status.Code.ALREADY_EXISTS)) throw Grpc.map("create containerd namespace " + namespace, e);
        }
    }

    Path logFile(String id) {
        return config.stateDir().resolve("runtime/logs").resolve(id).resolve(id + "-json.log");
    }

    Path fifoDir(String id) {
        return config.runDir().resolve("runtime/fifo").resolve(id);
    }

    private Any runcOptions() {
        Options o = Options.newBuilder()
                .setRoot(config.runDir().resolve("runtime/runc").toString())
                .build();
        return Any.newBuilder()
                .setTypeUrl(Grpc.RUNC_OPTIONS_TYPE)
                .setValue(o.toByteString())
                .build();
    }

    // ---- containers

    @Override
    public void create(String id, CreateRequest r) {
        checkId(id);
        boolean snapshot = r.snapshotParent() != null && !r.snapshotParent().isEmpty();
        LogConfig log = r.log() == null ? new LogConfig(-1, 1) : r.log();
        RuntimeLabels ours =
                new RuntimeLabels(r.tty(), r.openStdin(), r.stdinOnce(), log.maxSize(), log.maxFiles(), null);
        Container.Builder c = Container.newBuilder()
                .setId(id)
                .putAllLabels(r.labels())
                .putAllLabels(ours.toMap())
                .setImage(r.imageRef() == null ? "" : r.imageRef())
                .setRuntime(Container.Runtime.newBuilder().setName(RUNTIME).setOptions(runcOptions()))
                .setSpec(Grpc.json(Grpc.SPEC_TYPE, r.ociSpecJson()));
        if (snapshot)
            c.setSnapshotter(config.snapshotter()).setSnapshotKey(id).putLabels(SNAPSHOT_PARENT, r.snapshotParent());
        // The container first: it references the snapshot, so containerd's collector keeps it once prepared.
        Grpc.run(
                "create container " + id,
                () -> client.containers()
                        .create(CreateContainerRequest.newBuilder()
                                .setContainer(c)
                                .build()));
        Box b = new Box(id, ours, cgroupsPath(r.ociSpecJson().getBytes(StandardCharsets.UTF_8)));
        b.noTask = true; // made just now: no task yet
        if (!snapshot) {
            b.rootfs = List.of();
            boxes.putIfAbsent(id, b);
            return;
        }
        try {
            b.rootfs = prepare(id, r.snapshotParent());
            boxes.putIfAbsent(id, b); // the start needs no look-up of the container and its mounts
        } catch (RuntimeException e) {
            try {
                client.containers()
                        .delete(DeleteContainerRequest.newBuilder().setId(id).build());
            } catch (StatusRuntimeException ignored) {
                // reported below with the cause
            }
            throw e;
        }
    }

    /** Prepares the container's snapshot; returns its mounts. */
    private List<Mount> prepare(String id, String parent) {
        var req = PrepareSnapshotRequest.newBuilder()
                .setSnapshotter(config.snapshotter())
                .setKey(id)
                .setParent(parent)
                .build();
        try {
            return client.snapshots().prepare(req).getMountsList();
        } catch (StatusRuntimeException e) {
            if (!Grpc.is(e, Status.Code.ALREADY_EXISTS)) throw Grpc.map("prepare snapshot " + id + " on " + parent, e);
            removeSnapshot(id); // left by a create that crashed before its container was made
            return Grpc.call(
                            "prepare snapshot " + id + " on " + parent,
                            () -> client.snapshots().prepare(req))
                    .getMountsList();
        }
    }

    private void removeSnapshot(String id) {
        try {
            client.snapshots()
                    .remove(RemoveSnapshotRequest.newBuilder()
                            .setSnapshotter(config.snapshotter())
                            .setKey(id)
                            .build());
        } catch (StatusRuntimeException e) {
            if (!Grpc.is(e, Status.Code.NOT_FOUND)) throw Grpc.map("remove snapshot " + id, e);
        }
    }

    @Override
    public void update(String id, String linuxResourcesJson) {
        Any resources = Any.newBuilder()
                .setTypeUrl("types.containerd.io/opencontainers/runtime-spec/1/LinuxResources")
                .setValue(ByteString.copyFromUtf8(linuxResourcesJson))
                .build();
        Grpc.run(
                "update task " + id,
                () -> client.tasks()
                        .update(UpdateTaskRequest.newBuilder()
                                .setContainerId(id)
                                .setResources(resources)
                                .build()));
    }

    @Override
    public void mountRootfs(String id, Path target) {
        Container c = container(id);
        if (c.getSnapshotKey().isEmpty())
            throw new BerthException.Conflict("container " + id + " has no snapshot to mount");
        List<Mount> mounts = Grpc.call(
                        "mounts of " + id,
                        () -> client.snapshots()
                                .mounts(MountsRequest.newBuilder()
                                        .setSnapshotter(c.getSnapshotter())
                                        .setKey(c.getSnapshotKey())
                                        .build()))
                .getMountsList();
        if (mounts.size() != 1)
            throw new BerthException.Failed(
                    "snapshot of " + id + " has " + mounts.size() + " mounts, one expected", null);
        Mount m = mounts.getFirst();
        mountCommand(List.of(
                "mount",
                "-t",
                m.getType(),
                "-o",
                String.join(",", m.getOptionsList()),
                m.getSource(),
                target.toString()));
    }

    @Override
    public void unmountRootfs(Path target) {
        mountCommand(List.of("umount", target.toString()));
    }

    private static void mountCommand(List<String> cmd) {
        try {
            java.lang.Process p =
                    new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new BerthException.Failed(String.join(" ", cmd) + " did not finish within 30 s", null);
            }
            if (p.exitValue() != 0)
                throw new BerthException.Failed(String.join(" ", cmd) + " failed: " + out.strip(), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException.Failed("interrupted: " + String.join(" ", cmd), e);
        }
    }

    @Override
    public void updateSpec(String id, String ociSpecJson) {
        Grpc.run(
                "update spec of " + id,
                () -> client.containers()
                        .update(UpdateContainerRequest.newBuilder()
                                .setContainer(Container.newBuilder()
                                        .setId(id)
                                        .setSpec(Grpc.json(Grpc.SPEC_TYPE, ociSpecJson)))
                                .setUpdateMask(FieldMask.newBuilder().addPaths("spec"))
                                .build()));
        Box b = boxes.get(id); // kept: attachers may wait in it for the start (docker run -it)
        if (b != null) b.cgroupsPath = cgroupsPath(ociSpecJson.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void delete(String id) {
        if (task(id) != null)
            throw new BerthException.Conflict("container " + id + " still has a task; delete it first");
        Container c = container(id);
        Grpc.run(
                "delete container " + id,
                () -> client.containers()
                        .delete(DeleteContainerRequest.newBuilder().setId(id).build()));
        if (!c.getSnapshotKey().isEmpty()) removeSnapshot(c.getSnapshotKey());
        Box b = boxes.remove(id);
        if (b != null) {
            synchronized (b) {
                if (b.log != null) b.log.close();
            }
        }
        deleteTree(logFile(id).getParent());
        deleteTree(fifoDir(id));
    }

    @Override
    public Set<String> ids() {
        return Grpc.call("list containers", () -> client.containers().list(ListContainersRequest.getDefaultInstance()))
                .getContainersList()
                .stream()
                .map(Container::getId)
                .collect(Collectors.toUnmodifiableSet());
    }

    // ---- tasks

    @Override
    public TaskState start(String id) {
        return start(id, CompletableFuture.completedFuture(null));
    }

    @Override
    public TaskState start(String id, CompletableFuture<?> ready) {
        Box b = box(id);
        synchronized (b) {
            // this runtime makes and deletes the tasks: without a run known here there is none (no round trip)
            if (b.run != null && task(id) != null)
                throw new BerthException.Conflict(
                        "container " + id + " already has a task; delete it before starting again");
            if (b.rootfs == null) {
                Container c = container(id);
                b.rootfs = c.getSnapshotKey().isEmpty()
                        ? List.of()
                        : rootfs(c); // an active snapshot's mounts stay as long as it does
            }
            List<Mount> rootfs = b.rootfs;
            b.noTask = false; // from here a task may exist; not known again until deleted
            Path dir = fifoDir(id);
            StdioFifos fifos;
            try {
                fifos = StdioFifos.create(dir, "init", b.labels.tty(), b.labels.openStdin());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make the FIFOs of " + id, e);
            }
            TaskRun run = new TaskRun(fifos);
            long pid;
            try {
                openLog(b);
                run.pump("ctr-" + shortId(id), b.log, b.attachers);
                Grpc.run(
                        "create task " + id,
                        () -> client.tasks()
                                .create(CreateTaskRequest.newBuilder()
                                        .setContainerId(id)
                                        .addAllRootfs(rootfs)
                                        .setStdin(fifos.stdinPath())
                                        .setStdout(fifos.stdoutPath())
                                        .setStderr(fifos.stderrPath())
                                        .setTerminal(b.labels.tty())
                                        .build()));
            } catch (IOException | RuntimeException e) {
                fifos.close();
                throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
            }
            try {
                ContainerRuntime.awaitReady(ready);
                fifos.releaseOutputs(); // the shim opened its ends inside Create
                pid = Grpc.call(
                                "start task " + id,
                                () -> client.tasks()
                                        .start(StartRequest.newBuilder()
                                                .setContainerId(id)
                                                .build()))
                        .getPid();
            } catch (RuntimeException e) {
                deleteTaskQuietly(id);
                fifos.close();
                throw e;
            }
            Instant startedAt = Instant.now();
            labelWriter.execute(() -> recordStart(id, startedAt)); // for a later berthd only: off the start's path
            b.startedAt = startedAt;
            run.known(pid, false);
            b.run = run;
            b.stdinRun.complete(run);
            exitWatch.start(b, run);
            return new TaskState(TaskState.Status.RUNNING, pid, 0, startedAt, null, false);
        }
    }

    /**
     * The mounts of the container's snapshot; one a crash kept from being prepared (berthd killed between
     * containerd's container and its snapshot) is prepared now, on the parent the container records.
     */
    private List<Mount> rootfs(Container c) {
        MountsRequest req = MountsRequest.newBuilder()
                .setSnapshotter(c.getSnapshotter())
                .setKey(c.getSnapshotKey())
                .build();
        try {
            return client.snapshots().mounts(req).getMountsList();
        } catch (StatusRuntimeException e) {
            String parent = c.getLabelsMap().get(SNAPSHOT_PARENT);
            if (!Grpc.is(e, Status.Code.NOT_FOUND) || parent == null) throw Grpc.map("mounts of " + c.getId(), e);
            Log.warn(
                    "container has no snapshot (a crash came between its create and its snapshot): preparing it",
                    "container",
                    c.getId());
            prepare(c.getSnapshotKey(), parent);
            return Grpc.call("mounts of " + c.getId(), () -> client.snapshots().mounts(req))
                    .getMountsList();
        }
    }

    /**
     * Removes the active snapshots of containers containerd no longer has: a crash between a container's
     * delete and its snapshot's leaves one. Only container keys (64 hex digits); an image unpack's are
     * under a lease and containerd collects them.
     */
    private void removeOrphanSnapshots() {
        Set<String> used = new HashSet<>();
        for (Container c : Grpc.call(
                        "list containers", () -> client.containers().list(ListContainersRequest.getDefaultInstance()))
                .getContainersList()) used.add(c.getSnapshotKey());
        List<String> orphans = new ArrayList<>();
        client.snapshots()
                .list(ListSnapshotsRequest.newBuilder()
                        .setSnapshotter(config.snapshotter())
                        .build())
                .forEachRemaining(r -> r.getInfoList().forEach(i -> {
                    if (i.getKind() == Kind.ACTIVE
                            && i.getName().matches("[0-9a-f]{64}")
                            && !used.contains(i.getName())) orphans.add(i.getName());
                }));
        for (String key : orphans) {
            Log.warn("removing a snapshot no container owns (a crash during a remove)", "snapshot", key);
            removeSnapshot(key);
        }
    }

    /** Removes log and FIFO directories of containers containerd no longer has (a crash inside a delete). */
    private void removeOrphanFiles() {
        Set<String> known = ids();
        RuntimeLeftovers.sweep(config.stateDir().resolve("runtime/logs"), known);
        RuntimeLeftovers.sweep(config.runDir().resolve("runtime/fifo"), known);
    }

    private void recordStart(String id, Instant at) {
        if (closed) return;
        try {
            client.containers()
                    .update(UpdateContainerRequest.newBuilder()
                            .setContainer(
                                    Container.newBuilder().setId(id).putLabels(RuntimeLabels.STARTED_AT, at.toString()))
                            .setUpdateMask(FieldMask.newBuilder().addPaths("labels." + RuntimeLabels.STARTED_AT))
                            .build());
        } catch (StatusRuntimeException e) {
            if (!Grpc.is(e, Status.Code.NOT_FOUND))
                Log.warn("cannot record a container's start time", "container", id, "status", e.getStatus());
        }
    }

    @Override
    public TaskState state(String id) {
        Box known = boxes.get(id);
        TaskRun run = known == null ? null : known.run;
        TaskState fast = run == null ? null : run.knownState(known.startedAt);
        if (fast != null) return fast;
        if (run == null && known != null && known.noTask)
            throw new BerthException.NotFound("container " + id + " has no task"); // no round trip
        Process p = task(id);
        if (p == null) throw new BerthException.NotFound("container " + id + " has no task");
        Box b = box(id);
        Instant started = b.startedAt;
        return switch (p.getStatus()) {
            case CREATED -> new TaskState(TaskState.Status.CREATED, p.getPid(), 0, null, null, false);
            case RUNNING -> new TaskState(TaskState.Status.RUNNING, p.getPid(), 0, started, null, false);
            case PAUSED, PAUSING -> new TaskState(TaskState.Status.PAUSED, p.getPid(), 0, started, null, false);
            default -> stopped(b, p, started);
        };
    }

    private TaskState stopped(Box b, Process p, Instant started) {
        Instant at = Grpc.instant(p.getExitedAt());
        return new TaskState(
                TaskState.Status.STOPPED,
                0,
                p.getExitStatus(),
                started,
                at == null ? Instant.now() : at,
                OomCheck.killed(b.cgroupsPath));
    }

    @Override
    public CompletableFuture<TaskState> exited(String id) {
        Box b = boxes.get(id);
        TaskRun run = b == null ? null : b.run;
        if (run != null) return run.exited.copy();
        try {
            Process p = task(id);
            if (p == null)
                return CompletableFuture.failedFuture(new BerthException.NotFound("container " + id + " has no task"));
            return adopt(id, p).exited.copy();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void kill(String id, int signal) {
        kill(id, signal, false);
    }

    private void kill(String id, int signal, boolean all) {
        Grpc.run(
                "kill " + id,
                () -> client.tasks()
                        .kill(KillRequest.newBuilder()
                                .setContainerId(id)
                                .setSignal(signal)
                                .setAll(all)
                                .build()));
    }

    @Override
    public void stop(String id, int signal, Duration grace) {
        CompletableFuture<TaskState> exit = exited(id);
        if (exit.isDone()) return;
        boolean paused = state(id).status() == TaskState.Status.PAUSED;
        try {
            kill(id, signal);
            if (paused) resume(id); // a frozen process cannot act on the signal (Docker thaws it too)
            exit.get(grace.toMillis(), TimeUnit.MILLISECONDS);
            return;
        } catch (TimeoutException e) {
            Log.info(
                    "container did not exit in time after its stop signal: SIGKILL",
                    "container",
                    id,
                    "grace",
                    grace,
                    "signal",
                    signal);
        } catch (ExecutionException e) {
            return; // no task any more
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException.Failed("interrupted while stopping " + id, e);
        } catch (BerthException.NotFound gone) {
            return;
        }
        try {
            kill(id, SIGKILL, true);
            exit.get(30, TimeUnit.SECONDS);
        } catch (BerthException.NotFound | ExecutionException gone) {
            // exited meanwhile
        } catch (TimeoutException e) {
            throw new BerthException.Failed("container " + id + " did not exit 30 s after SIGKILL", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException.Failed("interrupted while stopping " + id, e);
        }
    }

    @Override
    public void pause(String id) {
        freeze(
                id,
                true,
                () -> client.tasks()
                        .pause(PauseTaskRequest.newBuilder().setContainerId(id).build()));
    }

    @Override
    public void resume(String id) {
        freeze(
                id,
                false,
                () -> client.tasks()
                        .resume(ResumeTaskRequest.newBuilder()
                                .setContainerId(id)
                                .build()));
    }

    /** Pauses or resumes, keeping the run's known state right (unknown when the call failed: it may have half worked). */
    private void freeze(String id, boolean frozen, Runnable call) {
        Box b = boxes.get(id);
        TaskRun run = b == null ? null : b.run;
        try {
            Grpc.run((frozen ? "pause " : "resume ") + id, call);
        } catch (RuntimeException e) {
            if (run != null) run.unknown();
            throw e;
        }
        if (run != null) run.frozen(frozen);
    }

    @Override
    public void deleteTask(String id) {
        Box b = box(id);
        synchronized (b) {
            var resp = Grpc.call(
                    "delete task " + id,
                    () -> client.tasks()
                            .delete(DeleteTaskRequest.newBuilder()
                                    .setContainerId(id)
                                    .build()));
            TaskRun run = b.run;
            if (run != null) {
                run.exited.complete(new TaskState(
                        TaskState.Status.STOPPED,
                        0,
                        resp.getExitStatus(),
                        b.startedAt,
                        Grpc.instant(resp.getExitedAt()),
                        false));
                run.fifos.close();
                run.ended.complete(null);
            }
            b.run = null;
            b.noTask = true;
            b.stdinRun = new CompletableFuture<>();
            b.attachers.endAll();
            deleteTree(fifoDir(id));
        }
    }

    private void deleteTaskQuietly(String id) {
        try {
            kill(id, SIGKILL, true);
        } catch (RuntimeException e) {
            // not running
        }
        try {
            client.tasks()
                    .delete(DeleteTaskRequest.newBuilder().setContainerId(id).build());
        } catch (StatusRuntimeException e) {
            Log.debug("delete task", "container", id, "status", e.getStatus());
        }
    }

    // ---- stdio

    @Override
    public AttachSession attach(String id, boolean stdin, boolean stdout, boolean stderr) {
        Box b = box(id);
        synchronized (b) {
            var a = b.attachers.add(stdout, stderr, b.labels.tty());
            // A task that already exited has no more output; with no task the attacher waits for the next start.
            if (b.run != null && !b.run.running()) b.attachers.endAll();
            return new ContainerdAttachSession(b, a, stdin && b.labels.openStdin(), run -> {
                if (b.labels.stdinOnce()) closeStdin(id, run);
            });
        }
    }

    private void closeStdin(String id, TaskRun run) {
        run.fifos.closeStdin();
        try {
            client.tasks()
                    .closeIO(CloseIORequest.newBuilder()
                            .setContainerId(id)
                            .setStdin(true)
                            .build());
        } catch (StatusRuntimeException e) {
            Log.debug("close stdin", "container", id, "status", e.getStatus());
        }
    }

    @Override
    public void resize(String id, int width, int height) {
        if (!box(id).labels.tty()) return;
        Grpc.run(
                "resize " + id,
                () -> client.tasks()
                        .resizePty(ResizePtyRequest.newBuilder()
                                .setContainerId(id)
                                .setWidth(width)
                                .setHeight(height)
                                .build()));
    }

    @Override
    public ExecSession exec(String id, ExecRequest request) {
        TaskState s = state(id); // known here without a round trip while the task runs
        if (s.status() != TaskState.Status.RUNNING)
            throw new BerthException.Conflict("container " + id + " is not running (" + s.status() + ")");
        return execs.start(id, fifoDir(id), request);
    }

    @Override
    public LogReader logs(String id, LogOptions options) {
        Box b = box(id);
        TaskRun run = b.liveRun();
        try {
            return new JsonFileLogReader(
                    logFile(id), options, run == null ? CompletableFuture.completedFuture(null) : run.ended);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the logs of " + id, e);
        }
    }

    // ---- watching and adoption

    /** Takes up every task of Berth's namespace left by an earlier berthd; returns their ids. */
    private Set<String> adoptAll() {
        Set<String> ids = new HashSet<>();
        for (Process p : Grpc.call("list tasks", () -> client.tasks().list(ListTasksRequest.getDefaultInstance()))
                .getTasksList()) {
            // a task's id is its container's (containerd leaves container_id empty in these answers)
            String id = p.getContainerId().isEmpty() ? p.getId() : p.getContainerId();
            ids.add(id);
            try {
                adopt(id, p);
            } catch (RuntimeException e) {
                Log.warn("cannot adopt a task", "container", id, "error", e.getMessage());
            }
        }
        return ids;
    }

    private TaskRun adopt(String id, Process p) {
        Box b = box(id);
        synchronized (b) {
            if (b.run != null) return b.run;
            StdioFifos fifos;
            try {
                fifos = StdioFifos.reopen(p.getStdin(), p.getStdout(), p.getStderr());
                TaskRun run = new TaskRun(fifos);
                if (p.getStatus() == RUNNING || p.getStatus() == PAUSED) run.known(p.getPid(), p.getStatus() == PAUSED);
                openLog(b);
                run.pump("ctr-" + shortId(b.id), b.log, b.attachers);
                fifos.releaseOutputs();
                b.run = run;
                b.stdinRun.complete(run);
                exitWatch.start(b, run);
                return run;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot reopen the FIFOs of " + b.id, e);
            }
        }
    }

    // ---- lookups

    /** The container's in-memory state, made from containerd's record the first time. */
    private Box box(String id) {
        Box b = boxes.get(id);
        if (b != null) return b;
        Container c = container(id);
        return boxes.computeIfAbsent(
                id,
                k -> new Box(
                        id,
                        RuntimeLabels.from(c.getLabelsMap()),
                        cgroupsPath(c.getSpec().getValue().toByteArray())));
    }

    private Container container(String id) {
        return Grpc.call(
                        "container " + id,
                        () -> client.containers()
                                .get(GetContainerRequest.newBuilder().setId(id).build()))
                .getContainer();
    }

    /** The init process of the container's task; null when it has none. */
    private Process task(String id) {
        try {
            return client.tasks()
                    .get(GetRequest.newBuilder().setContainerId(id).build())
                    .getProcess();
        } catch (StatusRuntimeException e) {
            if (Grpc.is(e, Status.Code.NOT_FOUND)) return null;
            throw Grpc.map("task of " + id, e);
        }
    }

    private static String cgroupsPath(byte[] specJson) {
        try {
            JsonNode spec = JSON.readTree(specJson);
            return spec.path("linux").path("cgroupsPath").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    private void openLog(Box b) {
        if (b.log == null) b.log = new JsonFileLog(logFile(b.id), b.labels.logMaxSize(), b.labels.logMaxFiles());
    }

    private static void checkId(String id) {
        if (id == null || !id.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,75}"))
            throw new BerthException.InvalidRequest(
                    "id", "'" + id + "' is not a container id (letters, digits, '_', '.', '-')");
    }

    private static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }

    /** Lets go of containerd and of the FIFOs; the tasks and their shims run on. */
    @Override
    public void close() {
        labelWriter.shutdown();
        try {
            labelWriter.awaitTermination(2, TimeUnit.SECONDS); // the start times of the last starts
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closed = true;
        if (logCap != null) logCap.close();
        List<CompletableFuture<Void>> stopped = new ArrayList<>();
        for (Box b : boxes.values()) {
            synchronized (b) {
                if (b.run != null) {
                    b.run.fifos.detach();
                    stopped.add(b.run.fifos.drained());
                }
            }
        }
        // The poller carries a stop out on its own thread: a chunk it read from a FIFO before it saw the stop
        // still goes to the log, so the logs close once every pump has ended (waited for outside the boxes'
        // locks, which the sinks may take).
        try {
            CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new)).get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            Log.warn("task output pumps did not stop in time; closing the logs anyway", "error", e.toString());
        }
        for (Box b : boxes.values()) {
            synchronized (b) {
                if (b.log != null) b.log.close();
            }
        }
        client.close();
    }
}
