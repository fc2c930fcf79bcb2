package dev.berth.netlink.route;

import dev.berth.model.net.IpPrefix;
import dev.berth.netlink.Attributes;
import dev.berth.netlink.Message;
import java.net.InetAddress;

/** An IPv4 or IPv6 address on a link. {@code scope} is RT_SCOPE_*: 0 global, 253 link, 254 host. */
public record Address(int index, IpPrefix prefix, int scope, int flags, String label) {
    /** Whether the address is valid only on this host (scope host: loopback's). */
    public boolean isHostScope() {
        return scope == Rt.RT_SCOPE_HOST;
    }

    static Address parse(Message m) {
        var p = m.payload();
        int prefixLen = p.get(1) & 0xff;
        int flags = p.get(2) & 0xff;
        int scope = p.get(3) & 0xff;
        int index = p.getInt(4);
        Attributes a = m.attributes(Rt.IFADDR_SIZE);
        InetAddress local = a.address(Rt.IFA_LOCAL);
        InetAddress addr = local != null ? local : a.address(Rt.IFA_ADDRESS);
        if (addr == null) return null;
        Integer extFlags = a.u32(Rt.IFA_FLAGS);
        return new Address(
                index,
                new IpPrefix(addr, prefixLen),
                scope,
                extFlags != null ? extFlags : flags,
                a.string(Rt.IFA_LABEL));
    }
}
