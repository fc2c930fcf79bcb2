package dev.berth.engine.firewall;

import dev.berth.model.net.Cidr;
import dev.berth.model.net.IpPrefix;
import java.util.ArrayList;
import java.util.List;

/**
 * The text of Berth's nftables scripts. Berth owns {@code table inet berth} (NAT, forwarding) and
 * {@code table bridge berth} (icc between containers of one bridge, and anti-spoofing). Every rule is
 * fixed: networks, published ports and guarded endpoints are only elements of sets and maps, so adding
 * one never adds a rule and the per-packet cost does not grow with their number (one hash or interval
 * lookup per set).
 *
 * <p>Anti-spoofing sits at the bridge's prerouting hook, where a frame from a container is seen once, on
 * the port it entered by, whether it is then bridged to a neighbour or routed by the host. The sets
 * are keyed by that port's name concatenated with the one source the endpoint may use, so a check is
 * one hash lookup. The iptables driver writes the same anti-spoofing part alone ({@link #guardInit}):
 * the iptables family never sees ARP or Ethernet headers, and ebtables has no sets, so it would need a
 * rule per endpoint.
 */
public final class NftScript {
    static final String INET = "inet berth";
    static final String BRIDGE = "bridge berth";

    private NftScript() {}

    /** The sets and maps holding networks and ports; each line is a declaration inside a table block. */
    private static final String INET_SETS = """
            	set bridges { type ifname; comment "Berth's bridges"; }
            	set loops { type ifname . ifname; comment "each bridge paired with itself: routed back into the bridge it came from"; }
            	set internal { type ifname; comment "bridges of internal networks"; }
            	set subnets4 { type ipv4_addr; flags interval; comment "every Berth subnet"; }
            	set subnets6 { type ipv6_addr; flags interval; }
            	set masq4 { type ipv4_addr; flags interval; comment "subnets masqueraded when leaving for elsewhere"; }
            	set masq6 { type ipv6_addr; flags interval; }
            	set cluster4 { type ipv4_addr . ipv4_addr; flags interval; comment "subnet . cluster network: routed between hosts with source addresses kept"; }
            	set cluster6 { type ipv6_addr . ipv6_addr; flags interval; }
            	map ports4 { type inet_proto . inet_service : ipv4_addr . inet_service; comment "published on every local IPv4 address"; }
            	map ports4_ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; comment "published on one host address"; }
            	map ports6 { type inet_proto . inet_service : ipv6_addr . inet_service; }
            	map ports6_ip { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service; }
            """;

    private static final String BRIDGE_SETS = """
            	set no_icc4 { type ipv4_addr; flags interval; comment "subnets whose containers may not talk to each other"; }
            	set no_icc6 { type ipv6_addr; flags interval; }
            """;

    private static final String GUARD_SETS = """
            	set guarded { type ifname; comment "bridge ports of endpoints with anti-spoofing"; }
            	set guard_mac { type ifname . ether_addr; comment "each guarded port with the MAC its endpoint sends from"; }
            	set guard4 { type ifname . ipv4_addr; comment "each guarded port with its endpoint's IPv4 address"; }
            	set guard6 { type ifname . ipv6_addr; comment "each guarded port with its endpoint's IPv6 and EUI-64 link-local addresses"; }
            """;

    private static final String GUARD_CHAINS = """
            	chain prerouting { type filter hook prerouting priority filter; policy accept; }
            	chain guard { }
            """;

    private static final List<String> GUARD_CHAIN_NAMES = List.of("prerouting", "guard");

