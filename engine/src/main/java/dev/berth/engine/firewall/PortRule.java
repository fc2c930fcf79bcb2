package dev.berth.engine.firewall;

import dev.berth.model.BerthException;
import dev.berth.model.IpPrefix;
import dev.berth.model.Protocol;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One published port as the firewall programs it: traffic for {@code hostIp:hostPort} (every local
 * address of the container address's family when hostIp is null) is sent to
 * {@code containerIp:containerPort} on {@code bridge}. A hostIp of 127.0.0.1 is reachable from the host
 * only. The key that must be unique among published ports is protocol, hostIp (or none) and hostPort.
 */
public record PortRule(
        String bridge,
        Protocol protocol,
        InetAddress hostIp,
        int hostPort,
        InetAddress containerIp,
        int containerPort) {
    public PortRule {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(containerIp, "containerIp");
        checkPort("hostPort", hostPort);
        checkPort("containerPort", containerPort);
        // NAT cannot change the address family, so a v4 host address cannot lead to a v6 container.
        if (hostIp != null && (hostIp instanceof Inet6Address) != (containerIp instanceof Inet6Address))
            throw new BerthException.InvalidRequest(
                    "hostIp",
                    "host address " + IpPrefix.format(hostIp) + " and container address " + IpPrefix.format(containerIp)
                            + " are of different families");
    }

    private static void checkPort(String field, int port) {
        if (port < 1 || port > 65535)
            throw new BerthException.InvalidRequest(field, "port " + port + " is outside 1..65535");
    }

    /** True when the container (and so the host side) is IPv6. */
    public boolean ipv6() {
        return containerIp instanceof Inet6Address;
    }

    /** The host address as text, {@code 0.0.0.0} or {@code ::} for every local address. */
    public String hostIpText() {
        return hostIp != null ? IpPrefix.format(hostIp) : ipv6() ? "::" : "0.0.0.0";
    }

    /** The published end, e.g. {@code tcp 0.0.0.0:8080}, for messages. */
    public String published() {
        String host = hostIpText();
        return protocol.id() + " " + (host.contains(":") ? "[" + host + "]" : host) + ":" + hostPort;
    }

    /** Same protocol, host address and host port: the two cannot both be published. */
    public boolean sameKey(PortRule o) {
        return protocol == o.protocol
                && hostPort == o.hostPort
                && ipv6() == o.ipv6()
                && Objects.equals(hostIp, o.hostIp);
    }

    /** Throws Conflict when two of {@code ports} have the same key. */
    static void requireDistinct(List<PortRule> ports) {
        record Key(Protocol protocol, int hostPort, boolean ipv6, InetAddress hostIp) {}
        Set<Key> seen = new HashSet<>();
        for (PortRule p : ports)
            if (!seen.add(new Key(p.protocol, p.hostPort, p.ipv6(), p.hostIp)))
                throw new BerthException.Conflict(
                        p.published() + " is asked for twice in one request; no port was published");
    }

    @Override
    public String toString() {
        String c = IpPrefix.format(containerIp);
        return published() + " -> " + (c.contains(":") ? "[" + c + "]" : c) + ":" + containerPort;
    }
}
