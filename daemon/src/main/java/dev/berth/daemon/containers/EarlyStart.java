package dev.berth.daemon.containers;

import dev.berth.runtime.ContainerRuntime;
import dev.berth.runtime.TaskState;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A container's task created while its network is still being made: runc's setup of the container (the
 * longest part of a start) needs only the sandbox's namespace, not its interfaces, addresses, ports or /etc
 * files. Launched once the namespace exists; the process starts only when the start says all is ready, so
 * it never runs without its network. Used only when containerd holds the spec the start runs already.
 */
final class EarlyStart {
    private final ContainerRuntime runtime;
    private final String id;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final CompletableFuture<TaskState> task = new CompletableFuture<>();
    private volatile boolean launched;

    EarlyStart(ContainerRuntime runtime, String id) {
        this.runtime = runtime;
        this.id = id;
    }

    /** Creates the task on a thread of its own (the namespace exists now). */
    void launch() {
        if (launched) return;
        launched = true;
        Thread.ofVirtual()
                .name("task-create-" + id.substring(0, Math.min(12, id.length())))
                .start(() -> {
                    try {
                        task.complete(runtime.start(id, ready));
                    } catch (Throwable e) {
                        task.completeExceptionally(e);
                    }
                });
    }

    boolean launched() {
        return launched;
    }

    /** All is ready: starts the process and returns its state, or throws the runtime's failure as it is. */
    TaskState finish() {
        ready.complete(null);
        try {
            return task.join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException(cause);
        }
    }

    /** The start goes no further (or goes the plain way): a task created meanwhile is deleted before this returns. */
    void abandon(Throwable why) {
        ready.completeExceptionally(
                why != null ? why : new CancellationException("start of " + id + " goes the plain way"));
        if (!launched) return;
        try {
            task.join();
        } catch (CompletionException | CancellationException expected) {
            // the task was deleted, as asked
        }
    }
}