    // Unspecified sources are how a host asks before it has an address: ARP probes (RFC 5227),
    // IPv6 duplicate address detection and MLD reports (RFC 4862, 3810), DHCP discover.
    private static final String GUARD_RULES = """
            	chain prerouting {
            		iifname @guarded jump guard comment "frames from containers of networks with anti-spoofing"
            	}
            	chain guard {
            		iifname . ether saddr != @guard_mac drop comment "source MAC is not the endpoint's"
            		ether type { 8021q, 8021ad } drop comment "a VLAN tag would hide the addresses from the checks below"
            		iifname . arp saddr ether != @guard_mac drop comment "ARP sender MAC is not the endpoint's"
            		arp saddr ip 0.0.0.0 accept comment "ARP probe"
            		iifname . arp saddr ip != @guard4 drop comment "ARP sender address is not the endpoint's"
            		ip saddr 0.0.0.0 udp sport 68 udp dport 67 accept comment "DHCP discover"
            		iifname . ip saddr != @guard4 drop comment "IPv4 source is not the endpoint's"
            		ip6 saddr :: icmpv6 type { nd-neighbor-solicit, mld-listener-report, mld2-listener-report } accept comment "duplicate address detection, MLD"
            		iifname . ip6 saddr != @guard6 drop comment "IPv6 source is not the endpoint's (nor its link-local address)"
            	}
            """;

    /** Base chains with their hooks; the output NAT hook takes a number (nft 1.0.6 has no dstnat keyword there). */
    private static final String INET_CHAINS = """
            	chain prerouting { type nat hook prerouting priority dstnat; policy accept; }
            	chain output { type nat hook output priority -100; policy accept; }
            	chain published { }
            	chain postrouting { type nat hook postrouting priority srcnat; policy accept; }
            	chain input { type filter hook input priority filter; policy accept; }
            	chain forward { type filter hook forward priority filter; policy accept; }
            	chain into_bridge { }
            """;

    private static final String BRIDGE_CHAINS = """
            	chain forward { type filter hook forward priority filter; policy accept; }
            """ + GUARD_CHAINS;

    private static final List<String> INET_CHAIN_NAMES =
            List.of("prerouting", "output", "published", "postrouting", "input", "forward", "into_bridge");

    /** The rules, all fixed; chains are filled after they are declared so a re-run can flush and refill them. */
    private static final String INET_RULES = """
            	chain prerouting {
            		ip daddr 127.0.0.0/8 return comment "loopback addresses are published to the host itself only"
            		fib daddr type local jump published
            	}
            	chain output {
            		fib daddr type local jump published
            	}
            	chain published {
            		dnat ip to ip daddr . meta l4proto . th dport map @ports4_ip
            		meta nfproto ipv4 dnat ip to meta l4proto . th dport map @ports4
            		dnat ip6 to ip6 daddr . meta l4proto . th dport map @ports6_ip
            		meta nfproto ipv6 dnat ip6 to meta l4proto . th dport map @ports6
            	}
            	chain postrouting {
            		ct status dnat oifname @bridges ip saddr @subnets4 masquerade comment "hairpin: replies must come back through the host"
            		ct status dnat oifname @bridges ip6 saddr @subnets6 masquerade
            		ct status dnat oifname @bridges ip saddr 127.0.0.0/8 masquerade comment "published port reached via 127.0.0.1"
            		ip saddr . ip daddr @cluster4 return comment "to other hosts of the cluster: keep the container's address"
            		ip6 saddr . ip6 daddr @cluster6 return
            		oifname != @bridges ip saddr @masq4 masquerade
            		oifname != @bridges ip6 saddr @masq6 masquerade
            	}
            	chain input {
            		iifname != "lo" ip daddr 127.0.0.0/8 ct status ! dnat drop comment "route_localnet must not open the host's loopback to others"
            	}
            	chain forward {
            		iifname . oifname @loops accept
            		oifname @bridges jump into_bridge
            		iifname @internal drop
            	}
            	chain into_bridge {
            		ct state established,related accept
            		iifname @internal drop
            		oifname @internal drop
            		ct original ip daddr 127.0.0.0/8 drop
            		ct status dnat accept comment "only published ports may be reached from outside the bridge"
            		ip daddr . ip saddr @cluster4 accept comment "containers on other hosts of the cluster"
            		ip6 daddr . ip6 saddr @cluster6 accept
            		drop
            	}
            """;

    // Matches addresses, not the bridge: this kernel family has no meta ibrname without nft_meta_bridge.
    private static final String BRIDGE_RULES = """
            	chain forward {
            		ip saddr @no_icc4 drop
            		ip daddr @no_icc4 drop
            		arp saddr ip @no_icc4 drop
            		ip6 saddr @no_icc6 drop
            		ip6 daddr @no_icc6 drop
            	}
            """ + GUARD_RULES;

