package dev.berth.engine.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A network as the engine keeps it.
 *
 * @param id         64 hex characters
 * @param driver     "bridge", "host", "null", "macvlan", "ipvlan"
 * @param device     the kernel device that carries it (bridge name, or macvlan/ipvlan parent), or null
 * @param subnets    IPv4 subnets first, then IPv6
 * @param predefined one of Docker's built-in networks (bridge, host, none), which cannot be removed
 */
public record Network(String id, String name, String driver, String device, List<SubnetConfig> subnets,
                      boolean ipv6, boolean internal, boolean attachable, int mtu,
                      Map<String, String> options, Map<String, String> labels, Instant created, boolean predefined) {
    public Network {
        subnets = List.copyOf(subnets);
        options = Map.copyOf(options);
        labels = Map.copyOf(labels);
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

    public String option(String key, String fallback) {
        return options.getOrDefault(key, fallback);
    }

    public boolean isBridge() {
        return driver.equals("bridge");
    }

    /** A macvlan or ipvlan network: endpoints are sub-interfaces of the parent link {@link #device()}. */
    public boolean isLan() {
        return driver.equals("macvlan") || driver.equals("ipvlan");
    }
}
