package dev.berth.netlink.route;

import dev.berth.netlink.MessageWriter;
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

    public NetlinkSocket socket() {
        return socket;
    }

    public Links links() {
        return links;
    }

    public Addresses addresses() {
        return addresses;
    }

    public Routes routes() {
        return routes;
    }

    public Neighbours neighbours() {
        return neighbours;
    }

    /**
     * The id this namespace gives the namespace {@code netnsFd} refers to ({@code ip netns list-id}),
     * the one links report as IFLA_LINK_NETNSID for peers there; -1 when it gave none.
     */
    public int nsidOf(int netnsFd) {
        MessageWriter w =
                new MessageWriter(Rt.RTM_GETNSID, 0).u8(0).u8(0).u16(0).attrU32(Rt.NETNSA_FD, netnsFd);
        Integer id = socket.get(
                w,
                "get the id of namespace fd " + netnsFd,
                m -> m.attributes(Rt.RTGENMSG_SIZE).u32(Rt.NETNSA_NSID));
        return id == null ? -1 : id;
    }

    @Override
    public void close() {
        socket.close();
    }
}
