package dev.berth.runtime.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

/**
 * Complete lines of one open log file, read in order. A last line without its {@code \n} is a write in
 * progress: it stays unread until it is complete. The file may be renamed by rotation meanwhile; the open
 * channel still reads it to its end.
 */
final class LineFile implements AutoCloseable {
    private final FileChannel ch;
    private final Object key;
    private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    private byte[] line = new byte[256];
    private int lineLen;
    private long pos;

    LineFile(Path path) throws IOException {
        ch = FileChannel.open(path, StandardOpenOption.READ);
        key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        buf.flip();
    }

    /** Whether {@code path} is still this file (not replaced by a rotation). */
    boolean isStill(Path path) {
        try {
            return key != null
                    && key.equals(Files.readAttributes(path, BasicFileAttributes.class)
                            .fileKey());
        } catch (IOException e) {
            return false;
        }
    }

    /** A file truncated under us (max-file=1 starts over): read it again from its start. */
    boolean truncated() throws IOException {
        return ch.size() < pos;
    }

    void rewind() {
        pos = 0;
        lineLen = 0;
        buf.clear().flip();
    }

    /** The next complete line without its newline, or null when none is complete yet. */
    byte[] next() throws IOException {
        while (true) {
            while (buf.hasRemaining()) {
                byte b = buf.get();
                if (b == '\n') {
                    byte[] l = Arrays.copyOf(line, lineLen);
                    lineLen = 0;
                    return l;
                }
                if (lineLen == line.length) line = Arrays.copyOf(line, line.length * 2);
                line[lineLen++] = b;
            }
            buf.clear();
            int n = ch.read(buf, pos);
            buf.flip();
            if (n <= 0) return null;
            pos += n;
        }
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
