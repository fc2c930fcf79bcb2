package dev.berth.engine.request;

import dev.berth.model.BerthException;
import dev.berth.model.net.IpPrefix;
import dev.berth.model.net.MacAddress;
import dev.berth.netlink.ns.Netns;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.regex.Pattern;

/**
 * Every check of a sandbox request's own fields, with no look at the engine's state: names, hostname,
 * network mode, endpoint addresses and MAC, published and exposed ports. A container's create runs
 * them on the request its start will send, and the engine runs them again at start, so a request
 * accepted at create is never refused later for its form (only for the state of the moment: a
 * network that was removed, a port taken meanwhile).
 */
public final class SandboxChecks {
    /** Docker's container name rule, without the leading slash it also accepts. */
    public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    /** A name becomes a file name ({@code /run/netns/PREFIX + name}, 255 bytes at most) with room for the prefix. */
    public static final int MAX_NAME = 200;
    /** The longest namespace prefix, so PREFIX + a longest name still fits a file name. */
    public static final int MAX_PREFIX = Netns.MAX_NAME - MAX_NAME;

    public static final int MAX_HOSTNAME = 63;
    private static final Pattern HOSTNAME = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9_.-]{0," + (MAX_HOSTNAME - 1) + "}");

    private SandboxChecks() {}

    /** All of them, for a request as a container's start would send it. */
    public static void check(SandboxRequest r) {
        name(r.name());
        hostname(r.hostname());
        networkMode(r.networkMode());
        endpoint(r.endpoint(), "EndpointConfig");
        for (int i = 0; i < r.publish().size(); i++)
            PortSpec.parse(r.publish().get(i), "HostConfig.PortBindings[" + i + "]");
        for (int i = 0; i < r.expose().size(); i++) PortSpec.parse(r.expose().get(i), "ExposedPorts[" + i + "]");
    }

    public static void name(String name) {
        if (name == null || name.isEmpty()) throw new BerthException.InvalidRequest("name", "a container needs a name");
        if (name.length() > MAX_NAME)
            throw new BerthException.InvalidRequest(
                    "name",
                    "Invalid container name: " + name.length() + " characters, at most " + MAX_NAME
                            + " are allowed (it names the container's network namespace file)");
        if (!NAME.matcher(name).matches())
            throw new BerthException.InvalidRequest(
                    "name", "Invalid container name (" + name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
    }

    /** The runtime's rule (and the kernel's length): 1-63 of letters, digits, '_', '.' and '-', not starting with '.' or '-'. */
    public static void hostname(String hostname) {
        if (hostname == null) return;
        if (!HOSTNAME.matcher(hostname).matches())
            throw new BerthException.InvalidRequest(
                    "Hostname",
                    "'" + hostname + "' is not a hostname: use 1-" + MAX_HOSTNAME
                            + " of a-z, A-Z, 0-9, '_', '.', '-', starting with a letter, digit or '_'");
    }

    public static void networkMode(String mode) {
        if (mode.startsWith("container:") && mode.length() == "container:".length())
            throw new BerthException.InvalidRequest(
                    "HostConfig.NetworkMode", "container: needs the name or id of a container");
        if (mode.length() > 256)
            throw new BerthException.InvalidRequest(
                    "HostConfig.NetworkMode", "a network mode of " + mode.length() + " characters names no network");
    }

    /** Addresses and MAC of one endpoint; {@code field} prefixes the field names in errors. */
    public static void endpoint(EndpointRequest e, String field) {
        address(e.ipv4(), Inet4Address.class, field + ".IPAMConfig.IPv4Address");
        address(e.ipv6(), Inet6Address.class, field + ".IPAMConfig.IPv6Address");
        mac(e.mac(), field + ".MacAddress");
        for (String alias : e.aliases())
            if (alias == null || alias.isBlank() || alias.length() > 253)
                throw new BerthException.InvalidRequest(field + ".Aliases", "'" + alias + "' is not a DNS name");
    }

    private static void address(String text, Class<? extends InetAddress> family, String field) {
        if (text == null || text.isBlank()) return;
        InetAddress a;
        try {
            a = IpPrefix.literal(text.strip(), text);
        } catch (IllegalArgumentException e) {
            throw new BerthException.InvalidRequest(field, e.getMessage());
        }
        if (!family.isInstance(a))
            throw new BerthException.InvalidRequest(
                    field, "'" + text + "' is not an " + (family == Inet4Address.class ? "IPv4" : "IPv6") + " address");
    }

    /** A unicast MAC address, or null/blank for a random one. */
    public static MacAddress mac(String text, String field) {
        if (text == null || text.isBlank()) return null;
        try {
            MacAddress m = MacAddress.parse(text);
            if ((m.bytes()[0] & 1) != 0) throw new IllegalArgumentException("'" + text + "' is a multicast address");
            return m;
        } catch (IllegalArgumentException e) {
            throw new BerthException.InvalidRequest(field, e.getMessage());
        }
    }
}
