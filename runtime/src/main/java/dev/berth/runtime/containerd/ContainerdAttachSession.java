package dev.berth.runtime.containerd;

import dev.berth.runtime.AttachSession;
import dev.berth.runtime.containerd.io.Attachers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * One attacher: its outputs from the container's {@link Attachers}; its stdin written into the task's
 * stdin FIFO (waiting for the start when it attached before it). Closing its stdin closes the task's
 * stdin only for a stdin-once container; closing the session detaches and leaves the task running.
 */
final class ContainerdAttachSession implements AttachSession {
    private final Box box;
    private final Attachers.Attacher attacher;
    private final OutputStream stdin;

    ContainerdAttachSession(Box box, Attachers.Attacher attacher, boolean withStdin, Consumer<TaskRun> closeStdin) {
        this.box = box;
        this.attacher = attacher;
        this.stdin = withStdin ? new StdinStream(box, closeStdin) : OutputStream.nullOutputStream();
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public InputStream stdout() {
        return attacher.stdout() == null ? InputStream.nullInputStream() : attacher.stdout();
    }

    @Override
    public InputStream stderr() {
        return attacher.stderr() == null ? InputStream.nullInputStream() : attacher.stderr();
    }

    @Override
    public void close() {
        box.attachers.remove(attacher);
    }

    /** Writes go to the current run's stdin; {@code close} hands the run to {@code closeStdin} (stdin-once). */
    private static final class StdinStream extends OutputStream {
        private final Box box;
        private final Consumer<TaskRun> closeStdin;
        private boolean closed;

        StdinStream(Box box, Consumer<TaskRun> closeStdin) {
            this.box = box;
            this.closeStdin = closeStdin;
        }

        private TaskRun run() throws IOException {
            if (closed) throw new IOException("stdin of this attachment is closed");
            try {
                TaskRun r = box.stdinRun.get(); // attached before the start: the first bytes wait for it
                if (!r.running()) throw new IOException("the container's process has exited");
                return r;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (ExecutionException e) {
                throw new IOException(e.getCause());
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            run().fifos.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            if (closed) return;
            closed = true;
            TaskRun r = box.stdinRun.getNow(null);
            if (r != null && r.running()) closeStdin.accept(r);
        }
    }
}
