package dev.berth.runtime.containerd;

import dev.berth.model.BerthException;
import dev.berth.runtime.TaskState;
import dev.berth.runtime.containerd.api.tasks.WaitRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Watches a task's exit with Tasks.Wait, which also answers at once for a task that exited while berthd
 * was down; then lets the output reach the log, ends the attachers and completes the run with the task's
 * final state. Waits again while containerd restarts (shims and tasks live on meanwhile).
 */
final class ExitWatch {
    private static final Logger LOG = Logger.getLogger(ExitWatch.class.getName());

    private final Containerd client;
    private final BooleanSupplier closed;
    private final Function<Box, TaskState> finalState;

    ExitWatch(Containerd client, BooleanSupplier closed, Function<Box, TaskState> finalState) {
        this.client = client;
        this.closed = closed;
        this.finalState = finalState;
    }

    void start(Box b, TaskRun run) {
        Thread.ofVirtual().name("wait-" + b.id).start(() -> {
            boolean exited = waitForExit(b, run);
            run.unknown(); // containerd has the final word from now on (or the task went away)
            if (!exited) return;
            // a process left behind by the task may hold the output open: the exit is not held up for it
            run.fifos.drained().completeOnTimeout(null, 2, TimeUnit.SECONDS).join();
            if (closed.getAsBoolean()) return; // berthd lets go: the next one adopts the task
            run.ended.complete(null);
            b.attachers.endAll();
            try {
                run.exited.complete(finalState.apply(b));
            } catch (RuntimeException e) {
                run.exited.completeExceptionally(e);
            }
        });
    }

    /** True once the task exited; false when the runtime closed or the task went away. */
    private boolean waitForExit(Box b, TaskRun run) {
        while (!closed.getAsBoolean()) {
            try {
                client.tasksNoDeadline()
                        .wait(WaitRequest.newBuilder().setContainerId(b.id).build());
                return true;
            } catch (StatusRuntimeException e) {
                if (closed.getAsBoolean()) return false;
                if (Grpc.is(e, Status.Code.NOT_FOUND)) {
                    run.exited.completeExceptionally(new BerthException.NotFound("container " + b.id + " has no task"));
                    run.ended.complete(null);
                    return false;
                }
                LOG.warning("wait for " + b.id + ": " + e.getStatus() + "; waiting again");
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    return false;
                }
            }
        }
        return false;
    }
}
