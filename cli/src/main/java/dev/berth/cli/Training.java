package dev.berth.cli;

import dev.berth.cli.cmd.Io;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The AOT training run of {@code make build} ({@code -XX:AOTCacheOutput}): runs the commands people
 * start most against a canned daemon on a temporary socket, so the cache holds the classes, linked
 * call sites and profiles that {@code berth network ls} needs. No berthd is required.
 */
public final class Training {
    private Training() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--serve")) { // scripts/bench-cli.sh: a canned daemon to time against
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(Path.of(args[1])));
                serve(server);
            }
            return;
        }
        Path dir = Files.createTempDirectory("berth-training-");
        Path sock = dir.resolve("berth.sock");
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Map<String, String> env = Map.of("BERTH_HOST", "unix://" + sock);
        Io io = new Io(sink, sink, InputStream.nullInputStream(), env);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Thread t = Thread.ofPlatform().daemon().start(() -> serve(server));
            for (int i = 0; i < 20; i++) {
                Berth.run(io, "network", "ls");
                Berth.run(io, "network", "ls", "--format", "json");
                Berth.run(io, "network", "inspect", "bridge");
                Berth.run(io, "version");
                Berth.run(io, "ps");
                Berth.run(io, "image", "ls");
                Berth.run(io, "network", "create", "--subnet", "10.9.0.0/24", "training");
            }
            Berth.run(io, "--help");
            Berth.run(io, "network", "ls", "--bogus");
            Berth.run(
                    new Io(
                            sink,
                            sink,
                            InputStream.nullInputStream(),
                            Map.of("BERTH_HOST", "unix://" + dir.resolve("none.sock"))),
                    "network",
                    "ls");
            t.interrupt();
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
    }

    private static void serve(ServerSocketChannel server) {
        while (true) {
            try (SocketChannel c = server.accept()) {
                String head = readHead(c);
                String[] line = head.split(" ", 3);
                String method = line[0], path = line[1];
                String body;
                int status = 200;
                if (path.endsWith("/networks")) body = resource("networks.json");
                else if (path.contains("/networks/create")) {
                    status = 201;
                    body = "{\"Id\":\"" + "ab".repeat(32) + "\",\"Warning\":\"\"}";
                } else if (path.contains("/networks/")) body = resource("network.json");
                else if (path.endsWith("/version")) body = resource("version.json");
                else if (path.endsWith("/_ping"))
                    body = "OK"; // the docker CLI's first request (bench-cli.sh times it too)
                else if (path.endsWith("/containers/json") || path.endsWith("/images/json")) body = "[]";
                else {
                    status = 404;
                    body = "{\"message\":\"page not found\"}";
                }
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                String h = "HTTP/1.1 " + status
                        + " X\r\nApi-Version: 1.50\r\nContent-Type: application/json\r\nContent-Length: " + b.length
                        + "\r\n\r\n";
                c.write(ByteBuffer.wrap(h.getBytes(StandardCharsets.US_ASCII)));
                if (!method.equals("HEAD")) c.write(ByteBuffer.wrap(b));
            } catch (IOException | RuntimeException e) {
                if (!server.isOpen()) return; // closed at the end of the training
                // else one client's torn request: serve the next
            }
        }
    }

    private static String readHead(SocketChannel c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        while (true) {
            if (c.read(buf) < 0) break;
            String s = new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
            int end = s.indexOf("\r\n\r\n");
            if (end < 0) continue;
            int cl = s.toLowerCase().indexOf("content-length:");
            int len = cl < 0
                    ? 0
                    : Integer.parseInt(
                            s.substring(cl + 15, s.indexOf("\r\n", cl)).trim());
            if (buf.position() >= end + 4 + len) return s;
        }
        return new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = Training.class.getResourceAsStream("training/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
