package dev.berth.engine.driver;

import dev.berth.model.Cidr;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.Address;
import dev.berth.netlink.route.Route;
import dev.berth.netlink.route.Rtnl;
import java.util.ArrayList;
import java.util.List;

/**
 * The namespace that plays the host (the daemon's own, or a lab namespace in tests) and one
 * rtnetlink socket in it. The host's links are asked of netlink, never of /sys, which shows the
 * namespace it was mounted in.
 */
public final class HostKernel implements AutoCloseable {
    private final NetnsHandle netns;
    private final Rtnl rtnl;

    private HostKernel(NetnsHandle netns, Rtnl rtnl) {
        this.netns = netns;
        this.rtnl = rtnl;
    }

    /** Opens the host side in {@code netns} (kept open by the caller). */
    public static HostKernel open(NetnsHandle netns) {
        return new HostKernel(netns, Netns.rtnl(netns));
    }

    public NetnsHandle netns() {
        return netns;
    }

    public Rtnl rtnl() {
        return rtnl;
    }

    /**
     * Address ranges already in use on the host (its addresses' networks and its routes, default
     * routes aside), which new networks must not overlap.
     */
    public List<Cidr> usedRanges() {
        List<Cidr> used = new ArrayList<>();
        for (Address a : rtnl.addresses().list()) {
            if (a.isHostScope()) continue; // loopback
            if (!a.prefix().isIpv4() && a.prefix().address().isLinkLocalAddress()) continue;
            used.add(Cidr.of(a.prefix().address(), a.prefix().length()));
        }
        for (Route r : rtnl.routes().listMain()) {
            if (r.isDefault() || r.destination() == null) continue;
            if (r.ipv6() && r.destination().address().isLinkLocalAddress()) continue;
            if (r.ipv6() && r.destination().address().isMulticastAddress()) continue;
            used.add(Cidr.of(r.destination().address(), r.destination().length()));
        }
        return used;
    }

    @Override
    public void close() {
        rtnl.close();
    }
}
