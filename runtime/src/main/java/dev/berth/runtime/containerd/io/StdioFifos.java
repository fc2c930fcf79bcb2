package dev.berth.runtime.containerd.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The FIFOs of one process (a task's init or an exec) and berthd's ends of them: {@code PREFIX-stdin},
 * {@code -stdout}, {@code -stderr} in a directory under berthd's run directory. Without a terminal
 * stdout and stderr are separate; with one there is no stderr. No stdin FIFO means /dev/null.
 *
 * <p>Across berthd restarts: the shim keeps its ends (it also holds a reader of each output FIFO, so
 * the task gets no EPIPE; it also holds a writer of stdin, so stdin stays open until CloseIO), output
 * waits in the pipe (up to its size) and the next berthd reopens the same
 * paths ({@link #reopen}) and goes on: the design Docker's dockerd uses with its containerd.
 */
public final class StdioFifos implements AutoCloseable {
    private final Path stdin;
    private final Path stdout;
    private final Path stderr;
    private int inHolder = -1;
    private int outHolder = -1;
    private int errHolder = -1;
    private FileChannel inWriter;
    private OutputPump outPump;
    private OutputPump errPump;

    private StdioFifos(Path stdin, Path stdout, Path stderr) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Makes the FIFOs and opens berthd's ends, before the shim is told their paths. */
    public static StdioFifos create(Path dir, String prefix, boolean tty, boolean withStdin) throws IOException {
        Files.createDirectories(dir);
        StdioFifos f = new StdioFifos(
                withStdin ? dir.resolve(prefix + "-stdin") : null,
                dir.resolve(prefix + "-stdout"),
                tty ? null : dir.resolve(prefix + "-stderr"));
        try {
            for (Path p : f.paths()) Fifo.create(p);
            f.hold();
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    /**
     * Berthd's ends of a running task's FIFOs after a restart (paths as containerd reports them; empty:
     * none). Missing FIFOs (the run directory was emptied) count as none.
     */
    public static StdioFifos reopen(String stdinPath, String stdoutPath, String stderrPath) throws IOException {
        StdioFifos f = new StdioFifos(existing(stdinPath), existing(stdoutPath), existing(stderrPath));
        f.hold(); // the caller pumps, then releases: the shim's writers are there already (or gone: the reads
        // end at once)
        return f;
    }

    private static Path existing(String path) {
        if (path == null || path.isEmpty()) return null;
        Path p = Path.of(path);
        return Fifo.isFifo(p) ? p : null;
    }

    private void hold() throws IOException {
        if (stdin != null) {
            inHolder = Fifo.hold(stdin);
            inWriter = Fifo.writer(inHolder); // the holder stays open: writes never fail before the shim opened its end
        }
        if (stdout != null) outHolder = Fifo.hold(stdout);
        if (stderr != null) errHolder = Fifo.hold(stderr);
    }

    private List<Path> paths() {
        List<Path> l = new ArrayList<>();
        for (Path p : new Path[] {stdin, stdout, stderr}) if (p != null) l.add(p);
        return l;
    }

    public String stdinPath() {
        return stdin == null ? "" : stdin.toString();
    }

    public String stdoutPath() {
        return stdout == null ? "" : stdout.toString();
    }

    public String stderrPath() {
        return stderr == null ? "" : stderr.toString();
    }

    public boolean hasStdin() {
        return inWriter != null;
    }

    /**
     * Starts copying stdout and stderr to the sinks, each on a thread of its own (an exec: its sinks may
     * wait for the client); {@code onEnd} runs once per stream at its end.
     */
    public void pump(String name, Consumer<byte[]> out, Consumer<byte[]> err, Consumer<Boolean> onEnd)
            throws IOException {
        if (stdout != null)
            outPump = OutputPump.start(name + "-stdout", Fifo.reader(outHolder), out, () -> onEnd.accept(true));
        if (stderr != null)
            errPump = OutputPump.start(name + "-stderr", Fifo.reader(errHolder), err, () -> onEnd.accept(false));
    }

    /** As {@link #pump}, on the shared poller (a task's output: its sinks never block). */
    public void pumpPolled(String name, Consumer<byte[]> out, Consumer<byte[]> err, Consumer<Boolean> onEnd)
            throws IOException {
        if (stdout != null)
            outPump = OutputPump.polled(name + "-stdout", Fifo.pollingReader(outHolder), out, () -> onEnd.accept(true));
        if (stderr != null)
            errPump =
                    OutputPump.polled(name + "-stderr", Fifo.pollingReader(errHolder), err, () -> onEnd.accept(false));
    }

    /** Both outputs copied to their end (at once for a missing one). */
    public CompletableFuture<Void> drained() {
        return CompletableFuture.allOf(
                outPump == null ? CompletableFuture.completedFuture(null) : outPump.done(),
                errPump == null ? CompletableFuture.completedFuture(null) : errPump.done());
    }

    /**
     * Drops berthd's O_RDWR holders of the outputs once the shim opened its writers (it does so inside
     * the Create or Start call), so that end-of-file comes when the shim closes them.
     */
    public void releaseOutputs() {
        Fifo.release(outHolder);
        Fifo.release(errHolder);
        outHolder = errHolder = -1;
    }

    /** Writes to the process's stdin. */
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        if (inWriter == null) throw new IOException("the process's stdin is closed");
        ByteBuffer buf = ByteBuffer.wrap(b, off, len);
        while (buf.hasRemaining()) inWriter.write(buf);
    }

    /** Closes berthd's writing end of stdin (the shim sees end-of-file once no other writer is left). */
    public synchronized void closeStdin() {
        try {
            if (inWriter != null) inWriter.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            inWriter = null;
            Fifo.release(inHolder);
            inHolder = -1;
        }
    }

    /** Lets go of every end (pumps stop) and removes the FIFO files. */
    @Override
    public void close() {
        detach();
        for (Path p : paths()) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // the directory goes with the task anyway
            }
        }
    }

    /** Lets go of the ends without removing the FIFOs: berthd closes, the task runs on. */
    public void detach() {
        synchronized (this) {
            try {
                if (inWriter != null) inWriter.close();
            } catch (IOException e) {
                // closing
            }
            inWriter = null;
            Fifo.release(inHolder);
            inHolder = -1;
        }
        releaseOutputs();
        if (outPump != null) outPump.stop();
        if (errPump != null) errPump.stop();
    }
}
