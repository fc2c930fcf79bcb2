package dev.berth.daemon.dockerdriver;

import java.util.List;

/**
 * An endpoint dockerd created through the driver (CreateEndpoint), kept until DeleteEndpoint: its address
 * (from Docker's IPAM), its MAC and its published ports, which Join turns into an engine sandbox in the
 * container's namespace whose id is the endpoint id.
 *
 * @param ipv4  the address without prefix length, or null
 * @param ipv6  the IPv6 address without prefix length, or null
 * @param ports published ports in Docker's {@code -p} syntax
 */
public record DriverEndpoint(
        String networkId, String endpointId, String ipv4, String ipv6, String mac, List<String> ports) {
    public DriverEndpoint {
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    /** The engine sandbox of a joined endpoint: {@code docker-} and the first 12 hex of the endpoint id. */
    public String sandboxName() {
        return "docker-" + endpointId.substring(0, 12);
    }
}
