package dev.berth.runtime.containerd.io;

import dev.berth.runtime.LogChunk;
import dev.berth.runtime.LogStream;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Cuts one output stream into log entries as Docker's json-file does: one per line (with its
 * {@code \n}); a line longer than 16 KiB is cut into partial entries, and what is left at the end of the
 * stream becomes a last entry without newline.
 */
public final class LineSplitter {
    static final int MAX_LINE = 16 * 1024;

    private final LogStream stream;
    private final Consumer<LogChunk> out;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    public LineSplitter(LogStream stream, Consumer<LogChunk> out) {
        this.stream = stream;
        this.out = out;
    }

    public void accept(byte[] data) {
        Instant now = Instant.now();
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == '\n') {
                partial.write(data, start, i + 1 - start);
                emit(now);
                start = i + 1;
            } else if (partial.size() + (i + 1 - start) >= MAX_LINE) {
                partial.write(data, start, i + 1 - start);
                emit(now);
                start = i + 1;
            }
        }
        partial.write(data, start, data.length - start);
    }

    /** The stream ended: a last piece without newline is logged as it is. */
    public void flush() {
        if (partial.size() > 0) emit(Instant.now());
    }

    private void emit(Instant time) {
        out.accept(new LogChunk(stream, partial.toByteArray(), time));
        partial.reset();
    }
}
