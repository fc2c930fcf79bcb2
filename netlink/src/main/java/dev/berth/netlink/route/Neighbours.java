package dev.berth.netlink.route;

import dev.berth.model.net.IpPrefix;
import dev.berth.model.net.MacAddress;
import dev.berth.netlink.MessageWriter;
import dev.berth.netlink.NetlinkSocket;
import dev.berth.netlink.Nl;
import dev.berth.netlink.sys.Libc;
import java.net.InetAddress;
import java.util.List;

/**
 * Neighbour and bridge FDB operations (RTM_*NEIGH). The VXLAN backend needs both: a permanent
 * neighbour (peer VTEP IP -> its MAC) and an FDB entry (that MAC -> the peer's underlay IP).
 */
public final class Neighbours {
    private final NetlinkSocket socket;

    public Neighbours(NetlinkSocket socket) {
        this.socket = socket;
    }

    private static MessageWriter message(int type, int flags, int family, int index, int state, int ntf) {
        return new MessageWriter(type, flags)
                .u8(family)
                .u8(0)
                .u16(0)
                .u32(index)
                .u16(state)
                .u8(ntf)
                .u8(0);
    }

    /** Adds or replaces a permanent neighbour entry: {@code ip neigh replace IP lladdr MAC dev X nud permanent}. */
    public void replace(int index, InetAddress ip, MacAddress mac) {
        MessageWriter w = message(
                Rt.RTM_NEWNEIGH,
                Nl.NLM_F_CREATE | Nl.NLM_F_REPLACE,
                MessageWriter.familyOf(ip),
                index,
                Rt.NUD_PERMANENT,
                0);
        w.attrAddress(Rt.NDA_DST, ip).attr(Rt.NDA_LLADDR, mac.bytes());
        socket.request(w, "set neighbour " + IpPrefix.format(ip) + " lladdr " + mac + " on link #" + index);
    }

    public void delete(int index, InetAddress ip) {
        MessageWriter w = message(Rt.RTM_DELNEIGH, 0, MessageWriter.familyOf(ip), index, 0, 0);
        w.attrAddress(Rt.NDA_DST, ip);
        socket.request(w, "delete neighbour " + IpPrefix.format(ip) + " on link #" + index);
    }

    /** Neighbour entries of both IP families. */
    public List<Neighbour> list() {
        return socket.dump(
                message(Rt.RTM_GETNEIGH, 0, 0, 0, 0, 0),
                "list neighbours",
                m -> (m.payload().get(0) & 0xff) == Libc.AF_BRIDGE ? null : Neighbour.parse(m));
    }

    /**
     * Adds or replaces a static FDB entry on a device of its own ({@code bridge fdb replace MAC dev X dst IP self
     * permanent}), as VXLAN needs; {@code remote} may be null for a plain entry.
     */
    public void replaceFdb(int index, MacAddress mac, InetAddress remote) {
        MessageWriter w = message(
                Rt.RTM_NEWNEIGH,
                Nl.NLM_F_CREATE | Nl.NLM_F_REPLACE,
                Libc.AF_BRIDGE,
                index,
                Rt.NUD_PERMANENT,
                Rt.NTF_SELF);
        w.attr(Rt.NDA_LLADDR, mac.bytes());
        if (remote != null) w.attrAddress(Rt.NDA_DST, remote);
        socket.request(
                w, "set fdb " + mac + (remote == null ? "" : " dst " + IpPrefix.format(remote)) + " on link #" + index);
    }

    public void deleteFdb(int index, MacAddress mac, InetAddress remote) {
        MessageWriter w = message(Rt.RTM_DELNEIGH, 0, Libc.AF_BRIDGE, index, 0, Rt.NTF_SELF);
        w.attr(Rt.NDA_LLADDR, mac.bytes());
        if (remote != null) w.attrAddress(Rt.NDA_DST, remote);
        socket.request(w, "delete fdb " + mac + " on link #" + index);
    }

    /** Every bridge FDB entry (bridges' learned and static entries, and VXLAN devices' own). */
    public List<Neighbour> listFdb() {
        return socket.dump(message(Rt.RTM_GETNEIGH, 0, Libc.AF_BRIDGE, 0, 0, 0), "list fdb", Neighbour::parse);
    }
}
