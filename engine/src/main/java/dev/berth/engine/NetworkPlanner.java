package dev.berth.engine;

import dev.berth.engine.driver.LanOptions;
import dev.berth.engine.driver.ParentLinks;
import dev.berth.engine.ipam.Cidr;
import dev.berth.engine.ipam.SubnetChecks;
import dev.berth.engine.ipam.SubnetPlanner;
import dev.berth.engine.model.Network;
import dev.berth.engine.model.ParentLink;
import dev.berth.engine.model.SubnetConfig;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SubnetRequest;
import dev.berth.netlink.route.IpPrefix;
import dev.berth.netlink.route.LinkNames;
import dev.berth.netlink.route.LinkType;
import dev.berth.netlink.route.LinkType.MacvlanMode;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns a {@link NetworkRequest} into a valid {@link Network}, or says which field is wrong. Changes nothing. */
final class NetworkPlanner {
    static final String OPT_BRIDGE_NAME = "com.docker.network.bridge.name";
    static final String OPT_ICC = "com.docker.network.bridge.enable_icc";
    static final String OPT_MASQUERADE = "com.docker.network.bridge.enable_ip_masquerade";
    static final String OPT_HOST_BINDING = "com.docker.network.bridge.host_binding_ipv4";
    static final String OPT_MTU = "com.docker.network.driver.mtu";
    static final String OPT_DEFAULT_BRIDGE = "com.docker.network.bridge.default_bridge";
    /** Berth's own: drop frames whose source MAC or address is not their endpoint's (on unless false). */
    static final String OPT_ANTI_SPOOFING = "berth.anti_spoofing";
    private static final Set<String> BRIDGE_OPTIONS =
            Set.of(OPT_BRIDGE_NAME, OPT_ICC, OPT_MASQUERADE, OPT_HOST_BINDING, OPT_MTU, OPT_DEFAULT_BRIDGE, OPT_ANTI_SPOOFING);
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

    private final SubnetPlanner pools;

    NetworkPlanner(SubnetPlanner pools) {
        this.pools = pools;
    }

    /**
     * Validates the request against the networks that exist and the host's own ranges, and picks
     * subnets where none were given.
     */
    Network plan(NetworkRequest r, Collection<Network> existing, List<Cidr> hostRanges, Set<String> hostLinks) {
        checkName(r.name(), existing);
        String id = Ids.random();
        if (r.driver().equals("bridge")) return bridge(id, r, existing, hostRanges, hostLinks);
        if (LanOptions.isLan(r.driver())) return lan(id, r, existing, hostRanges, hostLinks);
        throw new BerthException.InvalidRequest("Driver", "unknown driver '" + r.driver() + "'; this engine offers: bridge, macvlan, ipvlan");
    }

    private Network bridge(String id, NetworkRequest r, Collection<Network> existing, List<Cidr> hostRanges, Set<String> hostLinks) {
        checkOptions(r.options());
        int mtu = mtu(r.options());
        parseBool(r.options(), OPT_ICC, true); // validated now, read when the firewall is programmed
        parseBool(r.options(), OPT_MASQUERADE, true);
        parseBool(r.options(), OPT_ANTI_SPOOFING, true);
        if (r.options().containsKey(OPT_HOST_BINDING)) literal(r.options().get(OPT_HOST_BINDING), "Options." + OPT_HOST_BINDING);

        String device = r.options().getOrDefault(OPT_BRIDGE_NAME, Ids.userBridge(id));
        try {
            LinkNames.check(device);
        } catch (IllegalArgumentException e) {
            throw new BerthException.InvalidRequest("Options." + OPT_BRIDGE_NAME, e.getMessage());
        }
        if (hostLinks.contains(device) || existing.stream().anyMatch(n -> device.equals(n.device())))
            throw new BerthException.Conflict("bridge device '" + device + "' already exists on the host; choose another "
                    + OPT_BRIDGE_NAME);

        List<SubnetConfig> subnets = subnets(r, existing, hostRanges, true);
        return new Network(id, r.name(), r.driver(), device, subnets, r.ipv6(), r.internal(), r.attachable(), mtu,
                r.options(), r.labels(), Instant.now(), false);
    }

