package dev.berth.cluster.backend.udp;

import dev.berth.cluster.backend.Backend;
import dev.berth.cluster.backend.Underlay;
import dev.berth.cluster.config.BackendConfig;
import dev.berth.cluster.config.NetworkConfig;
import dev.berth.cluster.lease.Lease;
import dev.berth.cluster.lease.LeaseAttrs;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.Rtnl;
import java.util.Collection;

public final class UdpBackend implements Backend {
    public UdpBackend(Rtnl rtnl, Underlay underlay, BackendConfig.Udp config, NetnsHandle netns) {
        throw new UnsupportedOperationException("udp: not yet");
    }
    @Override public String type() { return "udp"; }
    @Override public int mtu() { return 0; }
    @Override public LeaseAttrs attrs() { return null; }
    @Override public void start(Lease own, NetworkConfig config) {}
    @Override public void addPeer(Lease peer) {}
    @Override public void removePeer(Lease peer) {}
    @Override public void prune(Collection<Lease> peers) {}
    @Override public void teardown() {}
    @Override public void close() {}
}
