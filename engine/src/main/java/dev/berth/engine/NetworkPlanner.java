package dev.berth.engine;

import dev.berth.engine.driver.ParentLinks;
import dev.berth.engine.ipam.SubnetChecks;
import dev.berth.engine.ipam.SubnetPlanner;
import dev.berth.engine.model.BridgeOptions;
import dev.berth.engine.model.DriverKind;
import dev.berth.engine.model.LanOptions;
import dev.berth.engine.model.Network;
import dev.berth.engine.model.ParentLink;
import dev.berth.engine.model.SubnetConfig;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SubnetRequest;
import dev.berth.model.BerthException;
import dev.berth.model.Cidr;
import dev.berth.model.Ids;
import dev.berth.model.IpPrefix;
import dev.berth.netlink.route.LinkNames;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** Turns a {@link NetworkRequest} into a valid {@link Network}, or says which field is wrong. Changes nothing. */
final class NetworkPlanner {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

    private final SubnetPlanner pools;

    NetworkPlanner(SubnetPlanner pools) {
        this.pools = pools;
    }

    /**
     * Validates the request against the networks that exist and the host's own ranges, and picks
     * subnets where none were given.
     */
    /**
     * {@code hostRanges}: the host's own ranges, asked only when a subnet is to be picked; {@code hostLinks}:
     * whether the host has a link of that name (asked per name, not a dump of every link).
     */
    Network plan(
            NetworkRequest r,
            Collection<Network> existing,
            Supplier<List<Cidr>> hostRanges,
            Predicate<String> hostLinks) {
        checkName(r.name(), existing);
        String id = Ids.random();
        DriverKind kind = switch (r.driver()) {
            case "bridge" -> DriverKind.BRIDGE;
            case "macvlan" -> DriverKind.MACVLAN;
            case "ipvlan" -> DriverKind.IPVLAN;
            default ->
                throw new BerthException.InvalidRequest(
                        "Driver", "unknown driver '" + r.driver() + "'; this engine offers: bridge, macvlan, ipvlan");
        };
        if (kind == DriverKind.BRIDGE) return bridge(id, r, existing, hostRanges, hostLinks);
        return lan(id, kind, r, existing, hostRanges, hostLinks);
    }

    private Network bridge(
            String id,
            NetworkRequest r,
            Collection<Network> existing,
            Supplier<List<Cidr>> hostRanges,
            Predicate<String> hostLinks) {
        BridgeOptions o = BridgeOptions.parse(r.options());
        int mtu = o.mtu() > 0 ? o.mtu() : 1500;
        String device = o.bridgeName() != null ? o.bridgeName() : Ids.userBridge(id);
        if (hostLinks.test(device) || existing.stream().anyMatch(n -> device.equals(n.device())))
            throw new BerthException.Conflict("bridge device '" + device
                    + "' already exists on the host; choose another " + BridgeOptions.BRIDGE_NAME);

        List<SubnetConfig> subnets = subnets(r, existing, hostRanges, true);
        return new Network(
                id,
                r.name(),
                DriverKind.BRIDGE,
                device,
                subnets,
                r.ipv6(),
                r.internal(),
                r.attachable(),
                mtu,
                r.options(),
                r.labels(),
                Instant.now(),
                false,
                o);
    }

    /**
     * A macvlan or ipvlan network: the parent must exist, be {@code <existing link>.<vlan id>} (Berth
     * makes the 802.1q sub-interface) or be absent (a dummy {@code dm-<12 hex>}, also for --internal,
     * as Docker does). The MTU is the parent's unless given; ipvlan L3/L3S subnets have no gateway.
     */
    private Network lan(
            String id,
            DriverKind kind,
            NetworkRequest r,
            Collection<Network> existing,
            Supplier<List<Cidr>> hostRanges,
            Predicate<String> hostLinks) {
        LanOptions o = LanOptions.parse(kind, r.options());
        String parent = parent(id, r, o, hostLinks);
        checkParentSharing(r, kind, o, parent, existing);
        List<SubnetConfig> subnets = subnets(r, existing, hostRanges, !o.isRouted());
        return new Network(
                id,
                r.name(),
                kind,
                parent,
                subnets,
                r.ipv6(),
                r.internal(),
                r.attachable(),
                o.mtu(),
                r.options(),
                r.labels(),
                Instant.now(),
                false,
                o);
    }

