package dev.berth.engine.firewall;

import dev.berth.model.BerthException;
import dev.berth.model.net.Cidr;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What the firewall needs to know about one bridge network.
 *
 * @param key        a short stable id (first 12 hex of the network id) for naming chains and comments
 * @param bridge     the bridge device, e.g. berth0 or br-1a2b3c4d5e6f
 * @param subnets    the network's subnets (IPv4 and IPv6)
 * @param masquerade masquerade traffic from the subnets that leaves by another interface
 * @param icc        containers on this bridge may talk to each other
 * @param internal   no traffic in or out of the bridge except among its containers (no masquerade either)
 * @param cluster    multi-host cluster networks this network belongs to: traffic from the subnets to them is not
 *                   masqueraded (source addresses preserved between hosts) and traffic from them may enter the bridge
 */
public record NetworkRules(
        String key,
        String bridge,
        List<Cidr> subnets,
        boolean masquerade,
        boolean icc,
        boolean internal,
        List<Cidr> cluster) {
    // Names go into nft scripts and iptables arguments verbatim, so only plain characters are allowed.
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    public NetworkRules {
        if (key == null || !KEY.matcher(key).matches())
            throw new BerthException.InvalidRequest("key", "'" + key + "' must be 1-32 of A-Z, a-z, 0-9, '_' and '-'");
        if (bridge == null || !IFNAME.matcher(bridge).matches())
            throw new BerthException.InvalidRequest(
                    "bridge", "'" + bridge + "' must be 1-15 of A-Z, a-z, 0-9, '_', '.' and '-'");
        subnets = List.copyOf(subnets);
        cluster = cluster == null ? List.of() : List.copyOf(cluster);
    }

    /** A network that is not part of a multi-host cluster. */
    public NetworkRules(
            String key, String bridge, List<Cidr> subnets, boolean masquerade, boolean icc, boolean internal) {
        this(key, bridge, subnets, masquerade, icc, internal, List.of());
    }

    /** True when traffic from the subnets leaving the bridge is masqueraded (never for internal networks). */
    public boolean masqueraded() {
        return masquerade && !internal;
    }
}
