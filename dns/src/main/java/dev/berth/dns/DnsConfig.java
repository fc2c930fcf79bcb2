package dev.berth.dns;

import dev.berth.netlink.ns.NetnsHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How the embedded resolver runs.
 *
 * @param hostNetns       where upstream sockets are opened (the daemon's own namespace; a lab namespace in tests)
 * @param upstreams       resolvers for names that are not local, tried in order (at most {@value #MAX_UPSTREAMS} are used)
 * @param listenAddress   the address the resolver binds inside each sandbox (127.0.0.11, as Docker)
 * @param listenPort      its port (53)
 * @param localTtl        TTL of answers for sandbox names, seconds
 * @param upstreamTimeout how long one upstream gets before the next is tried; after the last, SERVFAIL
 * @param maxInFlight     forwarded queries waiting for an upstream at once; more are answered SERVFAIL
 * @param maxTcpClients   TCP connections from sandboxes served at once; more are closed
 */
public record DnsConfig(
        NetnsHandle hostNetns,
        List<InetSocketAddress> upstreams,
        InetAddress listenAddress,
        int listenPort,
        int localTtl,
        Duration upstreamTimeout,
        int maxInFlight,
        int maxTcpClients) {
    /** glibc reads at most three nameservers; Docker forwards to at most three. */
    public static final int MAX_UPSTREAMS = 3;
    /** Docker's address for the embedded resolver inside every container. */
    public static final InetAddress DEFAULT_LISTEN = literal("127.0.0.11");
    /**
     * One minute: short enough that a caching client forgets a removed or moved container soon,
     * long enough to spare it a query per connection (Docker uses 600 s, aardvark-dns 1.4 86400 s).
     */
    public static final int DEFAULT_TTL = 60;

    public DnsConfig {
        if (hostNetns == null)
            throw new IllegalArgumentException("hostNetns: missing; give the namespace upstream queries leave from");
        upstreams = List.copyOf(upstreams == null ? List.of() : upstreams);
        if (upstreams.size() > MAX_UPSTREAMS) upstreams = upstreams.subList(0, MAX_UPSTREAMS);
        if (listenAddress == null) listenAddress = DEFAULT_LISTEN;
        if (listenPort < 1 || listenPort > 65535)
            throw new IllegalArgumentException("listenPort: " + listenPort + " is not a port; use 1-65535");
        if (localTtl < 0)
            throw new IllegalArgumentException("localTtl: " + localTtl + " is negative; use 0 or more seconds");
        if (upstreamTimeout == null || upstreamTimeout.isNegative() || upstreamTimeout.isZero())
            throw new IllegalArgumentException("upstreamTimeout: " + upstreamTimeout + " must be positive");
        if (maxInFlight < 1 || maxInFlight > 60_000)
            throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " must be 1-60000");
        if (maxTcpClients < 1)
            throw new IllegalArgumentException("maxTcpClients: " + maxTcpClients + " must be at least 1");
    }

    /** Defaults: 127.0.0.11:53, TTL 60 s, 1.5 s per upstream, 1024 forwards in flight, 128 TCP clients. */
    public static DnsConfig of(NetnsHandle hostNetns, List<InetSocketAddress> upstreams) {
        return new DnsConfig(hostNetns, upstreams, DEFAULT_LISTEN, 53, DEFAULT_TTL, Duration.ofMillis(1500), 1024, 128);
    }

    /** Defaults, forwarding to the nameservers of a resolv.conf (the host's is /etc/resolv.conf). */
    public static DnsConfig fromResolvConf(NetnsHandle hostNetns, Path resolvConf) {
        return of(hostNetns, ResolvConf.nameservers(resolvConf));
    }

    public DnsConfig withListenPort(int port) {
        return new DnsConfig(
                hostNetns, upstreams, listenAddress, port, localTtl, upstreamTimeout, maxInFlight, maxTcpClients);
    }

    public DnsConfig withUpstreamTimeout(Duration t) {
        return new DnsConfig(hostNetns, upstreams, listenAddress, listenPort, localTtl, t, maxInFlight, maxTcpClients);
    }

    public DnsConfig withLocalTtl(int ttl) {
        return new DnsConfig(
                hostNetns, upstreams, listenAddress, listenPort, ttl, upstreamTimeout, maxInFlight, maxTcpClients);
    }

    public DnsConfig withMaxInFlight(int n) {
        return new DnsConfig(
                hostNetns, upstreams, listenAddress, listenPort, localTtl, upstreamTimeout, n, maxTcpClients);
    }

    private static InetAddress literal(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
