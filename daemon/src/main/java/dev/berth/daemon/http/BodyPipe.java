package dev.berth.daemon.http;

import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A request body handed to its handler as it arrives (a {@code docker load} tar can be gigabytes): the event
 * loop puts chunks in, the handler's thread reads them; reading stops while too much waits (back-pressure),
 * and a connection lost before the body's end is an IOException, never a silently short body.
 */
final class BodyPipe extends InputStream {
    private static final byte[] END = new byte[0];
    private static final byte[] LOST = new byte[0];
    private static final int PAUSE_AT = 64;
    private final Channel channel;
    private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private byte[] current = new byte[0];
    private int pos;
    private boolean ended;

    BodyPipe(Channel channel) {
        this.channel = channel;
    }

    /** On the event loop: one more chunk. */
    void offer(byte[] chunk) {
        if (chunk.length > 0) chunks.add(chunk);
        if (chunks.size() >= PAUSE_AT) channel.config().setAutoRead(false);
    }

    /** On the event loop: the body is complete. */
    void end() {
        chunks.add(END);
    }

    /** On the event loop: the connection went before the body's end. */
    void lost() {
        chunks.add(LOST);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (pos >= current.length) {
            if (ended) return -1;
            try {
                current = chunks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading the request body", e);
            }
            pos = 0;
            if (current == LOST) throw new IOException("the client went away before the end of the request body");
            if (current == END) {
                ended = true;
                return -1;
            }
            if (chunks.size() < PAUSE_AT / 2 && !channel.config().isAutoRead()) {
                channel.config().setAutoRead(true);
                channel.read();
            }
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }
}
