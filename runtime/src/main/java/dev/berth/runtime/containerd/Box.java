package dev.berth.runtime.containerd;

import dev.berth.runtime.containerd.api.types.Mount;
import dev.berth.runtime.containerd.io.Attachers;
import dev.berth.runtime.logs.JsonFileLog;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A container as this berthd holds it in memory: the attachers (they may attach before the start, as
 * {@code docker run -it} does), the open log, the current run and what containerd's labels say of it.
 * Methods that change it synchronize on it.
 */
final class Box {
    final String id;
    final RuntimeLabels labels;
    /** From the spec; berthd replaces the spec before each start ({@code updateSpec}). */
    volatile String cgroupsPath;
    /** When the current (or last) task started, as kept in containerd's labels. */
    volatile Instant startedAt;
    /** The root file system's mounts (the snapshot's, which stay as long as it does); null until known. */
    volatile List<Mount> rootfs;

    final Attachers attachers = new Attachers();
    JsonFileLog log;
    /** Written under the lock; read without it by state look-ups, which must not wait for a start. */
    volatile TaskRun run;
    /**
     * Known to have no task (made by this berthd's create, or its task deleted since): a state look-up
     * answers without asking containerd. False when not known (adopted, or a failed start's clean-up).
     */
    volatile boolean noTask;
    /** Completes with the run whose stdin attachers write to; a new one after each task deletion. */
    CompletableFuture<TaskRun> stdinRun = new CompletableFuture<>();

    Box(String id, RuntimeLabels labels, String cgroupsPath) {
        this.id = id;
        this.labels = labels;
        this.cgroupsPath = cgroupsPath;
        this.startedAt = labels.startedAt();
    }

    /** The run of a task that exists and is still running, if any. */
    synchronized TaskRun liveRun() {
        return run != null && run.running() ? run : null;
    }
}
