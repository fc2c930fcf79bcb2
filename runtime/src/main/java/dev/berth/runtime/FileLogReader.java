package dev.berth.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a container's stdout and stderr files as chunks tagged with their stream. In follow mode it
 * waits for new output and ends once the process has exited and everything it wrote was delivered.
 * The two streams are separate files (the process writes them directly, with no daemon in between), so
 * their relative order is kept within each stream but not across them.
 */
final class FileLogReader implements LogReader {
    private static final int CHUNK = 32 * 1024;
    private static final int MAX_WAIT_MS = 50;

    private final FileChannel out;
    private final FileChannel err;
    private final boolean follow;
    private final CompletableFuture<?> exited;
    private final ByteBuffer buf = ByteBuffer.allocate(CHUNK);
    private long outPos, errPos;
    private int waitMs = 1;

    FileLogReader(ContainerFiles files, LogOptions o, CompletableFuture<?> exited) {
        this.follow = o.follow();
        this.exited = exited;
        try {
            this.out = o.stdout() ? FileChannel.open(files.stdout(), StandardOpenOption.READ) : null;
            this.err = o.stderr() ? FileChannel.open(files.stderr(), StandardOpenOption.READ) : null;
            if (out != null) outPos = o.tail() < 0 ? 0 : tailStart(out, o.tail());
            if (err != null) errPos = o.tail() < 0 ? 0 : tailStart(err, o.tail());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the logs in " + files.dir(), e);
        }
    }

    /**
     * The next chunk; null at the end (without follow: at the end of what was written so far). In follow
     * mode it blocks until there is output or the process has exited.
     */
    @Override
    public LogChunk next() throws IOException, InterruptedException {
        while (true) {
            // Looked at before reading: whatever the process wrote before it exited is then read below.
            boolean finished = exited.isDone();
            LogChunk c = read(out, LogStream.STDOUT);
            if (c == null) c = read(err, LogStream.STDERR);
            if (c != null) {
                waitMs = 1;
                return c;
            }
            if (!follow || finished) return null;
            try {
                exited.get(waitMs, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // No exit yet (or the container was removed): look at the files again.
            }
            waitMs = Math.min(waitMs * 2, MAX_WAIT_MS);
        }
    }

    private LogChunk read(FileChannel ch, LogStream stream) throws IOException {
        if (ch == null) return null;
        long pos = stream == LogStream.STDOUT ? outPos : errPos;
        buf.clear();
        int n = ch.read(buf, pos);
        if (n <= 0) return null;
        if (stream == LogStream.STDOUT) outPos += n;
        else errPos += n;
        return new LogChunk(stream, Arrays.copyOf(buf.array(), n), null); // the process writes the files itself: no time per chunk
    }

    /** Where the last {@code lines} lines begin; a last line without a newline counts as a line. */
    static long tailStart(FileChannel ch, int lines) throws IOException {
        long size = ch.size();
        if (lines == 0) return size;
        ByteBuffer b = ByteBuffer.allocate(8192);
        long end = size;
        int seen = 0;
        while (end > 0) {
            long start = Math.max(0, end - b.capacity());
            b.clear().limit((int) (end - start));
            ch.read(b, start);
            for (int i = (int) (end - start) - 1; i >= 0; i--) {
                // The newline that ends the last line does not start another one.
                if (b.get(i) != '\n' || start + i == size - 1) continue;
                if (++seen == lines) return start + i + 1;
            }
            end = start;
        }
        return 0;
    }

    @Override
    public void close() throws IOException {
        if (out != null) out.close();
        if (err != null) err.close();
    }
}
