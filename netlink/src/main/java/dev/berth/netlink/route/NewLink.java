package dev.berth.netlink.route;

import dev.berth.model.net.MacAddress;

/**
 * A link to create: its name, kind and the settings common to every kind. Build with
 * {@link #of(String, LinkType)} and the {@code with...} methods.
 *
 * @param parentIndex the lower device (IFLA_LINK) of a macvlan, ipvlan or vlan
 * @param netnsFd     create the link directly in the namespace this fd refers to
 */
public record NewLink(
        String name,
        LinkType type,
        Integer mtu,
        MacAddress mac,
        Integer parentIndex,
        Integer masterIndex,
        boolean up,
        Integer netnsFd) {
    public NewLink {
        LinkNames.check(name);
        if (type instanceof LinkType.Veth v) LinkNames.check(v.peerName());
        if (mtu != null && (mtu < 68 || mtu > 65535))
            throw new IllegalArgumentException("MTU " + mtu + " is outside 68..65535");
    }

    public static NewLink of(String name, LinkType type) {
        return new NewLink(name, type, null, null, null, null, false, null);
    }

    public NewLink withMtu(int v) {
        return new NewLink(name, type, v, mac, parentIndex, masterIndex, up, netnsFd);
    }

    public NewLink withMac(MacAddress v) {
        return new NewLink(name, type, mtu, v, parentIndex, masterIndex, up, netnsFd);
    }

    public NewLink withParent(int v) {
        return new NewLink(name, type, mtu, mac, v, masterIndex, up, netnsFd);
    }

    public NewLink withMaster(int v) {
        return new NewLink(name, type, mtu, mac, parentIndex, v, up, netnsFd);
    }

    public NewLink withUp() {
        return new NewLink(name, type, mtu, mac, parentIndex, masterIndex, true, netnsFd);
    }

    public NewLink inNetns(int fd) {
        return new NewLink(name, type, mtu, mac, parentIndex, masterIndex, up, fd);
    }
}
