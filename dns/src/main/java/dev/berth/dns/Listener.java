package dev.berth.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.List;

/**
 * The resolver's sockets inside one sandbox's namespace (UDP and TCP on 127.0.0.11:53), opened
 * there once; they stay in that namespace whichever thread uses them afterwards.
 */
final class Listener implements AutoCloseable {
    final String sandboxId;
    final DatagramChannel udp;
    final ServerSocketChannel tcp;
    final List<Upstream> route;
    /** The table the cached scope came from; only the loop thread reads and writes these two. */
    NameTable seen;

    Scope scope = Scope.NONE;

    private Listener(String sandboxId, DatagramChannel udp, ServerSocketChannel tcp, List<Upstream> route) {
        this.sandboxId = sandboxId;
        this.udp = udp;
        this.tcp = tcp;
        this.route = route;
    }

    /** Opens the sockets; must run on a thread inside the sandbox's namespace. */
    static Listener open(String sandboxId, InetAddress address, int port, List<Upstream> route) throws IOException {
        InetSocketAddress at = new InetSocketAddress(address, port);
        DatagramChannel udp = DatagramChannel.open(StandardProtocolFamily.INET);
        ServerSocketChannel tcp = null;
        try {
            udp.bind(at);
            udp.configureBlocking(false);
            tcp = ServerSocketChannel.open(StandardProtocolFamily.INET);
            tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            tcp.bind(at, 64);
            tcp.configureBlocking(false);
            return new Listener(sandboxId, udp, tcp, route);
        } catch (IOException | RuntimeException e) {
            udp.close();
            if (tcp != null) tcp.close();
            throw e;
        }
    }

    Scope scope(NameTable table) {
        if (table != seen) {
            scope = table.scopeOf(sandboxId);
            seen = table;
        }
        return scope;
    }

    @Override
    public void close() {
        try {
            udp.close();
        } catch (IOException ignored) {
            // closing
        }
        try {
            tcp.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
