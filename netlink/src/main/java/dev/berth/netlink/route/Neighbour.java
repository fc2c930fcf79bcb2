package dev.berth.netlink.route;

import dev.berth.model.net.MacAddress;
import dev.berth.netlink.Attributes;
import dev.berth.netlink.Message;
import java.net.InetAddress;

/**
 * A neighbour (ARP/NDP) entry, or with family AF_BRIDGE a bridge forwarding-database entry.
 *
 * @param destination the IP (neighbour) or, for a VXLAN FDB entry, the remote underlay IP; may be null
 * @param state       NUD_* bits (NUD_PERMANENT for static entries)
 * @param flags       NTF_* bits (NTF_SELF for a device's own FDB, NTF_MASTER for the bridge's)
 */
public record Neighbour(int family, int index, InetAddress destination, MacAddress mac, int state, int flags) {
    /** Whether the entry is permanent (NUD_PERMANENT): set by hand, never aged out. */
    public boolean isPermanent() {
        return (state & Rt.NUD_PERMANENT) != 0;
    }

    static Neighbour parse(Message m) {
        var p = m.payload();
        int family = p.get(0) & 0xff;
        int index = p.getInt(4);
        int state = p.getShort(8) & 0xffff;
        int flags = p.get(10) & 0xff;
        Attributes a = m.attributes(Rt.NDMSG_SIZE);
        byte[] ll = a.bytes(Rt.NDA_LLADDR);
        return new Neighbour(
                family,
                index,
                a.address(Rt.NDA_DST),
                ll != null && ll.length == 6 ? MacAddress.of(ll) : null,
                state,
                flags);
    }
}
