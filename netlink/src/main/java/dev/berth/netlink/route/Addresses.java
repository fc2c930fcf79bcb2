package dev.berth.netlink.route;

import dev.berth.model.IpPrefix;
import dev.berth.netlink.MessageWriter;
import dev.berth.netlink.NetlinkSocket;
import dev.berth.netlink.Nl;
import java.util.List;

/** Address operations (RTM_*ADDR) in the namespace of the socket. */
public final class Addresses {
    private final NetlinkSocket socket;

    public Addresses(NetlinkSocket socket) {
        this.socket = socket;
    }

    /**
     * The request that adds {@code prefix} to link {@code index}. IPv6 addresses skip duplicate address
     * detection: Berth allocates them uniquely, and DAD would delay the container's first packets.
     */
    public static MessageWriter addMessage(int index, IpPrefix prefix) {
        MessageWriter w = new MessageWriter(Rt.RTM_NEWADDR, Nl.NLM_F_CREATE | Nl.NLM_F_EXCL);
        header(w, index, prefix, prefix.isIpv4() ? 0 : Rt.IFA_F_NODAD);
        w.attrAddress(Rt.IFA_LOCAL, prefix.address());
        w.attrAddress(Rt.IFA_ADDRESS, prefix.address());
        return w;
    }

    private static void header(MessageWriter w, int index, IpPrefix prefix, int flags) {
        w.u8(MessageWriter.familyOf(prefix.address()))
                .u8(prefix.length())
                .u8(flags)
                .u8(Rt.RT_SCOPE_UNIVERSE)
                .u32(index);
    }

    public void add(int index, IpPrefix prefix) {
        socket.request(addMessage(index, prefix), "add address " + prefix + " to link #" + index);
    }

    /** The request that deletes {@code prefix} from link {@code index}. */
    public static MessageWriter deleteMessage(int index, IpPrefix prefix) {
        MessageWriter w = new MessageWriter(Rt.RTM_DELADDR, 0);
        header(w, index, prefix, 0);
        w.attrAddress(Rt.IFA_LOCAL, prefix.address());
        return w;
    }

    public void delete(int index, IpPrefix prefix) {
        socket.request(deleteMessage(index, prefix), "delete address " + prefix + " from link #" + index);
    }

    /** Every IPv4 and IPv6 address in the namespace. */
    public List<Address> list() {
        MessageWriter w =
                new MessageWriter(Rt.RTM_GETADDR, 0).u8(0).u8(0).u8(0).u8(0).u32(0);
        return socket.dump(w, "list addresses", Address::parse);
    }

    /** The addresses of one link. */
    public List<Address> list(int index) {
        return list().stream().filter(a -> a.index() == index).toList();
    }
}
