package dev.berth.runtime;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * A command running inside a container's namespaces ({@code docker exec}). The caller writes its stdin
 * (when asked for), reads its stdout and stderr, and gets its exit status (128+N when signal N killed it).
 * Unlike the container's own process it belongs to the daemon: it does not outlive the daemon's JVM.
 */
final class ProcessExecSession implements ExecSession {
    private final Process process;
    private final CompletableFuture<Integer> exitCode;

    ProcessExecSession(Process process) {
        this.process = process;
        this.exitCode = process.onExit().thenApply(Process::exitValue);
    }

    /** The host PID of the process that waits for the command (nsenter). */
    @Override
    public long pid() {
        return process.pid();
    }

    /** The command's standard input; close it to send end-of-file. Discards writes when stdin was not asked for. */
    @Override
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    @Override
    public InputStream stdout() {
        return process.getInputStream();
    }

    @Override
    public InputStream stderr() {
        return process.getErrorStream();
    }

    /** Completes with the command's exit status. */
    @Override
    public CompletableFuture<Integer> exitCode() {
        return exitCode.copy();
    }

    /** Kills the command if it still runs and closes the streams. */
    @Override
    public void close() {
        if (process.isAlive()) process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.getOutputStream().close();
            process.getInputStream().close();
            process.getErrorStream().close();
        } catch (java.io.IOException ignored) {
            // Closing pipes of a dead process: nothing to report.
        }
    }

    /** The process runtime gives execs no terminal. */
    @Override
    public void resize(int width, int height) {
        throw new UnsupportedOperationException("the process runtime gives execs no terminal");
    }
}