    /** Creates the tables, sets, maps and chains where missing and (re)writes the fixed rules; keeps elements. */
    public static String init() {
        StringBuilder s = new StringBuilder();
        s.append(declarations());
        for (String c : INET_CHAIN_NAMES)
            s.append("flush chain ").append(INET).append(' ').append(c).append('\n');
        s.append("flush chain ").append(BRIDGE).append(" forward\n");
        for (String c : GUARD_CHAIN_NAMES)
            s.append("flush chain ").append(BRIDGE).append(' ').append(c).append('\n');
        s.append(rules());
        return s.toString();
    }

    /**
     * The anti-spoofing part of {@code table bridge berth} alone, for the iptables driver: creates what is
     * missing and (re)writes the fixed rules; keeps elements.
     */
    public static String guardInit() {
        StringBuilder s = new StringBuilder("table " + BRIDGE + " {\n" + GUARD_SETS + GUARD_CHAINS + "}\n");
        for (String c : GUARD_CHAIN_NAMES)
            s.append("flush chain ").append(BRIDGE).append(' ').append(c).append('\n');
        s.append("table ").append(BRIDGE).append(" {\n").append(GUARD_RULES).append("}\n");
        return s.toString();
    }

    /** Replaces the anti-spoofing table of the iptables driver with exactly these guards. */
    public static String guardSync(List<EndpointGuard> guards) {
        StringBuilder s = new StringBuilder(removeGuardTable()).append(guardInit());
        for (EndpointGuard g : guards)
            for (Element e : elements(g)) s.append(e.add()).append('\n');
        return s.toString();
    }

    /** Deletes the iptables driver's anti-spoofing table, if it is there. */
    public static String removeGuardTable() {
        return "add table " + BRIDGE + "\ndelete table " + BRIDGE + "\n";
    }

    /** Adds the guards' elements; adding an element that is there already is no change. */
    public static String addGuards(List<EndpointGuard> guards) {
        StringBuilder s = new StringBuilder();
        for (EndpointGuard g : guards)
            for (Element e : elements(g)) s.append(e.add()).append('\n');
        return s.toString();
    }

    /** Removes the guards' elements; each is added first so that removing a missing one is no error. */
    public static String removeGuards(List<EndpointGuard> guards) {
        StringBuilder s = new StringBuilder();
        for (EndpointGuard g : guards)
            for (Element e : elements(g))
                s.append(e.add()).append('\n').append(e.delete()).append('\n');
        return s.toString();
    }

    /** Replaces both tables with exactly these networks, ports and guarded endpoints. */
    public static String sync(List<NetworkRules> networks, List<PortRule> ports, List<EndpointGuard> guards) {
        StringBuilder s = new StringBuilder(removeAll());
        s.append(declarations()).append(rules());
        for (NetworkRules n : networks)
            for (Element e : elements(n)) s.append(e.add()).append('\n');
        for (PortRule p : ports) s.append(element(p).add()).append('\n');
        s.append(addGuards(guards));
        return s.toString();
    }

    /** Replaces both tables with exactly these networks and ports, no endpoint guarded. */
    public static String sync(List<NetworkRules> networks, List<PortRule> ports) {
        return sync(networks, ports, List.of());
    }

    /** Deletes Berth's tables; adding them first makes the delete succeed when they are already gone. */
    public static String removeAll() {
        return "add table " + INET + "\ndelete table " + INET + "\nadd table " + BRIDGE + "\ndelete table " + BRIDGE
                + "\n";
    }

    /** Adds the network's elements; adding an element that is there already is no change. */
    public static String addNetwork(NetworkRules n) {
        StringBuilder s = new StringBuilder();
        for (Element e : elements(n)) s.append(e.add()).append('\n');
        return s.toString();
    }

    /** Removes the network's elements; each is added first so that removing a missing one is no error. */
    public static String removeNetwork(NetworkRules n) {
        StringBuilder s = new StringBuilder();
        for (Element e : elements(n))
            s.append(e.add()).append('\n').append(e.delete()).append('\n');
        return s.toString();
    }

