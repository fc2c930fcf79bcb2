package dev.berth.cluster.backend;

import dev.berth.cluster.lease.Lease;
import dev.berth.model.net.Cidr;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.route.Route;
import dev.berth.netlink.route.Rtnl;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/** The routes to peer subnets, marked with {@link Backend#RTPROT_BERTH} so a restarted agent finds its own and no others. */
final class RouteSet {
    private final Rtnl rtnl;

    RouteSet(Rtnl rtnl) {
        this.rtnl = rtnl;
    }

    void replace(Route r) {
        rtnl.routes().replace(r.withProtocol(Backend.RTPROT_BERTH));
    }

    void remove(Cidr subnet) {
        for (Route r : rtnl.routes().listMain()) {
            if (r.protocol() != Backend.RTPROT_BERTH || r.ipv6() || r.destination() == null) continue;
            if (r.destination().length() == subnet.prefix()
                    && r.destination().address().equals(subnet.network())) {
                try {
                    rtnl.routes().delete(r);
                } catch (NetlinkException.NotFound ignored) {
                    // already gone
                }
            }
        }
    }

    /** Deletes Berth-marked routes whose destination is no peer's subnet. */
    void prune(Collection<Lease> peers) {
        Set<Cidr> keep = new HashSet<>();
        for (Lease l : peers) keep.add(l.subnet());
        for (Route r : rtnl.routes().listMain()) {
            if (r.protocol() != Backend.RTPROT_BERTH || r.ipv6() || r.destination() == null || !r.inMainTable())
                continue;
            Cidr dst = Cidr.of(r.destination().address(), r.destination().length());
            if (keep.contains(dst)) continue;
            try {
                rtnl.routes().delete(r);
            } catch (NetlinkException.NotFound ignored) {
                // already gone
            }
        }
    }
}
