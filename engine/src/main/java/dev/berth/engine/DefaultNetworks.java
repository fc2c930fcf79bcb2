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
import java.net.InetAddress;
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
        NetworkDefaults d = c.networkDefaults();
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
            subnet = NetworkPlanner.auto(
                    d.addressPools().isEmpty()
                            ? SubnetPlanner.defaultBridge(taken)
                            : d.planner(c.hostId()).nextIpv4(taken));
        }
        subnet = withDockerdRanges(subnet, d);
        Map<String, String> options = new LinkedHashMap<>();
        options.put(BridgeOptions.DEFAULT_BRIDGE, "true");
        options.put(BridgeOptions.ICC, Boolean.toString(d.icc()));
        options.put(BridgeOptions.MASQUERADE, Boolean.toString(d.ipMasq()));
        options.put(BridgeOptions.HOST_BINDING, d.hostIp() == null ? "0.0.0.0" : d.hostIp());
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

    /**
     * dockerd's {@code --fixed-cidr} (the range containers get addresses from) and {@code --default-gateway}
     * (their default route's gateway, Docker's {@code DefaultGatewayIPv4} auxiliary address, which the
     * bridge driver routes by and IPAM never hands out), each checked against the bridge's subnet.
     */
    private static SubnetConfig withDockerdRanges(SubnetConfig s, NetworkDefaults d) {
        Cidr range = null;
        if (d.fixedCidr() != null) {
            try {
                IpPrefix p = IpPrefix.parse(d.fixedCidr().strip());
                range = Cidr.of(p.address(), p.length());
            } catch (IllegalArgumentException e) {
                throw new BerthException.InvalidRequest("fixed-cidr", e.getMessage());
            }
            if (!s.subnet().contains(range))
                throw new BerthException.InvalidRequest(
                        "fixed-cidr", range + " is not inside the default bridge's subnet " + s.subnet());
        }
        Map<String, InetAddress> aux = new LinkedHashMap<>(s.auxAddresses());
        if (d.defaultGateway() != null) {
            InetAddress gw;
            try {
                gw = IpPrefix.literal(d.defaultGateway().strip(), d.defaultGateway());
            } catch (IllegalArgumentException e) {
                throw new BerthException.InvalidRequest("default-gateway", e.getMessage());
            }
            if (!s.subnet().contains(gw))
                throw new BerthException.InvalidRequest(
                        "default-gateway",
                        d.defaultGateway() + " is not inside the default bridge's subnet " + s.subnet());
            if (gw.equals(s.gateway()))
                throw new BerthException.InvalidRequest(
                        "default-gateway",
                        d.defaultGateway() + " is the bridge's own address, the default gateway anyway");
            aux.put(BridgeOptions.DEFAULT_GATEWAY_AUX, gw);
        }
        return new SubnetConfig(s.subnet(), s.gateway(), range, aux);
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
