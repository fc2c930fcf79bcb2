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
 * The smallest HTTP/1.1 client that can time one Engine API round trip over a Unix socket: a fresh
 * connection per request (as the docker CLI and curl make), {@code Connection: close}, the whole
 * answer read to EOF. The clock covers connect, request, and the last byte of the answer; parsing
 * the answer happens after it stops. A benchmark tool, not a general client.
 */
final class UnixHttp {
    /** One answer: status, body (chunked encoding undone) and the round trip in nanoseconds. */
    record Response(int status, String body, long nanos) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final Path socket;
    private final ByteBuffer in = ByteBuffer.allocate(1 << 16);

    UnixHttp(Path socket) {
        this.socket = socket;
    }

    Response get(String path) {
        return call("GET", path, null);
    }

    Response post(String path, String json) {
        return call("POST", path, json);
    }

    Response delete(String path) {
        return call("DELETE", path, null);
    }

    /** Sends one request on a new connection and reads the answer to EOF. */
    Response call(String method, String path, String json) {
        byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(160)
                .append(method)
                .append(' ')
                .append(path)
                .append(" HTTP/1.1\r\nHost: api\r\nUser-Agent: berth-bench\r\nConnection: close\r\n");
        if (json != null) head.append("Content-Type: application/json\r\n");
        if (json != null || !method.equals("GET"))
            head.append("Content-Length: ").append(body.length).append("\r\n");
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream answer = new ByteArrayOutputStream(1024);
        long t0 = System.nanoTime();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out =
                    ByteBuffer.allocate(h.length + body.length).put(h).put(body).flip();
            while (out.hasRemaining()) ch.write(out);
            while (true) {
                in.clear();
                int n = ch.read(in);
                if (n < 0) break;
                answer.write(in.array(), 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " on " + socket + ": " + e.getMessage(), e);
        }
        long nanos = System.nanoTime() - t0;
        return parse(answer.toByteArray(), nanos, method + " " + path);
    }

    private static Response parse(byte[] raw, long nanos, String what) {
        String text = new String(raw, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.") || end < 0)
            throw new IllegalStateException(what + ": not an HTTP answer: " + abbreviate(text));
        String[] status = text.substring(0, text.indexOf("\r\n")).split(" ", 3);
        String headers = text.substring(0, end).toLowerCase(Locale.ROOT);
        String body = text.substring(end + 4);
        if (headers.contains("\r\ntransfer-encoding: chunked")) body = dechunk(body);
        return new Response(Integer.parseInt(status[1]), body, nanos);
    }

    private static String dechunk(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int eol = s.indexOf("\r\n", i);
            if (eol < 0) break;
            int size = Integer.parseInt(s.substring(i, eol).split(";")[0].trim(), 16);
            if (size == 0) break;
            // sizes count bytes; the bodies here are ASCII JSON, so chars and bytes agree
            out.append(s, eol + 2, Math.min(s.length(), eol + 2 + size));
            i = eol + 2 + size + 2;
        }
        return out.toString();
    }

    static String abbreviate(String s) {
        String t = s.strip();
        return t.length() > 300 ? t.substring(0, 300) + "..." : t;
    }
}
