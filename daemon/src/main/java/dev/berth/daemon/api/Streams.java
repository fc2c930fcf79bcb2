package dev.berth.daemon.api;

import dev.berth.daemon.http.RawConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Copies between a process's streams and a taken-over connection: output as Docker's multiplexed frames
 * (no terminal) or raw bytes (a terminal), stdin with the detach keys looked for.
 */
final class Streams {
    static final String MULTIPLEXED = "application/vnd.docker.multiplexed-stream";
    static final String RAW = "application/vnd.docker.raw-stream";

    private Streams() {}

    /** Copies {@code in} to the client on a virtual thread; stream 0 means raw (a terminal), 1 stdout, 2 stderr. */
    static Thread pump(InputStream in, RawConnection.Output out, int stream) {
        return Thread.ofVirtual().name("stream-out").start(() -> {
            byte[] buf = new byte[32 * 1024];
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (out == null || !out.isOpen()) continue;
                    if (stream == 0) out.write(buf, 0, n);
                    else out.frame(stream, buf, 0, n);
                }
            } catch (IOException clientOrProcessGone) {
                // the process closed its output or the client left; either way this stream is done
            }
        });
    }

    /**
     * Copies the client's stdin to the process until either ends or the detach keys are typed; returns
     * true when the client detached. Closes the process's stdin at the client's end of file.
     */
    static boolean copyStdin(InputStream from, OutputStream to, DetachKeys keys, boolean closeAtEnd) {
        byte[] buf = new byte[8 * 1024];
        try {
            int n;
            while ((n = from.read(buf)) >= 0) {
                byte[] pass = keys == null ? Arrays.copyOf(buf, n) : keys.filter(buf, n);
                if (pass.length > 0) {
                    to.write(pass);
                    to.flush();
                }
                if (keys != null && keys.detached()) return true;
            }
            if (closeAtEnd) to.close();
        } catch (IOException processGone) {
            // the process stopped reading
        }
        return false;
    }
}
