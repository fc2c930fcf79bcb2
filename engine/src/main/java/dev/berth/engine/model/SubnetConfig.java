package dev.berth.engine.model;

import dev.berth.model.net.Cidr;
import java.net.InetAddress;
import java.util.Map;

/**
 * One subnet of a network, as Docker's IPAM.Config entry: the range, its gateway (null on networks
 * without one, e.g. ipvlan L3), the sub-range containers are allocated from, and reserved addresses.
 */
public record SubnetConfig(Cidr subnet, InetAddress gateway, Cidr ipRange, Map<String, InetAddress> auxAddresses) {
    public SubnetConfig {
        auxAddresses = Map.copyOf(auxAddresses == null ? Map.of() : auxAddresses);
    }

    public boolean isIpv4() {
        return subnet.isIpv4();
    }
}
