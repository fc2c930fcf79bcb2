package dev.berth.daemon.http;

import dev.berth.model.log.Log;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 on a Unix socket (Netty's epoll transport, which keeps half-closed connections open: docker
 * signals the end of an exec's stdin by shutting down its writing side only). Requests are
 * decoded on one event-loop thread and handled on worker threads, because handlers block on netlink,
 * nftables and processes.
 */
public final class ApiServer implements AutoCloseable {
    private final Path socket;
    private final EventLoopGroup group;
    private final Channel channel;
    private final ConnectionLimit connections;
    /** Whether berthd made the socket's file (else systemd did, and keeps it). */
    private final boolean ownsFile;

    private ApiServer(
            Path socket, EventLoopGroup group, Channel channel, ConnectionLimit connections, boolean ownsFile) {
        this.socket = socket;
        this.group = group;
        this.channel = channel;
        this.connections = connections;
        this.ownsFile = ownsFile;
    }

    /**
     * Binds the socket (mode 0660, group {@code berth} when it exists) and serves until closed, within
     * {@code limits}. It is bound under a temporary name, restricted, then renamed into place, so no
     * client ever finds it at its path with the default mode (a connection there, under load, could come
     * before the chmod).
     */
    public static ApiServer start(Path socket, Router router, ExecutorService workers, ApiLimits limits)
            throws IOException {
        return start(socket, StartupGate.ready(router), workers, limits);
    }

    /** As above, answering what {@code gate} lets through while the daemon starts. */
    public static ApiServer start(Path socket, StartupGate gate, ExecutorService workers, ApiLimits limits)
            throws IOException {
        claim(socket);
        Path bound = socket.resolveSibling(
                "." + socket.getFileName() + "." + ProcessHandle.current().pid());
        Files.deleteIfExists(bound);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ConnectionLimit connections = new ConnectionLimit(limits.maxConnections());
        try {
            Channel ch = bootstrap(group, connections, gate, workers, limits)
                    .channel(EpollServerDomainSocketChannel.class)
                    .bind(new DomainSocketAddress(bound.toFile()))
                    .sync()
                    .channel();
            restrict(bound);
            Files.move(bound, socket, StandardCopyOption.ATOMIC_MOVE);
            return new ApiServer(socket, group, ch, connections, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully();
            throw new IOException("interrupted while binding " + socket, e);
        } catch (RuntimeException | IOException e) {
            group.shutdownGracefully();
            Files.deleteIfExists(bound);
            throw new IOException("cannot listen on " + socket + ": " + e.getMessage(), e);
        }
    }

    /**
     * Serves on a listening socket inherited from systemd (socket activation): its path, mode and group
     * are the unit's, and the file stays when berthd stops (systemd keeps listening and starts berthd again).
     */
    public static ApiServer adopt(SystemdSocket inherited, StartupGate gate, ExecutorService workers, ApiLimits limits)
            throws IOException {
        return adopt(inherited.fd(), inherited.path(), false, inherited.toString(), gate, workers, limits);
    }

    /**
     * Serves on the socket berthd's main bound before anything else ({@link EarlyListener}); its file is
     * berthd's and goes when the server closes. The caller hands the early connections over afterwards.
     */
    public static ApiServer adopt(EarlyListener early, StartupGate gate, ExecutorService workers, ApiLimits limits)
            throws IOException {
        return adopt(early.fd(), early.socket(), true, early.socket().toString(), gate, workers, limits);
    }

    private static ApiServer adopt(
            int fd,
            Path path,
            boolean ownsFile,
            String what,
            StartupGate gate,
            ExecutorService workers,
            ApiLimits limits)
            throws IOException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ConnectionLimit connections = new ConnectionLimit(limits.maxConnections());
        try {
            Channel ch = bootstrap(group, connections, gate, workers, limits)
                    .channelFactory(() -> new EpollServerDomainSocketChannel(fd, true))
                    .register()
                    .sync()
                    .channel();
            return new ApiServer(path, group, ch, connections, ownsFile);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully();
            throw new IOException("interrupted while adopting " + what, e);
        } catch (RuntimeException e) {
            group.shutdownGracefully();
            throw new IOException("cannot serve on " + what + ": " + e.getMessage(), e);
        }
    }

    private static ServerBootstrap bootstrap(
            EventLoopGroup group,
            ConnectionLimit connections,
            StartupGate gate,
            ExecutorService workers,
            ApiLimits limits) {
        return new ServerBootstrap()
                .group(group)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel c) {
                        ApiHandler api = new ApiHandler(gate, workers, limits);
                        c.pipeline().addLast(ConnectionLimit.NAME, connections);
                        c.pipeline().addLast(RequestStarted.NAME, RequestStarted.INSTANCE);
                        c.pipeline()
                                .addLast(
                                        ApiHandler.CODEC,
                                        new HttpServerCodec(limits.maxHeaderBytes(), limits.maxHeaderBytes(), 65536));
                        if (!gate.isOpen()) c.pipeline().addLast(GateHandler.NAME, new GateHandler(gate));
                        c.pipeline().addLast(ApiHandler.STREAMED, new StreamedBodies(gate, api));
                        c.pipeline().addLast(ApiHandler.AGGREGATOR, new BodyLimit(limits.maxBodyBytes()));
                        c.pipeline().addLast(ApiHandler.API, api);
                    }
                });
    }

    /** Refuses a socket another daemon answers on; removes a stale one left by a dead daemon. */
    public static void claim(Path socket) throws IOException {
        Files.createDirectories(socket.toAbsolutePath().getParent());
        if (!Files.exists(socket)) return;
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            throw new SocketInUseException(socket);
        } catch (SocketInUseException e) {
            throw e;
        } catch (IOException nobodyListens) {
            Files.delete(socket);
        }
    }

    static void restrict(Path socket) throws IOException {
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
        try {
            GroupPrincipal g =
                    socket.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("berth");
            Files.getFileAttributeView(socket, PosixFileAttributeView.class).setGroup(g);
        } catch (UserPrincipalNotFoundException noGroup) {
            Log.debug("no group 'berth'; the socket stays root-only", "socket", socket);
        }
    }

    public Path socket() {
        return socket;
    }

    /** API connections open now. */
    public int connections() {
        return connections.open();
    }

    @Override
    public void close() {
        try {
            channel.close().syncUninterruptibly();
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            try {
                if (ownsFile) Files.deleteIfExists(socket);
            } catch (IOException e) {
                Log.warn("cannot remove the socket", "socket", socket, "error", e.getMessage());
            }
        }
    }

    /** Another process already serves this socket. */
    public static final class SocketInUseException extends IOException {
        SocketInUseException(Path socket) {
            super("another daemon is already listening on " + socket + " (stop it, or choose another --socket)");
        }
    }
}
