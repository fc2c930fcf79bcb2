package dev.berth.engine.firewall;

import dev.berth.engine.ipam.Cidr;
import java.util.List;

/**
 * What the firewall needs to know about one bridge network.
 *
 * @param key        a short stable id (first 12 hex of the network id) for naming chains and comments
 * @param bridge     the bridge device, e.g. berth0 or br-1a2b3c4d5e6f
 * @param masquerade masquerade traffic from the subnets that leaves by another interface
 * @param icc        containers on this bridge may talk to each other
 * @param internal   no traffic in or out of the bridge except among its containers
 */
public record NetworkRules(String key, String bridge, List<Cidr> subnets, boolean masquerade, boolean icc,
                           boolean internal) {
    public NetworkRules {
        subnets = List.copyOf(subnets);
    }
}
