package dev.berth.daemon.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** A connection after {@code 101 UPGRADED}: raw bytes both ways. */
public interface RawConnection {

    Output output();

    /** What the client sends after the upgrade (stdin); end of stream when it half-closes or goes away. */
    InputStream input();

    /** Bytes to the client, in order, with back-pressure (a write blocks while the client is slow). */
    interface Output {
        void write(byte[] bytes, int offset, int length) throws IOException;

        default void write(byte[] bytes) throws IOException {
            write(bytes, 0, bytes.length);
        }

        default void write(String text) throws IOException {
            write(text.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * One frame of Docker's multiplexed stream: {@code [stream, 0, 0, 0, size (uint32 BE)]} then the
         * payload; stream 0 is stdin, 1 stdout, 2 stderr.
         */
        default void frame(int stream, byte[] bytes, int offset, int length) throws IOException {
            if (length == 0) return;
            byte[] framed = new byte[8 + length];
            framed[0] = (byte) stream;
            framed[4] = (byte) (length >>> 24);
            framed[5] = (byte) (length >>> 16);
            framed[6] = (byte) (length >>> 8);
            framed[7] = (byte) length;
            System.arraycopy(bytes, offset, framed, 8, length);
            write(framed, 0, framed.length);
        }

        /** Whether the client is still there. */
        boolean isOpen();
    }
}
