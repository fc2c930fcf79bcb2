package dev.berth.model;

import java.net.InetAddress;
import java.util.List;

/**
 * A sandbox's attachment to a network.
 *
 * @param ifName     the name inside the sandbox (eth0, eth1, ...)
 * @param hostIfName the host side of the veth for bridge networks (veth + 7 hex), else null
 * @param gwPriority Docker's GwPriority: among a sandbox's endpoints the highest gives the default route
 *                   and the published ports (the engine's GatewayOrder)
 */
public record Endpoint(
        String id,
        String networkId,
        String sandboxId,
        String ifName,
        String hostIfName,
        MacAddress mac,
        InetAddress ipv4,
        InetAddress ipv6,
        List<String> aliases,
        int gwPriority) {
    public Endpoint {
        aliases = List.copyOf(aliases);
    }

    public Endpoint(
            String id,
            String networkId,
            String sandboxId,
            String ifName,
            String hostIfName,
            MacAddress mac,
            InetAddress ipv4,
            InetAddress ipv6,
            List<String> aliases) {
        this(id, networkId, sandboxId, ifName, hostIfName, mac, ipv4, ipv6, aliases, 0);
    }
}
