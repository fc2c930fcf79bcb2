package dev.berth.runtime.containerd;

import dev.berth.runtime.LogStream;
import dev.berth.runtime.TaskState;
import dev.berth.runtime.containerd.io.Attachers;
import dev.berth.runtime.containerd.io.LineSplitter;
import dev.berth.runtime.containerd.io.StdioFifos;
import dev.berth.runtime.logs.JsonFileLog;
import java.io.IOException;
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

    TaskRun(StdioFifos fifos) {
        this.fifos = fifos;
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
