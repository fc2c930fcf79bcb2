package dev.berth.netlink.route;

import dev.berth.model.net.MacAddress;
import dev.berth.netlink.Attributes;
import dev.berth.netlink.Message;

/**
 * A link as the kernel reports it.
 *
 * @param kind        IFLA_INFO_KIND ("veth", "bridge", ...), or null for plain devices such as lo
 * @param masterIndex the bridge this link is a port of, or 0
 * @param linkIndex   IFLA_LINK: a veth's peer index, or the lower device of a macvlan/vlan; 0 when none
 * @param linkNetnsId the peer's namespace id (IFLA_LINK_NETNSID) when the peer lives in another namespace, else null
 * @param alias       IFLA_IFALIAS, or null
 */
public record Link(
        int index,
        String name,
        String kind,
        String slaveKind,
        int flags,
        int mtu,
        MacAddress mac,
        int masterIndex,
        int linkIndex,
        Integer linkNetnsId,
        int operState,
        String alias) {

    public boolean isUp() {
        return (flags & Rt.IFF_UP) != 0;
    }

    public boolean hasCarrier() {
        return (flags & Rt.IFF_LOWER_UP) != 0;
    }

    public Link withMaster(int master) {
        return new Link(
                index, name, kind, slaveKind, flags, mtu, mac, master, linkIndex, linkNetnsId, operState, alias);
    }

    static Link parse(Message m) {
        var p = m.payload();
        int index = p.getInt(4);
        int flags = p.getInt(8);
        Attributes a = m.attributes(Rt.IFINFO_SIZE);
        Attributes info = a.nested(Rt.IFLA_LINKINFO);
        byte[] mac = a.bytes(Rt.IFLA_ADDRESS);
        Integer master = a.u32(Rt.IFLA_MASTER);
        Integer link = a.u32(Rt.IFLA_LINK);
        Integer mtu = a.u32(Rt.IFLA_MTU);
        Integer oper = a.u8(Rt.IFLA_OPERSTATE);
        return new Link(
                index,
                a.string(Rt.IFLA_IFNAME),
                info == null ? null : info.string(Rt.IFLA_INFO_KIND),
                info == null ? null : info.string(Rt.IFLA_INFO_SLAVE_KIND),
                flags,
                mtu == null ? 0 : mtu,
                mac != null && mac.length == 6 ? MacAddress.of(mac) : null,
                master == null ? 0 : master,
                link == null ? 0 : link,
                a.u32(Rt.IFLA_LINK_NETNSID),
                oper == null ? 0 : oper,
                a.string(Rt.IFLA_IFALIAS));
    }
}
