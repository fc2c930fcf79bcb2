package dev.berth.daemon.soak;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Requests to berthd's socket as a short-lived client makes them: a fresh connection per request,
 * keep-alive (the docker CLI's default) and closed by the client after the answer, which is the case
 * that leaked one socket per docker command. Also sends raw bytes for the fuzzing tests.
 */
public final class RawApi {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final Path socket;

    public RawApi(Path socket) {
        this.socket = socket;
    }

    /** An answer: status, body, and the time from connect to its last byte. */
    public record Answer(int status, String body, long nanos) {
        public boolean ok() {
            return status / 100 == 2;
        }
    }

    public Answer get(String path) {
        return send("GET", path, null);
    }

    public Answer post(String path, String json) {
        return send("POST", path, json);
    }

    public Answer delete(String path) {
        return send("DELETE", path, null);
    }

    /** A request with a JSON body (or none), answered on its own connection. */
    public Answer send(String method, String path, String json) {
        byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(method)
                .append(' ')
                .append(path)
                .append(" HTTP/1.1\r\nHost: api\r\n")
                .append("User-Agent: berth-soak\r\n");
        if (json != null) head.append("Content-Type: application/json\r\n");
        if (json != null || !method.equals("GET"))
            head.append("Content-Length: ").append(body.length).append("\r\n");
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return raw(all);
    }

    /** Sends these bytes as they are on a new connection and reads one HTTP answer (status 0 if none came). */
    public Answer raw(byte[] request) {
        return raw(request, TIMEOUT);
    }

    /**
     * As {@link #raw(byte[])}, giving up after {@code timeout}: then the answer's status is -1. A server
     * that closes the connection while the request is still being written answers what it sent before.
     */
    public Answer raw(byte[] request, Duration timeout) {
        long start = System.nanoTime();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            Thread watchdog = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(timeout);
                    ch.close();
                } catch (InterruptedException | IOException done) {
                    // answered in time
                }
            });
            try {
                ByteBuffer out = ByteBuffer.wrap(request);
                try {
                    while (out.hasRemaining()) ch.write(out);
                } catch (IOException closedWhileWriting) {
                    if (!ch.isOpen()) return new Answer(-1, "timed out", System.nanoTime() - start);
                    // the server answered early (e.g. 413) and closed: read what it said
                }
                return read(ch, start);
            } catch (ClosedChannelException timedOut) { // also AsynchronousCloseException: the watchdog closed it
                return new Answer(-1, "timed out", System.nanoTime() - start);
            } finally {
                watchdog.interrupt();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("request to " + socket + " failed", e);
        }
    }

    /** Reads one answer: headers, then a Content-Length or chunked body, or up to the end of the stream. */
    static Answer read(SocketChannel ch, long start) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(16384);
        int headEnd = -1;
        while (true) {
            byte[] b = got.toByteArray();
            if (headEnd < 0) headEnd = indexOf(b, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            if (headEnd >= 0) {
                String head = new String(b, 0, headEnd, StandardCharsets.ISO_8859_1);
                byte[] rest = Arrays.copyOfRange(b, headEnd + 4, b.length);
                String body = complete(head, rest);
                if (body != null) return new Answer(status(head), body, System.nanoTime() - start);
            }
            buf.clear();
            int n = ch.read(buf);
            if (n < 0) {
                if (headEnd < 0) return new Answer(0, new String(b, StandardCharsets.UTF_8), System.nanoTime() - start);
                String head = new String(b, 0, headEnd, StandardCharsets.ISO_8859_1);
                return new Answer(
                        status(head),
                        new String(b, headEnd + 4, b.length - headEnd - 4, StandardCharsets.UTF_8),
                        System.nanoTime() - start);
            }
            got.write(buf.array(), 0, n);
        }
    }

    /** The body once all of it is here, else null. */
    private static String complete(String head, byte[] rest) {
        String lower = head.toLowerCase(Locale.ROOT);
        int cl = lower.indexOf("\r\ncontent-length:");
        if (cl >= 0) {
            int end = lower.indexOf("\r\n", cl + 2);
            int len = Integer.parseInt(
                    lower.substring(cl + 17, end < 0 ? lower.length() : end).trim());
            return rest.length >= len ? new String(rest, 0, len, StandardCharsets.UTF_8) : null;
        }
        if (lower.contains("\r\ntransfer-encoding: chunked")) return dechunk(rest);
        int st = status(head);
        if (st == 204 || st == 304) return "";
        return null; // until the end of the stream
    }

    private static String dechunk(byte[] b) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int i = 0;
        while (true) {
            int eol = indexOf(b, i, "\r\n".getBytes(StandardCharsets.ISO_8859_1));
            if (eol < 0) return null;
            int size =
                    Integer.parseInt(new String(b, i, eol - i, StandardCharsets.ISO_8859_1).split(";")[0].trim(), 16);
            if (size == 0) return eol + 4 <= b.length ? body.toString(StandardCharsets.UTF_8) : null;
            if (eol + 2 + size + 2 > b.length) return null;
            body.write(b, eol + 2, size);
            i = eol + 2 + size + 2;
        }
    }

    private static int status(String head) {
        String[] f = head.split(" ", 3);
        return f.length > 1 && f[1].matches("\\d{3}") ? Integer.parseInt(f[1]) : 0;
    }

    private static int indexOf(byte[] b, byte[] what) {
        return indexOf(b, 0, what);
    }

    private static int indexOf(byte[] b, int from, byte[] what) {
        outer:
        for (int i = from; i <= b.length - what.length; i++) {
            for (int j = 0; j < what.length; j++) if (b[i + j] != what[j]) continue outer;
            return i;
        }
        return -1;
    }
}
