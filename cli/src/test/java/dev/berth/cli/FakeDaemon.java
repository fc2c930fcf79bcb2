package dev.berth.cli;

import dev.berth.cli.http.StreamDemux;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for berthd in CLI tests: a Unix socket HTTP/1.1 server that records every request and
 * answers from handlers matched by method and path (without the /v1.50 prefix), one thread per
 * connection so attach, wait and start can overlap as with the real daemon.
 */
final class FakeDaemon implements AutoCloseable {
    /** A request as received; {@code path} has the API version prefix removed. */
    record Request(String method, String target, String path, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Answers one request; may write anything (a hijacked stream included) to {@code out}. */
    interface Handler {
        void handle(Request r, InputStream in, OutputStream out) throws IOException;
    }

    private record Route(String method, String pathPrefix, Handler handler) {}

    final Path dir;
    final Path socket;
    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Route> routes = Collections.synchronizedList(new ArrayList<>());
    private final ServerSocketChannel server;
    private final Thread acceptor;

    FakeDaemon() throws IOException {
        dir = Files.createTempDirectory("berth-fake-");
        socket = dir.resolve("berth.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        acceptor = Thread.ofPlatform().daemon().name("fake-berthd").start(this::accept);
    }

    String host() {
        return "unix://" + socket;
    }

    /** Adds a handler; later ones take precedence, the longest matching prefix wins among equals. */
    FakeDaemon on(String method, String pathPrefix, Handler h) {
        routes.addFirst(new Route(method, pathPrefix, h));
        return this;
    }

    FakeDaemon json(String method, String pathPrefix, int status, String body) {
        return on(method, pathPrefix, (r, in, out) -> respond(out, status, "application/json", body));
    }

    List<Request> requests(String method, String pathPrefix) {
        return requests.stream()
                .filter(r -> r.method.equals(method) && r.path.startsWith(pathPrefix))
                .toList();
    }

    static void respond(OutputStream out, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String h = "HTTP/1.1 " + status + " " + reason(status) + "\r\nApi-Version: 1.50\r\nContent-Type: " + type
                + "\r\nContent-Length: " + b.length + "\r\n\r\n";
        out.write(h.getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
    }

    /** A chunked answer, each string one chunk. */
    static void respondChunked(OutputStream out, int status, String type, String... chunks) throws IOException {
        StringBuilder s = new StringBuilder("HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: " + type
                + "\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (String c : chunks) {
            byte[] b = c.getBytes(StandardCharsets.UTF_8);
            s.append(Integer.toHexString(b.length)).append("\r\n").append(c).append("\r\n");
        }
        s.append("0\r\n\r\n");
        out.write(s.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The head of a chunked answer, sent at once (dockerd's wait does this once the waiter is registered). */
    static void chunkedHead(OutputStream out, int status, String type) throws IOException {
        out.write(("HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: " + type
                        + "\r\nTransfer-Encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** One chunk, and with {@code last} the terminating empty chunk. */
    static void chunk(OutputStream out, String c, boolean last) throws IOException {
        byte[] b = c.getBytes(StandardCharsets.UTF_8);
        out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.write(("\r\n" + (last ? "0\r\n\r\n" : "")).getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Docker's answer to a hijack request: 101, then the raw stream is the caller's. */
    static void upgraded(OutputStream out) throws IOException {
        out.write(("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n"
                        + "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    static byte[] frame(int stream, String payload) {
        return StreamDemux.frame(stream, payload.getBytes(StandardCharsets.UTF_8));
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            default -> "Status";
        };
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                Thread.ofPlatform().daemon().start(() -> serve(c));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            InputStream in = Channels.newInputStream(c);
            OutputStream out = Channels.newOutputStream(c);
            String line = readLine(in);
            if (line == null) return;
            String[] p = line.split(" ");
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h = readLine(in); h != null && !h.isEmpty(); h = readLine(in)) {
                int colon = h.indexOf(':');
                headers.put(
                        h.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        h.substring(colon + 1).trim());
            }
            int len = headers.containsKey("content-length") ? Integer.parseInt(headers.get("content-length")) : 0;
            String body = new String(in.readNBytes(len), StandardCharsets.UTF_8);
            String target = p[1];
            String path = target.replaceFirst("^/v1\\.\\d+", "");
            int q = path.indexOf('?');
            Request r = new Request(p[0], target, q < 0 ? path : path.substring(0, q), headers, body);
            requests.add(r);
            Route best = null;
            synchronized (routes) {
                for (Route rt : routes)
                    if (rt.method.equals(r.method)
                            && r.path.startsWith(rt.pathPrefix)
                            && (best == null || rt.pathPrefix.length() > best.pathPrefix.length())) best = rt;
            }
            if (best == null) respond(out, 404, "application/json", "{\"message\":\"page not found\"}");
            else best.handler.handle(r, in, out);
        } catch (IOException ignored) {
            // the client went away
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') if (c != '\r') b.write(c);
        return c == -1 && b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
        Files.deleteIfExists(socket);
        Files.deleteIfExists(dir);
    }
}
