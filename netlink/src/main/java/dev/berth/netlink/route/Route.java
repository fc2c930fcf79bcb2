package dev.berth.netlink.route;

import dev.berth.model.net.IpPrefix;
import dev.berth.netlink.Attributes;
import dev.berth.netlink.Message;
import dev.berth.netlink.sys.Libc;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * A route. {@code destination} null means the default route of its family ({@code ipv6} says which).
 *
 * @param outputIndex the output link (RTA_OIF), or 0
 * @param metric      RTA_PRIORITY, or 0
 * @param onlink      the gateway is reachable on the link even though no prefix says so (VXLAN, host-gw)
 */
public record Route(
        boolean ipv6,
        IpPrefix destination,
        InetAddress gateway,
        int outputIndex,
        int table,
        int metric,
        int scope,
        int protocol,
        int type,
        boolean onlink,
        InetAddress preferredSource) {

    /** A unicast route in the main table, with the scope the kernel would pick (link when there is no gateway). */
    public static Route to(IpPrefix destination, InetAddress gateway, int outputIndex) {
        boolean v6 = destination != null ? !destination.isIpv4() : gateway instanceof Inet6Address;
        int scope = gateway == null ? Rt.RT_SCOPE_LINK : Rt.RT_SCOPE_UNIVERSE;
        return new Route(
                v6,
                destination,
                gateway,
                outputIndex,
                Rt.RT_TABLE_MAIN,
                0,
                scope,
                Rt.RTPROT_BOOT,
                Rt.RTN_UNICAST,
                false,
                null);
    }

    /**
     * A route out of the link with no gateway ({@code ip route add TO dev LINK}); {@code to} null is
     * the family's default route. IPv6 routes take universe scope, as the kernel gives them.
     */
    public static Route throughDevice(boolean ipv6, IpPrefix to, int outputIndex) {
        return new Route(
                ipv6,
                to,
                null,
                outputIndex,
                Rt.RT_TABLE_MAIN,
                0,
                ipv6 ? Rt.RT_SCOPE_UNIVERSE : Rt.RT_SCOPE_LINK,
                Rt.RTPROT_BOOT,
                Rt.RTN_UNICAST,
                false,
                null);
    }

    /** Whether the route reaches only the link's own segment (scope link). */
    public boolean isLinkScope() {
        return scope == Rt.RT_SCOPE_LINK;
    }

    /** Whether the route is in the main table (the one {@code ip route} shows). */
    public boolean inMainTable() {
        return table == Rt.RT_TABLE_MAIN;
    }

    /** The default route via {@code gateway}. */
    public static Route defaultVia(InetAddress gateway, int outputIndex) {
        return to(null, gateway, outputIndex);
    }

    public Route withOnlink() {
        return new Route(
                ipv6, destination, gateway, outputIndex, table, metric, scope, protocol, type, true, preferredSource);
    }

    public Route withMetric(int m) {
        return new Route(
                ipv6, destination, gateway, outputIndex, table, m, scope, protocol, type, onlink, preferredSource);
    }

    public Route withTable(int t) {
        return new Route(
                ipv6, destination, gateway, outputIndex, t, metric, scope, protocol, type, onlink, preferredSource);
    }

    public Route withScope(int s) {
        return new Route(
                ipv6, destination, gateway, outputIndex, table, metric, s, protocol, type, onlink, preferredSource);
    }

    public Route withProtocol(int p) {
        return new Route(
                ipv6, destination, gateway, outputIndex, table, metric, scope, p, type, onlink, preferredSource);
    }

    public boolean isDefault() {
        return destination == null || destination.length() == 0;
    }

    static Route parse(Message m) {
        var p = m.payload();
        int family = p.get(0) & 0xff;
        int dstLen = p.get(1) & 0xff;
        int tableByte = p.get(4) & 0xff;
        int protocol = p.get(5) & 0xff;
        int scope = p.get(6) & 0xff;
        int type = p.get(7) & 0xff;
        int flags = p.getInt(8);
        Attributes a = m.attributes(Rt.RTMSG_SIZE);
        InetAddress dst = a.address(Rt.RTA_DST);
        Integer table = a.u32(Rt.RTA_TABLE);
        Integer oif = a.u32(Rt.RTA_OIF);
        Integer prio = a.u32(Rt.RTA_PRIORITY);
        return new Route(
                family == Libc.AF_INET6,
                dst == null ? null : new IpPrefix(dst, dstLen),
                a.address(Rt.RTA_GATEWAY),
                oif == null ? 0 : oif,
                table != null ? table : tableByte,
                prio == null ? 0 : prio,
                scope,
                protocol,
                type,
                (flags & Rt.RTNH_F_ONLINK) != 0,
                a.address(Rt.RTA_PREFSRC));
    }
}
