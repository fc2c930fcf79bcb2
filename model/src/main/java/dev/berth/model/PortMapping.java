package dev.berth.model;

import dev.berth.model.net.IpPrefix;
import java.net.InetAddress;

/**
 * One published port: traffic to {@code hostIp:hostPort} (any host address when hostIp is null)
 * goes to the container's {@code containerPort}.
 */
public record PortMapping(InetAddress hostIp, int hostPort, int containerPort, Protocol protocol) {
    public PortMapping {
        if (hostPort < 1 || hostPort > 65535)
            throw new IllegalArgumentException("host port " + hostPort + " is outside 1..65535");
        if (containerPort < 1 || containerPort > 65535)
            throw new IllegalArgumentException("container port " + containerPort + " is outside 1..65535");
    }

    /** Docker's text: {@code 0.0.0.0:8080->80/tcp}. */
    @Override
    public String toString() {
        return (hostIp == null ? "0.0.0.0" : IpPrefix.format(hostIp)) + ":" + hostPort + "->" + containerPort + "/"
                + protocol.id();
    }
}
