package dev.berth.engine.firewall;

import dev.berth.model.BerthException;
import dev.berth.model.net.MacAddress;
import dev.berth.netlink.route.AddrGenMode;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Anti-spoofing for one bridge endpoint: frames entering the bridge from {@code port} (the host end of
 * the endpoint's veth) must carry {@code mac} as their Ethernet and ARP sender address, and
 * {@code ipv4}, {@code ipv6} or the link-local address the kernel derives from {@code mac} as their IP
 * source. Anything else is dropped at the bridge.
 *
 * @param port the bridge port, e.g. veth1a2b3c4
 * @param ipv4 the endpoint's IPv4 address, or null
 * @param ipv6 the endpoint's IPv6 address, or null
 */
public record EndpointGuard(String port, MacAddress mac, InetAddress ipv4, InetAddress ipv6) {
    // The name goes into nft scripts verbatim, so only plain characters are allowed (as NetworkRules).
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    public EndpointGuard {
        if (port == null || !IFNAME.matcher(port).matches())
            throw new BerthException.InvalidRequest(
                    "port", "'" + port + "' must be 1-15 of A-Z, a-z, 0-9, '_', '.' and '-'");
        Objects.requireNonNull(mac, "mac");
        if (ipv4 != null && !(ipv4 instanceof Inet4Address))
            throw new IllegalArgumentException("ipv4 " + ipv4 + " is not IPv4");
        if (ipv6 != null && !(ipv6 instanceof Inet6Address))
            throw new IllegalArgumentException("ipv6 " + ipv6 + " is not IPv6");
    }

    /**
     * The IPv6 link-local address the kernel gives an interface with this MAC (EUI-64, the default
     * {@code addr_gen_mode}): neighbour discovery and router solicitation are sent from it.
     */
    public InetAddress linkLocal() {
        return AddrGenMode.eui64LinkLocal(mac);
    }
}