    private static String parent(String id, NetworkRequest r, LanOptions o, Predicate<String> hostLinks) {
        String field = "Options." + LanOptions.PARENT;
        if (r.internal() || o.parent() == null) return ParentLinks.dummyName(id);
        String name = o.parent();
        try {
            LinkNames.check(name);
        } catch (IllegalArgumentException e) {
            throw new BerthException.InvalidRequest(field, e.getMessage());
        }
        if (hostLinks.test(name)) return name;
        ParentLink vlan = ParentLinks.vlanOf(name)
                .orElseThrow(() -> new BerthException.InvalidRequest(
                        field,
                        "parent interface " + name
                                + " does not exist on the host; name an existing interface, or <interface>.<vlan id>"
                                + " (e.g. eth0.20) for an 802.1q sub-interface that Berth creates"));
        if (vlan.vlanId() < 1 || vlan.vlanId() > 4094)
            throw new BerthException.InvalidRequest(
                    field, "VLAN id " + vlan.vlanId() + " of " + name + " is outside 1..4094");
        if (!hostLinks.test(vlan.lower()))
            throw new BerthException.InvalidRequest(
                    field,
                    "parent interface " + name + " does not exist, and neither does " + vlan.lower()
                            + ", the interface its VLAN " + vlan.vlanId() + " would sit on");
        return name;
    }

    /** macvlan passthru gives the parent to one network; macvlan and ipvlan cannot share a parent (the kernel refuses). */
    private static void checkParentSharing(
            NetworkRequest r, DriverKind kind, LanOptions o, String parent, Collection<Network> existing) {
        boolean passthru = o.isPassthru();
        for (Network n : existing) {
            if (!n.isLan() || !parent.equals(n.device())) continue;
            if (n.lanOptions().isPassthru())
                throw new BerthException.Conflict("parent interface " + parent + " is already used by network "
                        + n.name() + " in passthru mode, which gives the parent to that network alone");
            if (passthru)
                throw new BerthException.Conflict("cannot use mode passthru: parent interface " + parent
                        + " is already used by network " + n.name() + "; passthru needs a parent of its own");
            if (n.driver() != kind)
                throw new BerthException.Conflict("parent interface " + parent + " already carries " + n.driver()
                        + " network " + n.name() + "; the kernel cannot put " + r.driver()
                        + " links on it too, use another parent (e.g. a VLAN " + parent + ".<id>)");
        }
    }

    private List<SubnetConfig> subnets(
            NetworkRequest r, Collection<Network> existing, Supplier<List<Cidr>> hostRanges, boolean gateways) {
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
        boolean pickIpv4 = out.stream().noneMatch(SubnetConfig::isIpv4);
        boolean pickIpv6 = r.ipv6() && out.stream().allMatch(SubnetConfig::isIpv4);
        if (pickIpv4 || pickIpv6) {
            List<Cidr> avoid = new ArrayList<>(taken);
            avoid.addAll(hostRanges.get());
            if (pickIpv4) out.add(0, auto(pools.nextIpv4(avoid), gateways));
            if (pickIpv6) out.add(auto(pools.nextIpv6(avoid), gateways));
        }
        if (!r.ipv6() && out.stream().anyMatch(s -> !s.isIpv4()))
            throw new BerthException.InvalidRequest(
                    "EnableIPv6", "an IPv6 subnet was given but IPv6 is not enabled; add --ipv6");
        out.sort((a, b) -> Boolean.compare(!a.isIpv4(), !b.isIpv4()));
        return out;
    }

    /** A requested subnet that overlaps another network's: Docker's message, plus which network holds it. */
    private static void checkOverlaps(List<SubnetConfig> requested, Collection<Network> existing) {
        for (int i = 0; i < requested.size(); i++)
            for (Network n : existing)
                for (SubnetConfig s : n.subnets())
                    if (requested.get(i).subnet().overlaps(s.subnet()))
                        throw new BerthException.Conflict(SubnetChecks.POOL_OVERLAPS + ": IPAM.Config[" + i
                                + "].Subnet " + requested.get(i).subnet() + " overlaps subnet " + s.subnet()
                                + " of network " + n.name());
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
            throw new BerthException.InvalidRequest(
                    "Name",
                    "'" + name
                            + "' is not a valid name: use letters, digits, '_', '.' and '-', starting with a letter or digit (at most 128)");
        for (Network n : existing)
            if (n.name().equals(name))
                throw new BerthException.Conflict("network with name " + name + " already exists");
    }
}