    /**
     * A macvlan or ipvlan network: the parent must exist, be {@code <existing link>.<vlan id>} (Berth
     * makes the 802.1q sub-interface) or be absent (a dummy {@code dm-<12 hex>}, also for --internal,
     * as Docker does). The MTU is the parent's unless given; ipvlan L3/L3S subnets have no gateway.
     */
    private Network lan(String id, NetworkRequest r, Collection<Network> existing, List<Cidr> hostRanges, Set<String> hostLinks) {
        LanOptions.check(r.driver(), r.options());
        int mtu = r.options().containsKey(OPT_MTU) ? mtu(r.options()) : 0;
        String parent = parent(id, r, hostLinks);
        checkParentSharing(r, parent, existing);
        boolean routed = LanOptions.isRouted(r.driver(), r.options());
        List<SubnetConfig> subnets = subnets(r, existing, hostRanges, !routed);
        return new Network(id, r.name(), r.driver(), parent, subnets, r.ipv6(), r.internal(), r.attachable(), mtu,
                r.options(), r.labels(), Instant.now(), false);
    }

    private static String parent(String id, NetworkRequest r, Set<String> hostLinks) {
        String field = "Options." + LanOptions.PARENT;
        String p = r.options().get(LanOptions.PARENT);
        if (r.internal() || p == null || p.isBlank()) return ParentLinks.dummyName(id);
        String name = p.strip();
        try {
            LinkNames.check(name);
        } catch (IllegalArgumentException e) {
            throw new BerthException.InvalidRequest(field, e.getMessage());
        }
        if (hostLinks.contains(name)) return name;
        ParentLink vlan = ParentLinks.vlanOf(name).orElseThrow(() -> new BerthException.InvalidRequest(field,
                "parent interface " + name + " does not exist on the host; name an existing interface, or <interface>.<vlan id>"
                        + " (e.g. eth0.20) for an 802.1q sub-interface that Berth creates"));
        if (vlan.vlanId() < 1 || vlan.vlanId() > 4094)
            throw new BerthException.InvalidRequest(field, "VLAN id " + vlan.vlanId() + " of " + name + " is outside 1..4094");
        if (!hostLinks.contains(vlan.lower()))
            throw new BerthException.InvalidRequest(field, "parent interface " + name + " does not exist, and neither does "
                    + vlan.lower() + ", the interface its VLAN " + vlan.vlanId() + " would sit on");
        return name;
    }

    /** macvlan passthru gives the parent to one network; macvlan and ipvlan cannot share a parent (the kernel refuses). */
    private static void checkParentSharing(NetworkRequest r, String parent, Collection<Network> existing) {
        boolean passthru = LanOptions.linkType(r.driver(), r.options()) instanceof LinkType.Macvlan m && m.mode() == MacvlanMode.PASSTHRU;
        for (Network n : existing) {
            if (!n.isLan() || !parent.equals(n.device())) continue;
            if (LanOptions.isPassthru(n))
                throw new BerthException.Conflict("parent interface " + parent + " is already used by network " + n.name()
                        + " in passthru mode, which gives the parent to that network alone");
            if (passthru)
                throw new BerthException.Conflict("cannot use mode passthru: parent interface " + parent + " is already used by network "
                        + n.name() + "; passthru needs a parent of its own");
            if (!n.driver().equals(r.driver()))
                throw new BerthException.Conflict("parent interface " + parent + " already carries " + n.driver() + " network " + n.name()
                        + "; the kernel cannot put " + r.driver() + " links on it too, use another parent (e.g. a VLAN " + parent + ".<id>)");
        }
    }

