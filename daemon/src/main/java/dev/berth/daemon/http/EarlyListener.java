package dev.berth.daemon.http;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * berthd's API socket bound by {@code main} before anything else of the daemon loads (picocli, Netty, the
 * engine): it answers {@code GET} and {@code HEAD /_ping} itself from then on and holds every other request
 * unanswered. When the API server adopts the socket ({@link #handOver}, it accepts on the same descriptor
 * from then on), the held connections are relayed to it byte for byte (the start gate answers or holds
 * them there). A start that fails before the hand-over {@link #close}s the socket and its connections.
 * Plain JDK channels and threads: nothing here may cost start-up time.
 */
public final class EarlyListener implements AutoCloseable {
    private static final int MAX_HEAD = 64 * 1024;
    private static final byte[] END_OF_HEAD = {'\r', '\n', '\r', '\n'};
    /** The JDK's channel object shares its descriptor with Netty's after the hand-over: never collected. */
    private static final Set<ServerSocketChannel> KEPT = ConcurrentHashMap.newKeySet();

    private final Path socket;
    private final ServerSocketChannel server;
    private final int fd;
    private final Selector selector;
    private final long boundNanos;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final CountDownLatch handedOver = new CountDownLatch(1);
    private final Thread acceptor;
    private volatile boolean stopping;
    private volatile boolean closed;

    private EarlyListener(Path socket, ServerSocketChannel server, int fd, Selector selector) {
        this.socket = socket;
        this.server = server;
        this.fd = fd;
        this.selector = selector;
        this.boundNanos = System.nanoTime();
        this.acceptor = Thread.ofPlatform().daemon().name("early-api").unstarted(this::acceptLoop);
    }

    /**
     * Binds {@code socket} as the API server would (a stale socket of a dead daemon replaced; bound under a
     * temporary name, mode 0660 and group {@code berth}, then renamed into place) and starts answering.
     */
    public static EarlyListener bind(Path socket) throws IOException {
        ApiServer.claim(socket);
        Path bound = socket.resolveSibling(
                "." + socket.getFileName() + "." + ProcessHandle.current().pid());
        Files.deleteIfExists(bound);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        Selector selector = null;
        try {
            server.bind(UnixDomainSocketAddress.of(bound), backlog());
            int fd = UnixFds.descriptorOf(bound);
            ApiServer.restrict(bound);
            Files.move(bound, socket, StandardCopyOption.ATOMIC_MOVE);
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
            KEPT.add(server);
            EarlyListener l = new EarlyListener(socket, server, fd, selector);
            l.acceptor.start();
            return l;
        } catch (IOException | RuntimeException e) {
            if (selector != null) selector.close();
            server.close();
            Files.deleteIfExists(bound);
            throw e;
        }
    }

    /** Netty's default: the kernel's limit (a listening socket adopted later keeps the backlog it has). */
    private static int backlog() {
        try {
            return Integer.parseInt(
                    Files.readString(Path.of("/proc/sys/net/core/somaxconn")).strip());
        } catch (IOException | NumberFormatException e) {
            return 4096;
        }
    }

    public Path socket() {
        return socket;
    }

    /** The listening descriptor, for the API server to adopt. */
    public int fd() {
        return fd;
    }

    /** Milliseconds from the bind to now. */
    public long millisSinceBind() {
        return (System.nanoTime() - boundNanos) / 1_000_000;
    }

    /**
     * The API server now accepts on {@link #fd}: stop accepting here and relay the connections held so far
     * (and any later request on a connection accepted here) to it. The socket and its file are the server's.
     */
    public void handOver() {
        stopAccepting();
        handedOver.countDown();
    }

    /** A start that failed before the hand-over: the held connections, the socket and its file go. */
    @Override
    public void close() {
        if (handedOver.getCount() == 0 || closed) return;
        closed = true;
        stopAccepting();
        open.forEach(EarlyListener::quietClose);
        try {
            server.close();
        } catch (IOException ignored) {
            // the process is ending with an error already
        }
        KEPT.remove(server);
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // as above
        }
        handedOver.countDown(); // held connections were closed: their threads see closed and end
    }

    private void stopAccepting() {
        stopping = true;
        selector.wakeup();
        try {
            acceptor.join();
            selector.close(); // deregisters the listening channel; the descriptor stays open
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // nothing was registered but the listening channel
        }
    }

    private void acceptLoop() {
        try {
            while (!stopping) {
                selector.select();
                selector.selectedKeys().clear();
                SocketChannel c;
                while (!stopping && (c = server.accept()) != null) {
                    c.configureBlocking(true);
                    open.add(c);
                    SocketChannel conn = c;
                    Thread.ofVirtual().name("early-conn").start(() -> serve(conn));
                }
            }
        } catch (IOException e) {
            // the listening socket was closed (a failed start); nothing more to accept
        }
    }

    /** Answers pings on {@code c} until another request comes, then relays the rest to the API server. */
    private void serve(SocketChannel c) {
        ByteBuffer in = ByteBuffer.allocate(4096);
        try {
            while (true) {
                int end;
                while ((end = indexOf(in, END_OF_HEAD)) < 0) {
                    if (!in.hasRemaining()) {
                        if (in.capacity() >= MAX_HEAD) break; // not ours to judge: the server answers it
                        in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
                    }
                    if (c.read(in) < 0) {
                        if (in.position() == 0) return;
                        break; // a partial request, then the end of stream: the server answers it
                    }
                    if (handedOver.getCount() == 0 && in.position() > 0) break;
                }
                if (end >= 0 && handedOver.getCount() != 0) {
                    String head = new String(in.array(), 0, end, StandardCharsets.ISO_8859_1);
                    Ping ping = Ping.of(head);
                    if (ping != null) {
                        c.write(ByteBuffer.wrap(ping.answer()));
                        int used = end + END_OF_HEAD.length;
                        in = ByteBuffer.allocate(Math.max(4096, in.position() - used))
                                .put(in.flip().position(used));
                        if (!ping.keepAlive()) return;
                        continue;
                    }
                }
                handedOver.await();
                if (closed) return;
                relay(c, in.flip());
                return;
            }
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(c);
            quietClose(c);
        }
    }

    /** Copies both ways between the client and a connection of its own to the API server, half-closes included. */
    private void relay(SocketChannel client, ByteBuffer pending) throws IOException, InterruptedException {
        try (SocketChannel up = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            while (pending.hasRemaining()) up.write(pending);
            Thread toServer = Thread.ofVirtual().name("early-relay").start(() -> pump(client, up));
            pump(up, client);
            toServer.join();
        }
    }

    private static void pump(SocketChannel from, SocketChannel to) {
        ByteBuffer b = ByteBuffer.allocate(16 * 1024);
        try {
            while (from.read(b.clear()) >= 0) {
                b.flip();
                while (b.hasRemaining()) to.write(b);
            }
            to.shutdownOutput();
        } catch (IOException e) {
            quietClose(from);
            quietClose(to);
        }
    }

    private static int indexOf(ByteBuffer b, byte[] what) {
        byte[] a = b.array();
        outer:
        for (int i = 0; i + what.length <= b.position(); i++) {
            for (int j = 0; j < what.length; j++) if (a[i + j] != what[j]) continue outer;
            return i;
        }
        return -1;
    }

    private static void quietClose(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing on the way out
        }
    }

    /** A {@code GET} or {@code HEAD /_ping} without a body, and what the API server would answer to it. */
    record Ping(boolean head, boolean keepAlive) {
        private static final String SERVER = ApiVersions.server();

        /** The ping this request head asks for, or null when it is anything else. */
        static Ping of(String head) {
            String[] lines = head.split("\r\n");
            String[] req = lines[0].split(" ");
            if (req.length != 3 || !(req[0].equals("GET") || req[0].equals("HEAD"))) return null;
            String path = req[1].indexOf('?') < 0 ? req[1] : req[1].substring(0, req[1].indexOf('?'));
            if (!path.equals("/_ping") || !req[2].startsWith("HTTP/1.")) return null;
            boolean keepAlive = req[2].equals("HTTP/1.1");
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon < 0) return null;
                String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(colon + 1).strip().toLowerCase(Locale.ROOT);
                switch (name) {
                    case "content-length" -> {
                        if (!value.equals("0")) return null;
                    }
                    case "transfer-encoding", "upgrade", "expect" -> {
                        return null;
                    }
                    case "connection" ->
                        keepAlive = value.contains("keep-alive") || !value.contains("close") && keepAlive;
                    default -> {}
                }
            }
            return new Ping(req[0].equals("HEAD"), keepAlive);
        }

        /** The API server's answer, headers included (ApiHandler's for a Text response). */
        byte[] answer() {
            String body = head ? "" : "OK";
            String s = "HTTP/1.1 200 OK\r\n"
                    + "Api-Version: " + ApiVersions.CURRENT + "\r\n"
                    + "Docker-Experimental: false\r\n"
                    + "Ostype: linux\r\n"
                    + "server: " + SERVER + "\r\n"
                    + "date: " + DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC))
                    + "\r\n"
                    + "content-type: text/plain; charset=utf-8\r\n"
                    + "cache-control: no-cache, no-store, must-revalidate\r\n"
                    + "pragma: no-cache\r\n"
                    + "content-length: " + (head ? 0 : body.length()) + "\r\n"
                    + (keepAlive ? "connection: keep-alive\r\n" : "connection: close\r\n")
                    + "\r\n" + body;
            return s.getBytes(StandardCharsets.ISO_8859_1);
        }
    }
}
