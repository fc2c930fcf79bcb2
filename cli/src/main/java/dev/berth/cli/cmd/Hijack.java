package dev.berth.cli.cmd;

import dev.berth.cli.http.Api;
import dev.berth.cli.http.HttpConnection;
import dev.berth.cli.http.StreamDemux;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * A hijacked attach or exec stream: the daemon's output copied to our stdout and stderr (multiplexed
 * frames, or raw bytes when the container has a terminal), and (with {@code -i}) our stdin copied to the
 * daemon raw, half-closed at its end.
 */
final class Hijack {
    private Hijack() {}

    /** Starts copying multiplexed output on a thread of its own; join it to wait for the end of the stream. */
    static Thread output(Api.Exchange ex, PrintStream out, PrintStream err) {
        return output(ex, out, err, false);
    }

    /** Like {@link #output(Api.Exchange, PrintStream, PrintStream)}; {@code tty}: the stream is the terminal's raw bytes. */
    static Thread output(Api.Exchange ex, PrintStream out, PrintStream err, boolean tty) {
        return Thread.ofPlatform().name("berth-output").start(() -> {
            try {
                if (tty) copyRaw(ex.response().body(), out);
                else StreamDemux.copy(ex.response().body(), out, err);
            } catch (IOException e) {
                err.println("berth: output stream: " + e.getMessage());
            } finally {
                out.flush();
                err.flush();
            }
        });
    }

    /** A terminal's bytes as they come: flushed at once, the user types and watches. */
    private static void copyRaw(InputStream in, PrintStream out) throws IOException {
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) != -1) {
            out.write(buf, 0, n);
            out.flush();
        }
    }

    /** Copies stdin to the daemon until its end, then half-closes the connection; a daemon thread. */
    static void input(Api.Exchange ex, InputStream in) {
        HttpConnection c = ex.connection();
        Thread.ofPlatform().daemon().name("berth-input").start(() -> {
            try {
                OutputStream o = c.output();
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) != -1) o.write(buf, 0, n);
            } catch (IOException | UncheckedIOException ignored) {
                // the container closed its stdin or exited: nothing more to send
            } finally {
                c.shutdownOutput();
            }
        });
    }

    static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
