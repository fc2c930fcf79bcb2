package dev.berth.cli.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Docker's multiplexed stream (attach, exec and logs of a container without a TTY): frames of an
 * 8-byte header {@code [stream, 0, 0, 0, size as uint32 big-endian]} and {@code size} bytes of
 * payload, stream 1 for stdout and 2 for stderr (0, stdin, is written to stdout as Docker's CLI does).
 */
public final class StreamDemux {
    private StreamDemux() {}

    /** Copies frames until the end of the stream; fails on a torn header or frame. */
    public static void copy(InputStream in, OutputStream stdout, OutputStream stderr) throws IOException {
        byte[] header = new byte[8];
        byte[] buf = new byte[32 * 1024];
        while (true) {
            int got = in.readNBytes(header, 0, 8);
            if (got == 0) return;
            if (got < 8) throw new IOException("stream ended inside a frame header (" + got + " of 8 bytes)");
            int stream = header[0];
            if (stream < 0 || stream > 2 || header[1] != 0 || header[2] != 0 || header[3] != 0)
                throw new IOException("not a multiplexed stream: frame header starts with " + (header[0] & 0xff));
            long size = ((header[4] & 0xffL) << 24)
                    | ((header[5] & 0xff) << 16)
                    | ((header[6] & 0xff) << 8)
                    | (header[7] & 0xff);
            OutputStream out = stream == 2 ? stderr : stdout;
            while (size > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, size));
                if (n == -1) throw new IOException("stream ended inside a frame (" + size + " bytes missing)");
                out.write(buf, 0, n);
                size -= n;
            }
            out.flush();
        }
    }

    /** One frame, as the daemon writes it (used by tests and the training run). */
    public static byte[] frame(int stream, byte[] payload) {
        byte[] f = new byte[8 + payload.length];
        f[0] = (byte) stream;
        f[4] = (byte) (payload.length >>> 24);
        f[5] = (byte) (payload.length >>> 16);
        f[6] = (byte) (payload.length >>> 8);
        f[7] = (byte) payload.length;
        System.arraycopy(payload, 0, f, 8, payload.length);
        return f;
    }
}
