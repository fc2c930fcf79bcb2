package dev.berth.cluster.backend;

import dev.berth.model.BerthException;
import dev.berth.model.net.Cidr;
import dev.berth.model.net.IpPrefix;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.route.Address;
import dev.berth.netlink.route.Link;
import dev.berth.netlink.route.Route;
import dev.berth.netlink.route.Rtnl;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The host's interface towards the other hosts and the address peers reach it at ({@code --iface},
 * {@code --public-ip}; by default the interface of the default route and its first IPv4 address).
 *
 * @param prefixes the interface's IPv4 addresses with their lengths: the L2 segments it is on
 */
public record Underlay(String name, int index, InetAddress publicIp, int mtu, List<IpPrefix> prefixes) {

    /** Finds the underlay in the namespace {@code rtnl} talks to; errors name the option to fix. */
    public static Underlay detect(Rtnl rtnl, String publicIp, String iface) {
        InetAddress ip = null;
        if (publicIp != null) {
            try {
                ip = IpPrefix.literal(publicIp, publicIp);
            } catch (IllegalArgumentException e) {
                throw new BerthException.InvalidRequest("public-ip", e.getMessage());
            }
            if (!(ip instanceof Inet4Address))
                throw new BerthException.InvalidRequest("public-ip", publicIp + " is not an IPv4 address");
        }
        Link link;
        if (iface != null) {
            try {
                link = rtnl.links().get(iface);
            } catch (NetlinkException.NotFound e) {
                throw new BerthException.InvalidRequest(
                        "iface",
                        "the host has no interface " + iface + "; it has "
                                + rtnl.links().list().stream().map(Link::name).toList());
            }
        } else if (ip != null) {
            link = linkWith(rtnl, ip);
        } else {
            link = defaultRouteLink(rtnl);
        }
        List<IpPrefix> prefixes = new ArrayList<>();
        for (Address a : rtnl.addresses().list(link.index())) if (a.prefix().isIpv4()) prefixes.add(a.prefix());
        if (ip == null) {
            if (prefixes.isEmpty())
                throw new BerthException.InvalidRequest(
                        "iface", link.name() + " has no IPv4 address; give it one or choose --iface/--public-ip");
            ip = prefixes.getFirst().address();
        } else {
            InetAddress want = ip;
            if (prefixes.stream().noneMatch(p -> p.address().equals(want)))
                throw new BerthException.InvalidRequest(
                        "public-ip",
                        publicIp + " is not an address of " + link.name() + " (it has " + prefixes
                                + "); give an address of the underlay interface");
        }
        return new Underlay(link.name(), link.index(), ip, link.mtu(), List.copyOf(prefixes));
    }

    private static Link linkWith(Rtnl rtnl, InetAddress ip) {
        for (Address a : rtnl.addresses().list())
            if (a.prefix().address().equals(ip)) return rtnl.links().get(a.index());
        throw new BerthException.InvalidRequest(
                "public-ip",
                ip.getHostAddress() + " is not an address of this host; give one of its addresses or --iface");
    }

    private static Link defaultRouteLink(Rtnl rtnl) {
        for (Route r : rtnl.routes().listMain())
            if (!r.ipv6() && r.isDefault() && r.outputIndex() != 0)
                return rtnl.links().get(r.outputIndex());
        throw new BerthException.InvalidRequest(
                "iface",
                "the host has no IPv4 default route to pick the underlay interface from; "
                        + "give --iface or --public-ip");
    }

    /** True when {@code peer} is on one of this interface's segments (reachable without a router). */
    public boolean sameSegment(InetAddress peer) {
        for (IpPrefix p : prefixes) {
            if (Cidr.of(p.address(), p.length()).contains(peer)) return true;
        }
        return false;
    }
}
