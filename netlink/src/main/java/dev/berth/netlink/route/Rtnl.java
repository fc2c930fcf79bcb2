package dev.berth.netlink.route;

import dev.berth.netlink.NetlinkSocket;

/** The rtnetlink operations of one network namespace, over one socket opened in it. */
public final class Rtnl implements AutoCloseable {
    private final NetlinkSocket socket;
    private final Links links;
    private final Addresses addresses;
    private final Routes routes;
    private final Neighbours neighbours;

    public Rtnl(NetlinkSocket socket) {
        this.socket = socket;
        this.links = new Links(socket);
        this.addresses = new Addresses(socket);
        this.routes = new Routes(socket);
        this.neighbours = new Neighbours(socket);
    }

    /** Opens rtnetlink in the calling thread's namespace. */
    public static Rtnl open() {
        return new Rtnl(NetlinkSocket.open());
    }

    public NetlinkSocket socket() { return socket; }
    public Links links() { return links; }
    public Addresses addresses() { return addresses; }
    public Routes routes() { return routes; }
    public Neighbours neighbours() { return neighbours; }

    @Override
    public void close() {
        socket.close();
    }
}
