package dev.berth.runtime.containerd;

import dev.berth.runtime.LogStream;
import dev.berth.runtime.TaskState;
import dev.berth.runtime.containerd.io.Attachers;
import dev.berth.runtime.containerd.io.LineSplitter;
import dev.berth.runtime.containerd.io.StdioFifos;
import dev.berth.runtime.logs.JsonFileLog;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * One run of a container's task as this berthd sees it: berthd's ends of its FIFOs, the copy of its
 * output to the log and the attachers, and the exit once seen. {@code ended} completes when the output is
 * all in the log (or was given up on after the exit, see the watcher) and attachers were let go.
 */
final class TaskRun {
    final StdioFifos fifos;
    final CompletableFuture<TaskState> exited = new CompletableFuture<>();
    final CompletableFuture<Void> ended = new CompletableFuture<>();
    /**
     * The task's pid while this berthd knows it runs (it started or adopted it running and has not seen
     * its exit yet); 0 when unknown, then containerd is asked. Lets a container's state be answered
     * without a round trip to containerd and its shim (inspect, exec, ps), as dockerd answers from memory.
     */
    private volatile long livePid;
    /** Frozen by this berthd's pause (meaningful while {@link #livePid} is set). */
    private volatile boolean paused;

    TaskRun(StdioFifos fifos) {
        this.fifos = fifos;
    }

    /** The task runs (or is frozen) with this pid, as containerd just said. */
    void known(long pid, boolean frozen) {
        paused = frozen;
        livePid = pid;
    }

    /** This berthd paused or resumed it. */
    void frozen(boolean frozen) {
        paused = frozen;
    }

    /** containerd must be asked from now on: the task exited, or a pause or resume failed halfway. */
    void unknown() {
        livePid = 0;
    }

    /** Its state from what this berthd knows, or null when containerd must be asked. */
    TaskState knownState(Instant startedAt) {
        long pid = livePid;
        if (pid <= 0) return null;
        return new TaskState(
                paused ? TaskState.Status.PAUSED : TaskState.Status.RUNNING, pid, 0, startedAt, null, false);
    }

    /** Copies the output into {@code log} and to {@code attachers}, each stream cut into lines for the log. */
    void pump(String name, JsonFileLog log, Attachers attachers) throws IOException {
        LineSplitter out = new LineSplitter(LogStream.STDOUT, log::write);
        LineSplitter err = new LineSplitter(LogStream.STDERR, log::write);
        fifos.pumpPolled(
                name,
                b -> {
                    attachers.broadcast(LogStream.STDOUT, b);
                    out.accept(b);
                },
                b -> {
                    attachers.broadcast(LogStream.STDERR, b);
                    err.accept(b);
                },
                isOut -> (isOut ? out : err).flush());
    }

    boolean running() {
        return !ended.isDone();
    }
}
