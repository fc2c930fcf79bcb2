package dev.berth.engine.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A network as the engine keeps it.
 *
 * @param id         64 hex characters
 * @param driver     which {@code NetworkDriver} builds it (stored and shown as Docker's name: bridge, macvlan, ...)
 * @param device     the kernel device that carries it (bridge name, or macvlan/ipvlan parent), or null
 * @param subnets    IPv4 subnets first, then IPv6
 * @param options    the driver's options as given ({@code -o KEY=VALUE}), which inspect shows
 * @param predefined one of Docker's built-in networks (bridge, host, none), which cannot be removed
 * @param driverOptions the same options parsed and checked: {@link BridgeOptions}, {@link LanOptions} (not stored:
 *                   parsed again from {@code options} when a network is loaded)
 */
public record Network(
        String id,
        String name,
        DriverKind driver,
        String device,
        List<SubnetConfig> subnets,
        boolean ipv6,
        boolean internal,
        boolean attachable,
        int mtu,
        Map<String, String> options,
        Map<String, String> labels,
        Instant created,
        boolean predefined,
        NetworkOptions driverOptions) {
    public Network {
        subnets = List.copyOf(subnets);
        options = Map.copyOf(options);
        labels = Map.copyOf(labels);
        if (driverOptions == null) driverOptions = NetworkOptions.parse(driver, options);
    }

    /** A network whose options are parsed here: an InvalidRequest names a bad one. */
    public Network(
            String id,
            String name,
            DriverKind driver,
            String device,
            List<SubnetConfig> subnets,
            boolean ipv6,
            boolean internal,
            boolean attachable,
            int mtu,
            Map<String, String> options,
            Map<String, String> labels,
            Instant created,
            boolean predefined) {
        this(
                id,
                name,
                driver,
                device,
                subnets,
                ipv6,
                internal,
                attachable,
                mtu,
                options,
                labels,
                created,
                predefined,
                null);
    }

    /** The options of a bridge network. */
    public BridgeOptions bridgeOptions() {
        if (driverOptions instanceof BridgeOptions b) return b;
        throw new IllegalStateException("network " + name + " has driver " + driver + ", not bridge");
    }

    /** The options of a macvlan or ipvlan network. */
    public LanOptions lanOptions() {
        if (driverOptions instanceof LanOptions l) return l;
        throw new IllegalStateException("network " + name + " has driver " + driver + ", not macvlan or ipvlan");
    }

    /** The first IPv4 subnet, or null. */
    public SubnetConfig ipv4() {
        for (SubnetConfig s : subnets) if (s.isIpv4()) return s;
        return null;
    }

    public SubnetConfig ipv6Subnet() {
        for (SubnetConfig s : subnets) if (!s.isIpv4()) return s;
        return null;
    }

    public boolean isBridge() {
        return driver == DriverKind.BRIDGE;
    }

    /** A macvlan or ipvlan network: endpoints are sub-interfaces of the parent link {@link #device()}. */
    public boolean isLan() {
        return driver.isLan();
    }
}
