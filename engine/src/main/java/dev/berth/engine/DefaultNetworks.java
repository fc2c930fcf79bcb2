package dev.berth.engine;

import dev.berth.engine.driver.HostKernel;
import dev.berth.engine.ipam.SubnetChecks;
import dev.berth.engine.ipam.SubnetPlanner;
import dev.berth.engine.model.BridgeOptions;
import dev.berth.engine.model.DriverKind;
import dev.berth.engine.model.Network;
import dev.berth.engine.model.SubnetConfig;
import dev.berth.model.BerthException;
import dev.berth.model.Cidr;
import dev.berth.model.Ids;
import dev.berth.model.IpPrefix;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.route.Address;
import dev.berth.netlink.route.Link;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Docker's predefined networks: {@code bridge} (the default bridge, berth0), {@code host} and {@code none}. */
final class DefaultNetworks {
    private DefaultNetworks() {}

    /**
     * The default bridge: an existing bridge and its address when {@code -b} was given, the {@code --bip}
     * address, or 172.17.0.1/16 unless that overlaps the host, then the next free default pool.
     */
    static Network bridge(EngineConfig c, HostKernel host, Collection<Network> networks) {
        String device = c.existingBridge() != null ? c.existingBridge() : c.defaultBridge();
        SubnetConfig subnet;
        if (c.existingBridge() != null) {
            subnet = adopt(host, c.existingBridge());
        } else if (c.bip() != null) {
            IpPrefix p;
            try {
                p = IpPrefix.parse(c.bip());
            } catch (IllegalArgumentException ex) {
                throw new BerthException.InvalidRequest("bip", ex.getMessage());
            }
            Cidr net = Cidr.of(p.address(), p.length());
            subnet = SubnetChecks.parse(0, net.toString(), null, IpPrefix.format(p.address()), Map.of());
        } else {
            List<Cidr> taken = new ArrayList<>(host.usedRanges());
            for (Network n : networks) for (SubnetConfig s : n.subnets()) taken.add(s.subnet());
            subnet = NetworkPlanner.auto(SubnetPlanner.defaultBridge(taken));
        }
        Map<String, String> options = new LinkedHashMap<>();
        options.put(BridgeOptions.DEFAULT_BRIDGE, "true");
        options.put(BridgeOptions.ICC, "true");
        options.put(BridgeOptions.MASQUERADE, "true");
        options.put(BridgeOptions.HOST_BINDING, "0.0.0.0");
        options.put(BridgeOptions.BRIDGE_NAME, device);
        int mtu = c.mtu() != null ? c.mtu() : 1500;
        if (mtu < 68 || mtu > 65535)
            throw new BerthException.InvalidRequest("mtu", mtu + " is not an MTU between 68 and 65535");
        options.put(BridgeOptions.MTU, Integer.toString(mtu));
        return new Network(
                Ids.random(),
                "bridge",
                DriverKind.BRIDGE,
                device,
                List.of(subnet),
                false,
                false,
                false,
                mtu,
                options,
                Map.of(),
                Instant.now(),
                true);
    }

    /** Reads an existing bridge's first IPv4 address as the default network's gateway and subnet. */
    private static SubnetConfig adopt(HostKernel host, String device) {
        Link br;
        try {
            br = host.rtnl().links().get(device);
        } catch (NetlinkException.NotFound ex) {
            throw new BerthException.InvalidRequest(
                    "bridge", "bridge " + device + " does not exist on the host; create it or leave out --bridge");
        }
        if (!"bridge".equals(br.kind()))
            throw new BerthException.InvalidRequest("bridge", device + " is a " + br.kind() + " device, not a bridge");
        for (Address a : host.rtnl().addresses().list(br.index())) {
            if (!a.prefix().isIpv4()) continue;
            Cidr net = Cidr.of(a.prefix().address(), a.prefix().length());
            return new SubnetConfig(net, a.prefix().address(), null, Map.of());
        }
        throw new BerthException.InvalidRequest(
                "bridge",
                "bridge " + device + " has no IPv4 address; give it one (ip addr add 10.0.0.1/24 dev " + device + ")");
    }

    /** The host and none networks: no devices, no subnets; containers join them by network mode. */
    static Network plain(String name, DriverKind driver) {
        return new Network(
                Ids.random(),
                name,
                driver,
                null,
                List.of(),
                false,
                false,
                false,
                0,
                Map.of(),
                Map.of(),
                Instant.now(),
                true);
    }
}
