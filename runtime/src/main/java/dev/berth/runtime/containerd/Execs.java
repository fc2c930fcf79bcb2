package dev.berth.runtime.containerd;

import dev.berth.runtime.ExecRequest;
import dev.berth.runtime.ExecSession;
import dev.berth.runtime.containerd.api.tasks.DeleteProcessRequest;
import dev.berth.runtime.containerd.api.tasks.ExecProcessRequest;
import dev.berth.runtime.containerd.api.tasks.StartRequest;
import dev.berth.runtime.containerd.api.tasks.WaitRequest;
import dev.berth.runtime.containerd.api.tasks.WaitResponse;
import dev.berth.runtime.containerd.io.ChunkPipe;
import dev.berth.runtime.containerd.io.StdioFifos;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/** Starts exec processes ({@code docker exec}) in running tasks and watches them until they exit. */
final class Execs {
    private static final Logger LOG = Logger.getLogger(Execs.class.getName());
    /** How far an exec's client may fall behind before the process waits for it (Docker's back-pressure). */
    private static final int PIPE = 1 << 20;

    private final Containerd client;

    Execs(Containerd client) {
        this.client = client;
    }

    ExecSession start(String id, Path fifoDir, ExecRequest r) {
        String what = "exec " + r.execId() + " in " + id;
        StdioFifos fifos;
        try {
            fifos = StdioFifos.create(fifoDir, "exec-" + r.execId(), r.tty(), r.stdin());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the FIFOs of " + what, e);
        }
        ChunkPipe out = new ChunkPipe(PIPE, false);
        ChunkPipe err = new ChunkPipe(PIPE, false);
        if (r.tty()) err.end();
        try {
            fifos.pump("exec-" + r.execId(), out::offer, err::offer, isOut -> (isOut ? out : err).end());
            Grpc.run(
                    what,
                    () -> client.tasks()
                            .exec(ExecProcessRequest.newBuilder()
                                    .setContainerId(id)
                                    .setExecId(r.execId())
                                    .setStdin(fifos.stdinPath())
                                    .setStdout(fifos.stdoutPath())
                                    .setStderr(fifos.stderrPath())
                                    .setTerminal(r.tty())
                                    .setSpec(Grpc.json(Grpc.PROCESS_TYPE, r.processSpecJson()))
                                    .build()));
        } catch (IOException | RuntimeException e) {
            fifos.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        // as ctr does: the Wait is in place before the process starts, so its exit is known the moment the
        // shim reports it, not one more round trip after the Start's answer
        CompletableFuture<Boolean> started = new CompletableFuture<>();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Context.CancellableContext waiting = Context.current().withCancellation();
        Thread.ofVirtual()
                .name("exec-wait-" + r.execId())
                .start(() -> waiting.run(() -> watch(id, r.execId(), fifos, started, exit)));
        long pid;
        try {
            pid = Grpc.call(
                            what,
                            () -> client.tasks()
                                    .start(StartRequest.newBuilder()
                                            .setContainerId(id)
                                            .setExecId(r.execId())
                                            .build()))
                    .getPid();
        } catch (RuntimeException e) {
            started.complete(false); // the watcher leaves the clean-up to this thread
            waiting.cancel(null); // a process that never started may never be reported as exited
            deleteQuietly(id, r.execId());
            fifos.close();
            throw e;
        }
        fifos.releaseOutputs();
        started.complete(true);
        return new ContainerdExec(client, id, r.execId(), pid, fifos, out, err, exit);
    }

    /**
     * Waits for the exit, then (once the start went through) lets the output drain (a child left behind
     * may hold it: 2 s at most) and deletes the exec.
     */
    private void watch(
            String id,
            String execId,
            StdioFifos fifos,
            CompletableFuture<Boolean> started,
            CompletableFuture<Integer> exit) {
        WaitResponse w;
        try {
            w = client.tasksNoDeadline()
                    .wait(WaitRequest.newBuilder()
                            .setContainerId(id)
                            .setExecId(execId)
                            .build());
        } catch (StatusRuntimeException e) {
            if (started.join()) {
                exit.completeExceptionally(Grpc.map("wait for exec " + execId, e));
                fifos.close();
            }
            return;
        }
        if (!started.join()) return; // the start failed: its caller cleans up
        try {
            fifos.drained().completeOnTimeout(null, 2, TimeUnit.SECONDS).join();
            exit.complete(w.getExitStatus()); // the client has its answer; containerd forgets the exec meanwhile
            deleteQuietly(id, execId);
        } finally {
            fifos.close();
        }
    }

    private void deleteQuietly(String id, String execId) {
        try {
            client.tasks()
                    .deleteProcess(DeleteProcessRequest.newBuilder()
                            .setContainerId(id)
                            .setExecId(execId)
                            .build());
        } catch (StatusRuntimeException e) {
            LOG.fine(() -> "delete exec " + execId + ": " + e.getStatus());
        }
    }
}
