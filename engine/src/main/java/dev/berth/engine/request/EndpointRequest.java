package dev.berth.engine.request;

import java.util.List;

/**
 * How a sandbox joins one network: static addresses and MAC (null = allocate), aliases for DNS, and
 * the interface name inside (null = the next free ethN; CNI runtimes choose it), and Docker's GwPriority
 * (the sandbox's endpoint with the highest gives its default route, see {@link dev.berth.engine.GatewayOrder}).
 */
public record EndpointRequest(
        String ipv4, String ipv6, String mac, List<String> aliases, String ifName, int gwPriority) {
    public static final EndpointRequest DEFAULT = new EndpointRequest(null, null, null, List.of());

    public EndpointRequest(String ipv4, String ipv6, String mac, List<String> aliases) {
        this(ipv4, ipv6, mac, aliases, null, 0);
    }

    public EndpointRequest(String ipv4, String ipv6, String mac, List<String> aliases, String ifName) {
        this(ipv4, ipv6, mac, aliases, ifName, 0);
    }

    public EndpointRequest withGwPriority(int priority) {
        return new EndpointRequest(ipv4, ipv6, mac, aliases, ifName, priority);
    }

    public EndpointRequest {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }

    public static EndpointRequest ip(String ipv4) {
        return new EndpointRequest(ipv4, null, null, List.of());
    }
}
