package dev.berth.bench.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A persistent HTTP/1.1 connection to an Engine API Unix socket, as a long-lived API client (an
 * orchestrator, the docker SDKs) keeps one: requests go one after the other on the same connection and
 * each answer is read by its Content-Length (or chunks). The clock of a request runs from its first byte
 * written to its answer's last byte read; no connect is in it. A benchmark tool, not a general client.
 */
final class KeepAliveHttp implements AutoCloseable {
    private final SocketChannel ch;
    private final ByteBuffer in = ByteBuffer.allocate(1 << 16);
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream(4096);

    KeepAliveHttp(Path socket) {
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new UncheckedIOException("connect " + socket + ": " + e.getMessage(), e);
        }
    }

    UnixHttp.Response post(String path, String json) {
        byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: api\r\nUser-Agent: berth-bench\r\n"
                + (json != null ? "Content-Type: application/json\r\n" : "") + "Content-Length: " + body.length
                + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out =
                ByteBuffer.allocate(h.length + body.length).put(h).put(body).flip();
        long t0 = System.nanoTime();
        try {
            while (out.hasRemaining()) ch.write(out);
            byte[] raw = readAnswer();
            long nanos = System.nanoTime() - t0;
            return parse(raw, nanos, "POST " + path);
        } catch (IOException e) {
            throw new UncheckedIOException("POST " + path + ": " + e.getMessage(), e);
        }
    }

    /** Reads one whole answer: headers, then Content-Length bytes or chunks up to the last one. */
    private byte[] readAnswer() throws IOException {
        int headEnd;
        while ((headEnd = indexOf(pending.toByteArray(), "\r\n\r\n")) < 0) fill();
        byte[] sofar = pending.toByteArray();
        String head = new String(sofar, 0, headEnd, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
        int bodyStart = headEnd + 4;
        int total;
        int cl = head.indexOf("\r\ncontent-length:");
        if (cl >= 0) {
            int eol = head.indexOf("\r\n", cl + 2);
            total = bodyStart
                    + Integer.parseInt(head.substring(cl + 17, eol < 0 ? head.length() : eol)
                            .trim());
            while (pending.size() < total) fill();
        } else if (head.contains("\r\ntransfer-encoding: chunked")) {
            while ((total = chunkedEnd(pending.toByteArray(), bodyStart)) < 0) fill();
        } else {
            total = bodyStart; // 204 and 304 carry no body
        }
        byte[] all = pending.toByteArray();
        pending.reset();
        pending.write(all, total, all.length - total);
        byte[] answer = new byte[total];
        System.arraycopy(all, 0, answer, 0, total);
        return answer;
    }

    private void fill() throws IOException {
        in.clear();
        int n = ch.read(in);
        if (n < 0) throw new IOException("the daemon closed the connection");
        pending.write(in.array(), 0, n);
    }

    /** Where the chunked body starting at {@code from} ends (after the last chunk's CRLF), or -1 if not all there. */
    private static int chunkedEnd(byte[] b, int from) {
        int i = from;
        while (true) {
            int eol = indexOf(b, "\r\n", i);
            if (eol < 0) return -1;
            int size = Integer.parseInt(new String(b, i, eol - i, StandardCharsets.US_ASCII).split(";")[0].trim(), 16);
            int next = eol + 2 + size + 2;
            if (next > b.length) return -1;
            if (size == 0) return next;
            i = next;
        }
    }

    private static int indexOf(byte[] b, String s) {
        return indexOf(b, s, 0);
    }

    private static int indexOf(byte[] b, String s, int from) {
        outer:
        for (int i = from; i <= b.length - s.length(); i++) {
            for (int k = 0; k < s.length(); k++) if (b[i + k] != s.charAt(k)) continue outer;
            return i;
        }
        return -1;
    }

    private static UnixHttp.Response parse(byte[] raw, long nanos, String what) {
        String text = new String(raw, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1."))
            throw new IllegalStateException(what + ": not an HTTP answer: " + UnixHttp.abbreviate(text));
        String[] status = text.substring(0, text.indexOf("\r\n")).split(" ", 3);
        return new UnixHttp.Response(Integer.parseInt(status[1]), text.substring(end + 4), nanos);
    }

    @Override
    public void close() {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
