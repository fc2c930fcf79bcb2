package dev.berth.dns;

import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;

/** One upstream resolver: a UDP socket connected to it from the host namespace, and its queries in flight by id. */
final class Upstream {
    final InetSocketAddress address;
    final DatagramChannel channel;
    final Forwarder.Pending[] byId = new Forwarder.Pending[65536];

    Upstream(InetSocketAddress address, DatagramChannel channel) {
        this.address = address;
        this.channel = channel;
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
