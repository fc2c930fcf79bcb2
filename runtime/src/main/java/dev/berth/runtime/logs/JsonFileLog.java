package dev.berth.runtime.logs;

import dev.berth.runtime.LogChunk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Appends a container's output to its json-file log, rotating as Docker's {@code max-size}/{@code max-file}
 * do: once the file holds {@code maxSize} bytes it becomes {@code FILE.1} (older ones shift up, the oldest
 * beyond {@code maxFiles} goes). Thread-safe: stdout and stderr pumps share one writer, so lines of the
 * two streams keep the order in which they were read.
 */
public final class JsonFileLog implements AutoCloseable {
    private final Path file;
    private final long maxSize;
    private final int maxFiles;
    private FileChannel out;
    private long size;

    /** @param maxSize bytes per file, -1 (or 0): never rotate; @param maxFiles files kept in all, at least 1 */
    public JsonFileLog(Path file, long maxSize, int maxFiles) {
        this.file = file;
        this.maxSize = maxSize;
        this.maxFiles = Math.max(1, maxFiles);
        try {
            Files.createDirectories(file.getParent());
            open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the log " + file, e);
        }
    }

    private void open() throws IOException {
        out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = out.size();
    }

    public Path file() {
        return file;
    }

    public synchronized void write(LogChunk chunk) {
        if (out == null) return; // closed: the runtime is going away; the next berthd picks the stream up again
        byte[] line = JsonLogLine.encode(chunk);
        try {
            if (maxSize > 0 && size > 0 && size + line.length > maxSize) rotate();
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) out.write(b);
            size += line.length;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the log " + file, e);
        }
    }

    private void rotate() throws IOException {
        out.close();
        if (maxFiles == 1) {
            // Docker's max-file=1: the one file starts over
            Files.write(file, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
        } else {
            Files.deleteIfExists(rotated(file, maxFiles - 1));
            for (int i = maxFiles - 2; i >= 1; i--) {
                Path from = rotated(file, i);
                if (Files.exists(from)) Files.move(from, rotated(file, i + 1), StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(file, rotated(file, 1), StandardCopyOption.ATOMIC_MOVE);
        }
        open();
    }

    /** {@code FILE.n}: the n-th older file ({@code n >= 1}). */
    public static Path rotated(Path file, int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    @Override
    public synchronized void close() {
        if (out == null) return;
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            out = null;
        }
    }
}
