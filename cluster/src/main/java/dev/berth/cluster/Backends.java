package dev.berth.cluster;

import dev.berth.cluster.backend.Backend;
import dev.berth.cluster.backend.HostGwBackend;
import dev.berth.cluster.backend.Underlay;
import dev.berth.cluster.backend.VxlanBackend;
import dev.berth.cluster.backend.udp.UdpBackend;
import dev.berth.cluster.config.BackendConfig;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.Rtnl;

/** Makes the backend the cluster config names. */
public final class Backends {
    private Backends() {}

    public static Backend create(BackendConfig config, Rtnl rtnl, Underlay underlay, NetnsHandle hostNetns) {
        return switch (config) {
            case BackendConfig.HostGw h -> new HostGwBackend(rtnl, underlay);
            case BackendConfig.Vxlan v -> new VxlanBackend(rtnl, underlay, v);
            case BackendConfig.Udp u -> new UdpBackend(rtnl, underlay, u, hostNetns);
        };
    }
}
