package dev.berth.cluster.etcd;

import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.vertx.core.impl.transports.NioTransport;
import io.vertx.core.impl.transports.TransportInternal;
import io.vertx.core.transport.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SocketChannel;

/**
 * Vert.x's NIO transport with its client sockets opened inside one network namespace. A socket
 * belongs to the namespace of the thread that creates it, and gRPC creates sockets on whatever
 * thread happens to drive the connection; opening each one on a namespace thread makes the etcd
 * client talk from the agent's host namespace whichever thread asks (several agents in one JVM, each
 * in its own lab namespace, as the tests run them).
 */
final class NetnsTransport extends NioTransport {
    private final NetnsHandle netns;

    private NetnsTransport(NetnsHandle netns) {
        this.netns = netns;
    }

    /** A transport for {@code Vertx.builder().withTransport(...)}; {@code netns} stays open as long as the client. */
    static Transport in(NetnsHandle netns) {
        return new TransportInternal("nio-netns", true, null, new NetnsTransport(netns));
    }

    @Override
    public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
        if (domainSocket) return super.channelFactory(true); // a path: no namespace involved
        return () -> new NioSocketChannel(open());
    }

    private SocketChannel open() {
        return Netns.call(netns, () -> {
            try {
                return SocketChannel.open();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open a socket in " + netns, e);
            }
        });
    }
}
