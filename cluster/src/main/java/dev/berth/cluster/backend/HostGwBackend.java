package dev.berth.cluster.backend;

import dev.berth.cluster.config.NetworkConfig;
import dev.berth.cluster.lease.Lease;
import dev.berth.cluster.lease.LeaseAttrs;
import dev.berth.model.net.IpPrefix;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.route.Route;
import dev.berth.netlink.route.Rtnl;
import java.util.Collection;
import java.util.List;

/**
 * host-gw: a plain route to each peer's subnet via the peer's underlay address
 * ({@code ip route replace 10.5.2.0/24 via 192.168.0.2 dev eth0}), as seed 000 does by hand. Every host
 * must be on the underlay's L2 segment; a peer that is not is refused.
 */
public final class HostGwBackend implements Backend {
    private final Rtnl rtnl;
    private final Underlay underlay;
    private final RouteSet routes;

    public HostGwBackend(Rtnl rtnl, Underlay underlay) {
        this.rtnl = rtnl;
        this.underlay = underlay;
        this.routes = new RouteSet(rtnl);
    }

    @Override
    public String type() {
        return "host-gw";
    }

    @Override
    public int mtu() {
        return underlay.mtu();
    }

    @Override
    public LeaseAttrs attrs() {
        return new LeaseAttrs(underlay.publicIp(), type(), null);
    }

    @Override
    public void start(Lease own, NetworkConfig config) {
        // nothing local: the bridge holds the subnet
    }

    @Override
    public void addPeer(Lease peer) {
        var ip = peer.attrs().publicIp();
        if (!underlay.sameSegment(ip))
            throw new PeerRefused(
                    "host-gw needs every host on one L2 segment, but peer " + ip.getHostAddress() + " (subnet "
                            + peer.subnet() + ") is not on " + underlay.name() + "'s " + underlay.prefixes()
                            + "; put the hosts on one segment or use the vxlan backend");
        routes.replace(
                Route.to(new IpPrefix(peer.subnet().network(), peer.subnet().prefix()), ip, underlay.index()));
    }

    @Override
    public void removePeer(Lease peer) {
        routes.remove(peer.subnet());
    }

    @Override
    public void prune(Collection<Lease> peers) {
        routes.prune(peers);
    }

    @Override
    public void teardown() {
        routes.prune(List.of());
    }

    @Override
    public void close() {
        // no threads; routes stay
    }

    static void ignoreMissing(Runnable r) {
        try {
            r.run();
        } catch (NetlinkException.NotFound ignored) {
            // already gone
        }
    }
}
