package dev.berth.runtime.containerd;

import dev.berth.runtime.ExecSession;
import dev.berth.runtime.containerd.api.tasks.CloseIORequest;
import dev.berth.runtime.containerd.api.tasks.KillRequest;
import dev.berth.runtime.containerd.api.tasks.ResizePtyRequest;
import dev.berth.runtime.containerd.io.ChunkPipe;
import dev.berth.runtime.containerd.io.StdioFifos;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * A process started in a running container through containerd (Tasks.Exec + Start). Its output comes
 * through its own FIFOs into pipes the caller reads; the exit code completes once the output was
 * delivered. The exec is deleted from containerd when it exits (its code is kept here), so an exec
 * whose session was never closed leaves nothing behind.
 */
final class ContainerdExec implements ExecSession {
    private final Containerd client;
    private final String containerId;
    private final String execId;
    private final long pid;
    private final StdioFifos fifos;
    private final ChunkPipe stdout;
    private final ChunkPipe stderr;
    private final CompletableFuture<Integer> exitCode;
    private final OutputStream stdin;

    ContainerdExec(
            Containerd client,
            String containerId,
            String execId,
            long pid,
            StdioFifos fifos,
            ChunkPipe stdout,
            ChunkPipe stderr,
            CompletableFuture<Integer> exitCode) {
        this.client = client;
        this.containerId = containerId;
        this.execId = execId;
        this.pid = pid;
        this.fifos = fifos;
        this.stdout = stdout;
        this.stderr = stderr;
        this.exitCode = exitCode;
        this.stdin = fifos.hasStdin()
                ? new OutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        fifos.write(b, off, len);
                    }

                    @Override
                    public void close() {
                        fifos.closeStdin();
                        // the shim holds a writer of the FIFO too: only CloseIO gives the process its end of file
                        Grpc.run(
                                "close stdin of exec " + execId,
                                () -> client.tasks()
                                        .closeIO(CloseIORequest.newBuilder()
                                                .setContainerId(containerId)
                                                .setExecId(execId)
                                                .setStdin(true)
                                                .build()));
                    }
                }
                : OutputStream.nullOutputStream();
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public InputStream stdout() {
        return stdout;
    }

    @Override
    public InputStream stderr() {
        return stderr;
    }

    @Override
    public CompletableFuture<Integer> exitCode() {
        return exitCode.copy();
    }

    @Override
    public void kill(int signal) {
        Grpc.run(
                "kill exec " + execId,
                () -> client.tasks()
                        .kill(KillRequest.newBuilder()
                                .setContainerId(containerId)
                                .setExecId(execId)
                                .setSignal(signal)
                                .build()));
    }

    @Override
    public void resize(int width, int height) {
        Grpc.run(
                "resize exec " + execId,
                () -> client.tasks()
                        .resizePty(ResizePtyRequest.newBuilder()
                                .setContainerId(containerId)
                                .setExecId(execId)
                                .setWidth(width)
                                .setHeight(height)
                                .build()));
    }

    /** The client goes: its pipes discard from now on (the process never blocks on them); the process runs on. */
    @Override
    public void close() {
        stdout.close();
        stderr.close();
    }
}