    /** Publishes the ports with {@code create element}, which the kernel refuses for a key that exists (EEXIST). */
    public static String addPorts(List<PortRule> ports) {
        StringBuilder s = new StringBuilder();
        for (PortRule p : ports) s.append(element(p).create()).append('\n');
        return s.toString();
    }

    /** Removes the ports; removing one that is not published is no error (one published elsewhere is). */
    public static String removePorts(List<PortRule> ports) {
        StringBuilder s = new StringBuilder();
        for (PortRule p : ports) {
            Element e = element(p);
            s.append(e.add()).append('\n').append(e.delete()).append('\n');
        }
        return s.toString();
    }

    private static String declarations() {
        return "table " + INET + " {\n" + INET_SETS + INET_CHAINS + "}\n" + "table " + BRIDGE + " {\n" + BRIDGE_SETS
                + GUARD_SETS + BRIDGE_CHAINS + "}\n";
    }

    private static String rules() {
        return "table " + INET + " {\n" + INET_RULES + "}\n" + "table " + BRIDGE + " {\n" + BRIDGE_RULES + "}\n";
    }

    /** One element of one of Berth's sets or maps; {@code key} alone names it for deletion. */
    record Element(String table, String set, String key, String value) {
        String add() {
            return "add element " + table + " " + set + " { " + text() + " }";
        }

        String create() {
            return "create element " + table + " " + set + " { " + text() + " }";
        }

        /** A read-only query that succeeds when the key is present. */
        String get() {
            return "get element " + table + " " + set + " { " + key + " }";
        }

        String delete() {
            return "delete element " + table + " " + set + " { " + key + " }";
        }

        private String text() {
            return value == null ? key : key + " : " + value;
        }
    }

    static List<Element> elements(NetworkRules n) {
        List<Element> out = new ArrayList<>();
        String br = quote(n.bridge());
        out.add(new Element(INET, "bridges", br, null));
        out.add(new Element(INET, "loops", br + " . " + br, null));
        if (n.internal()) out.add(new Element(INET, "internal", br, null));
        for (Cidr c : n.subnets()) {
            String fam = c.isIpv4() ? "4" : "6";
            out.add(new Element(INET, "subnets" + fam, c.toString(), null));
            if (n.masqueraded()) out.add(new Element(INET, "masq" + fam, c.toString(), null));
            if (!n.icc()) out.add(new Element(BRIDGE, "no_icc" + fam, c.toString(), null));
            for (Cidr k : n.cluster())
                if (k.isIpv4() == c.isIpv4() && !n.internal())
                    out.add(new Element(INET, "cluster" + fam, c + " . " + k, null));
        }
        return out;
    }

    /** The port alone, the port with its MAC, and the port with each address the endpoint may send from. */
    static List<Element> elements(EndpointGuard g) {
        String port = quote(g.port());
        List<Element> out = new ArrayList<>(5);
        out.add(new Element(BRIDGE, "guarded", port, null));
        out.add(new Element(BRIDGE, "guard_mac", port + " . " + g.mac(), null));
        if (g.ipv4() != null) out.add(new Element(BRIDGE, "guard4", port + " . " + IpPrefix.format(g.ipv4()), null));
        if (g.ipv6() != null) out.add(new Element(BRIDGE, "guard6", port + " . " + IpPrefix.format(g.ipv6()), null));
        out.add(new Element(BRIDGE, "guard6", port + " . " + IpPrefix.format(g.linkLocal()), null));
        return out;
    }

    static Element element(PortRule p) {
        String fam = p.ipv6() ? "6" : "4";
        String key = p.protocol().id() + " . " + p.hostPort();
        String value = IpPrefix.format(p.containerIp()) + " . " + p.containerPort();
        if (p.hostIp() == null) return new Element(INET, "ports" + fam, key, value);
        return new Element(INET, "ports" + fam + "_ip", IpPrefix.format(p.hostIp()) + " . " + key, value);
    }

    private static String quote(String ifname) {
        return "\"" + ifname + "\""; // NetworkRules allows no quote or backslash in names
    }
}
