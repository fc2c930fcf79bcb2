package dev.berth.engine.driver;

import dev.berth.model.Cidr;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.RouteEvents;
import dev.berth.netlink.route.Rtnl;
import java.util.List;

/**
 * The namespace that plays the host (the daemon's own, or a lab namespace in tests) and one
 * rtnetlink socket in it. The host's links are asked of netlink, never of /sys, which shows the
 * namespace it was mounted in.
 */
public final class HostKernel implements AutoCloseable {
    private final NetnsHandle netns;
    private final Rtnl rtnl;
    private HostRanges ranges;

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
     * routes aside), which new networks must not overlap. Kept in memory from rtnetlink's notifications
     * ({@link HostRanges}); the first call reads the tables.
     */
    public List<Cidr> usedRanges() {
        HostRanges r;
        synchronized (this) {
            if (ranges == null) ranges = new HostRanges(rtnl, Netns.call(netns, RouteEvents::open));
            r = ranges;
        }
        return r.current();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (ranges != null) ranges.close();
        }
        rtnl.close();
    }
}
