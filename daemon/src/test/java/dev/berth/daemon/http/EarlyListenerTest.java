package dev.berth.daemon.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The socket berthd's main binds first: pings answered at once with the API server's own answer, other
 * requests held, then relayed to the API server that adopts the descriptor (on their connection, after
 * pings on it); a start that fails closes the held connections and removes the socket.
 */
class EarlyListenerTest {
    @TempDir
    Path dir;

    @Test
    void answersPingsHoldsTheRestAndHandsItAllToTheServer() throws Exception {
        Path sock = dir.resolve("berth.sock");
        EarlyListener early = EarlyListener.bind(sock);
        ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
        ApiServer server = null;
        try (SocketChannel cli = connect(sock);
                SocketChannel other = connect(sock)) {
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
            send(cli, "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n");
            String ping = readAnswer(cli);
            assertTrue(ping.startsWith("HTTP/1.1 200 OK\r\n") && ping.endsWith("\r\n\r\nOK"), ping);
            send(cli, "HEAD /_ping HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(readAnswer(cli).startsWith("HTTP/1.1 200 OK\r\n"));
            // the next request on the same connection, and one on another, wait for the server
            send(cli, "GET /v1.50/networks HTTP/1.1\r\nHost: x\r\n\r\n");
            send(other, "POST /version HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody");
            CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> readAnswer(cli));
            CompletableFuture<String> heldOther = CompletableFuture.supplyAsync(() -> readAnswer(other));
            Thread.sleep(300);
            assertFalse(held.isDone() || heldOther.isDone(), "held until the server takes the socket");

            Router router = new Router()
                    .get("/_ping", q -> new ApiResponse.Text(200, "OK"))
                    .get("/networks", q -> new ApiResponse.Text(200, "networks from the server"))
                    .post("/version", q -> new ApiResponse.Text(200, "posted " + new String(q.body())));
            server = ApiServer.adopt(early, StartupGate.ready(router), workers, ApiLimits.DEFAULTS);
            early.handOver();
            assertTrue(held.get(10, TimeUnit.SECONDS).endsWith("networks from the server"));
            assertTrue(heldOther.get(10, TimeUnit.SECONDS).endsWith("posted body"));
            // the relayed connection goes on serving; a new one is the server's own
            send(cli, "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(readAnswer(cli).endsWith("\r\n\r\nOK"));
            try (SocketChannel fresh = connect(sock)) {
                send(fresh, "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n");
                String served = readAnswer(fresh);
                assertEquals(headerNames(ping), headerNames(served), "the same answer as the server's:\n" + served);
            }
        } finally {
            if (server != null) server.close();
            early.close(); // nothing once handed over
            workers.shutdownNow();
        }
        assertFalse(Files.exists(sock), "the server removes the socket it adopted");
    }

    @Test
    void aFailedStartClosesHeldConnectionsAndRemovesTheSocket() throws Exception {
        Path sock = dir.resolve("berth.sock");
        EarlyListener early = EarlyListener.bind(sock);
        try (SocketChannel cli = connect(sock)) {
            send(cli, "GET /networks HTTP/1.1\r\nHost: x\r\n\r\n");
            CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> readAnswer(cli));
            Thread.sleep(200);
            early.close();
            assertEquals("", held.get(10, TimeUnit.SECONDS));
        }
        assertFalse(Files.exists(sock));
    }

    @Test
    void aSocketInUseIsRefused() throws Exception {
        Path sock = dir.resolve("berth.sock");
        try (EarlyListener first = EarlyListener.bind(sock)) {
            try {
                EarlyListener.bind(sock).close();
                throw new AssertionError("a second bind on a served socket must fail");
            } catch (ApiServer.SocketInUseException expected) {
                // as ApiServer.start refuses it
            }
            assertTrue(Files.exists(sock));
        }
    }

    @Test
    void pingParsing() {
        assertTrue(EarlyListener.Ping.of("GET /_ping HTTP/1.1\r\nHost: x").keepAlive());
        assertTrue(EarlyListener.Ping.of("HEAD /_ping?x=1 HTTP/1.1").head());
        assertFalse(EarlyListener.Ping.of("GET /_ping HTTP/1.1\r\nConnection: close")
                .keepAlive());
        assertFalse(EarlyListener.Ping.of("GET /_ping HTTP/1.0").keepAlive());
        assertEquals(null, EarlyListener.Ping.of("GET /v1.50/_ping HTTP/1.1"));
        assertEquals(null, EarlyListener.Ping.of("POST /_ping HTTP/1.1"));
        assertEquals(null, EarlyListener.Ping.of("GET /_ping HTTP/1.1\r\nContent-Length: 3"));
        assertEquals(null, EarlyListener.Ping.of("GET /_ping HTTP/1.1\r\nTransfer-Encoding: chunked"));
        assertEquals(null, EarlyListener.Ping.of("GET /_pingx HTTP/1.1"));
    }

    private static Set<String> headerNames(String answer) {
        Set<String> names = new TreeSet<>();
        for (String l : answer.substring(0, answer.indexOf("\r\n\r\n")).split("\r\n"))
            if (l.indexOf(':') > 0) names.add(l.substring(0, l.indexOf(':')));
        return names;
    }

    private static SocketChannel connect(Path sock) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(sock));
        return c;
    }

    private static void send(SocketChannel c, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) c.write(b);
    }

    /** One answer with a Content-Length body (the head and the body), or "" at the end of stream. */
    private static String readAnswer(SocketChannel c) {
        try {
            StringBuilder s = new StringBuilder();
            ByteBuffer one = ByteBuffer.allocate(1);
            while (!s.toString().endsWith("\r\n\r\n")) {
                if (c.read(one.clear()) < 0) return s.toString();
                s.append((char) one.get(0));
            }
            int length = 0;
            for (String l : s.toString().split("\r\n"))
                if (l.toLowerCase(Locale.ROOT).startsWith("content-length:"))
                    length = Integer.parseInt(l.substring(15).strip());
            for (int i = 0; i < length; i++) {
                if (c.read(one.clear()) < 0) break;
                s.append((char) one.get(0));
            }
            return s.toString();
        } catch (IOException e) {
            return "";
        }
    }
}
