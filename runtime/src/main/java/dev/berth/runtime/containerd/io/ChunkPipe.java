package dev.berth.runtime.containerd.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;

/**
 * An InputStream fed with chunks by a pump thread. Bounded: when the reader falls {@code capacity}
 * bytes behind, a {@code dropWhenFull} pipe ends (an attacher that stopped reading is detached, with an
 * error at its end, rather than blocking the task's output); another one makes the pump wait (an exec's
 * client gets Docker's back-pressure). Once the reader closed it, chunks are discarded, so a client that
 * went away never holds up the task.
 */
public final class ChunkPipe extends InputStream {
    private final int capacity;
    private final boolean dropWhenFull;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private byte[] head;
    private int headPos;
    private int buffered;
    private boolean ended;
    private boolean closed;
    private boolean overflowed;

    public ChunkPipe(int capacity, boolean dropWhenFull) {
        this.capacity = capacity;
        this.dropWhenFull = dropWhenFull;
    }

    /** Hands a chunk to the reader; false when it was discarded (closed, ended or overflowed). */
    public synchronized boolean offer(byte[] chunk) {
        if (chunk.length == 0) return true;
        while (!closed && !ended && buffered > 0 && buffered + chunk.length > capacity) {
            if (dropWhenFull) {
                overflowed = true;
                ended = true;
                chunks.clear();
                notifyAll();
                return false;
            }
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        if (closed || ended) return false;
        chunks.addLast(chunk);
        buffered += chunk.length;
        notifyAll();
        return true;
    }

    /** No more chunks: the reader gets end-of-stream after what is buffered. */
    public synchronized void end() {
        ended = true;
        notifyAll();
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (head == null) {
            if (closed) return -1;
            byte[] next = chunks.pollFirst();
            if (next != null) {
                head = next;
                headPos = 0;
                break;
            }
            if (ended) {
                if (overflowed)
                    throw new IOException(
                            "detached: the reader fell more than " + capacity + " bytes behind the task's output");
                return -1;
            }
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        int n = Math.min(len, head.length - headPos);
        System.arraycopy(head, headPos, b, off, n);
        headPos += n;
        buffered -= n;
        if (headPos == head.length) head = null;
        notifyAll();
        return n;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int available() {
        return buffered;
    }

    @Override
    public synchronized void close() {
        closed = true;
        chunks.clear();
        head = null;
        buffered = 0;
        notifyAll();
    }
}
