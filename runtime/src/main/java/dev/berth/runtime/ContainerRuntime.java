package dev.berth.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What berthd needs of the runtime that runs its containers (containerd with runc, in a containerd
 * namespace of Berth's own, see {@link RuntimeConfig}). A container here is containerd's container (spec,
 * snapshot, labels) and, while it runs, its task (the process). Ids are Berth's container ids.
 *
 * <p>Berth keeps the networking: the OCI spec it gives already joins the sandbox's network namespace and
 * bind-mounts Berth's /etc files; the runtime never touches networks. Tasks outlive the runtime object and
 * berthd ({@link #close} leaves them running; a later {@code open} adopts them: {@link #state},
 * {@link #exited}, {@link #attach}, {@link #logs} and {@link #exec} work on adopted tasks too).
 *
 * <p>Errors are {@code dev.berth.model.BerthException}s: {@code NotFound} when containerd knows no such
 * container (or, where a task is needed, no task), {@code Conflict} for a wrong state (a task that already
 * exists, a container that exists), {@code Failed} otherwise, carrying containerd's and runc's own words
 * (berthd reads "executable file not found" and "permission denied" from them for Docker's 127/126).
 */
public interface ContainerRuntime extends AutoCloseable {

    /**
     * A container to create.
     *
     * @param imageRef       the image reference containerd knows the image by (containerd's image name)
     * @param snapshotParent the chain id of the image's top layer: the container's snapshot (key: its id)
     *                       is prepared on it, in {@link RuntimeConfig#snapshotter()}
     * @param ociSpecJson    the runtime spec ({@code config.json}); its root path is {@code rootfs}
     * @param tty            the task gets a pseudo-terminal (then there is no stderr: all output is stdout)
     * @param openStdin      the task's stdin is a pipe kept open for attachers ({@code -i}); else /dev/null
     * @param stdinOnce      the task's stdin is closed when the first attacher closes its stdin
     * @param labels         containerd labels of the container
     * @param log            rotation of the container's log files
     */
    record CreateRequest(
            String imageRef,
            String snapshotParent,
            String ociSpecJson,
            boolean tty,
            boolean openStdin,
            boolean stdinOnce,
            Map<String, String> labels,
            LogConfig log) {
        public CreateRequest {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }
    }

    /**
     * Docker's json-file options: rotate a log file once it holds {@code maxSize} bytes (-1: never),
     * keeping {@code maxFiles} files in all.
     */
    record LogConfig(long maxSize, int maxFiles) {}

    /**
     * Changes the resources of the container's running task ({@code linuxResourcesJson}: the OCI spec's
     * linux.resources object); the cgroup takes them at once ({@code docker update}).
     */
    void update(String id, String linuxResourcesJson);

    /**
     * Mounts the container's root file system (its snapshot) on the empty directory {@code target} while
     * no task runs, for berthd to read and write its files ({@code docker cp}); undone by {@link #unmountRootfs}.
     */
    void mountRootfs(String id, Path target);

    /** Undoes {@link #mountRootfs}. */
    void unmountRootfs(Path target);

    /** Creates the container (spec, snapshot, labels); no task, nothing runs. */
    void create(String id, CreateRequest request);

    /**
     * Replaces the container's spec; berthd does it before every start (the sandbox's namespace is new),
     * after the client attached ({@code docker run} attaches before it starts): attachers stay attached.
     */
    void updateSpec(String id, String ociSpecJson);

    /**
     * Creates and starts the task, its output going to the container's logs (and to attachers), and
     * returns its state (RUNNING, with pid and start time). The task of an earlier run must have been
     * deleted ({@link #deleteTask}). A process that cannot start fails here with runc's words.
     */
    TaskState start(String id);

    /**
     * As {@link #start(String)}, overlapping the caller's own preparations: creates the task (runc sets the
     * container up), waits for {@code ready} (what the process needs besides, e.g. its network interfaces,
     * made meanwhile), then starts the process. When {@code ready} fails the created task is deleted and
     * that failure thrown (unwrapped when it is a RuntimeException).
     */
    default TaskState start(String id, CompletableFuture<?> ready) {
        awaitReady(ready);
        return start(id);
    }

    /** Waits for {@code ready}; its failure is thrown as it is when unchecked, else wrapped. */
    static void awaitReady(CompletableFuture<?> ready) {
        try {
            ready.join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            throw new IllegalStateException("the start's preparation failed: " + cause.getMessage(), cause);
        }
    }

    /** The task's state; {@code NotFound} when the container has no task (never started, or deleted). */
    TaskState state(String id);

    /**
     * Completes with the task's final state (STOPPED, exit code, finish time, whether the OOM killer
     * hit) when it exits; at once when it has exited already, also when that happened while berthd was
     * down. Completes exceptionally with {@code NotFound} when there is no task.
     */
    CompletableFuture<TaskState> exited(String id);

    /** Sends a signal to the task's init process. */
    void kill(String id, int signal);

    /**
     * Sends {@code signal}, waits up to {@code grace} for the exit, then SIGKILL; returns when the task
     * has exited (it is not deleted: its state still says how it ended).
     */
    void stop(String id, int signal, Duration grace);

    /** Freezes the task (its cgroup); its state becomes PAUSED. */
    void pause(String id);

    /** Thaws a paused task. */
    void resume(String id);

    /** Deletes the task of a stopped (or created) container; {@code NotFound} when there is none. */
    void deleteTask(String id);

    /** Deletes the container with its snapshot and log files; it must have no task left. */
    void delete(String id);

    /**
     * Attaches to the task's stdio from now on (what was written before is in {@link #logs}); before the
     * start, the attacher gets the next task's output from its first byte ({@code docker run} in the foreground).
     * Several attachers may be attached at once; each gets all output. With {@code stdin}, what the
     * attacher writes goes to the task's stdin (only when it was created with openStdin).
     */
    AttachSession attach(String id, boolean stdin, boolean stdout, boolean stderr);

    /** Resizes the task's terminal (width and height in characters); ignored for a task without one. */
    void resize(String id, int width, int height);

    /** Starts a process in the running task's container ({@code docker exec}). */
    ExecSession exec(String id, ExecRequest request);

    /** Reads the container's logs (all its runs, in order, kept until {@link #delete}). */
    LogReader logs(String id, LogOptions options);

    /** Ids of all containers in Berth's containerd namespace. */
    Set<String> ids();

    /** Lets go of containerd (connections, watchers); containers and tasks keep running. */
    @Override
    void close();
}