    private List<SubnetConfig> subnets(NetworkRequest r, Collection<Network> existing, List<Cidr> hostRanges, boolean gateways) {
        List<Cidr> taken = new ArrayList<>();
        for (Network n : existing) for (SubnetConfig s : n.subnets()) taken.add(s.subnet());
        List<SubnetConfig> out = new ArrayList<>();
        for (int i = 0; i < r.subnets().size(); i++) {
            SubnetRequest s = r.subnets().get(i);
            SubnetConfig c = SubnetChecks.parse(i, s.subnet(), s.ipRange(), s.gateway(), s.auxAddresses());
            out.add(gateways ? withGateway(c) : c);
        }
        checkOverlaps(out, existing);
        SubnetChecks.checkAll(out, taken);
        List<Cidr> avoid = new ArrayList<>(taken);
        avoid.addAll(hostRanges);
        if (out.stream().noneMatch(SubnetConfig::isIpv4)) out.add(0, auto(pools.nextIpv4(avoid), gateways));
        if (r.ipv6() && out.stream().allMatch(SubnetConfig::isIpv4)) out.add(auto(pools.nextIpv6(avoid), gateways));
        if (!r.ipv6() && out.stream().anyMatch(s -> !s.isIpv4()))
            throw new BerthException.InvalidRequest("EnableIPv6", "an IPv6 subnet was given but IPv6 is not enabled; add --ipv6");
        out.sort((a, b) -> Boolean.compare(!a.isIpv4(), !b.isIpv4()));
        return out;
    }

    /** A requested subnet that overlaps another network's: Docker's message, plus which network holds it. */
    private static void checkOverlaps(List<SubnetConfig> requested, Collection<Network> existing) {
        for (int i = 0; i < requested.size(); i++)
            for (Network n : existing)
                for (SubnetConfig s : n.subnets())
                    if (requested.get(i).subnet().overlaps(s.subnet()))
                        throw new BerthException.Conflict(SubnetChecks.POOL_OVERLAPS + ": IPAM.Config[" + i + "].Subnet "
                                + requested.get(i).subnet() + " overlaps subnet " + s.subnet() + " of network " + n.name());
    }

    private static SubnetConfig auto(Cidr c, boolean gateway) {
        return gateway ? auto(c) : new SubnetConfig(c, null, null, Map.of());
    }

    /** A subnet the engine picked: gateway at the first host address. */
    static SubnetConfig auto(Cidr c) {
        return new SubnetConfig(c, c.address(1), null, Map.of());
    }

    /** A user subnet without a gateway gets the first host address, as Docker does. */
    static SubnetConfig withGateway(SubnetConfig s) {
        if (s.gateway() != null) return s;
        SubnetConfig filled = new SubnetConfig(s.subnet(), s.subnet().address(1), s.ipRange(), s.auxAddresses());
        SubnetChecks.check(0, filled);
        return filled;
    }

    static InetAddress literal(String text, String field) {
        try {
            return IpPrefix.literal(text.strip(), text);
        } catch (IllegalArgumentException e) {
            throw new BerthException.InvalidRequest(field, e.getMessage());
        }
    }

    private static void checkName(String name, Collection<Network> existing) {
        if (name == null || name.isBlank()) throw new BerthException.InvalidRequest("Name", "a network needs a name");
        if (!NAME.matcher(name).matches() || name.length() > 128)
            throw new BerthException.InvalidRequest("Name", "'" + name + "' is not a valid name: use letters, digits, '_', '.' and '-', starting with a letter or digit (at most 128)");
        for (Network n : existing)
            if (n.name().equals(name)) throw new BerthException.Conflict("network with name " + name + " already exists");
    }

    private static void checkOptions(Map<String, String> options) {
        for (String k : options.keySet())
            if (!BRIDGE_OPTIONS.contains(k))
                throw new BerthException.InvalidRequest("Options." + k, "unknown option for the bridge driver; known: " + String.join(", ", BRIDGE_OPTIONS.stream().sorted().toList()));
    }

    static int mtu(Map<String, String> options) {
        String v = options.get(OPT_MTU);
        if (v == null) return 1500;
        try {
            int m = Integer.parseInt(v.strip());
            if (m >= 68 && m <= 65535) return m;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new BerthException.InvalidRequest("Options." + OPT_MTU, "'" + v + "' is not an MTU between 68 and 65535");
    }

    static boolean parseBool(Map<String, String> options, String key, boolean fallback) {
        String v = options.get(key);
        if (v == null) return fallback;
        return switch (v.strip().toLowerCase()) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new BerthException.InvalidRequest("Options." + key, "'" + v + "' is not a boolean (true or false)");
        };
    }
}
