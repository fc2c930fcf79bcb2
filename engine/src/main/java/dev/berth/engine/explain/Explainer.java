package dev.berth.engine.explain;

import dev.berth.engine.driver.BridgeDriver;
import dev.berth.engine.firewall.EndpointGuard;
import dev.berth.engine.firewall.NetworkRules;
import dev.berth.engine.firewall.NftScript;
import dev.berth.engine.firewall.PortRule;
import dev.berth.engine.model.BridgeOptions;
import dev.berth.engine.model.Network;
import dev.berth.engine.model.SubnetConfig;
import dev.berth.model.Endpoint;
import dev.berth.model.NetnsMode;
import dev.berth.model.PortMapping;
import dev.berth.model.Sandbox;
import dev.berth.model.net.Cidr;
import dev.berth.model.net.IpPrefix;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The commands a user of the seeds would type to build what the engine built: {@code ip link add
 * ... type bridge}, {@code ip netns add}, veth pairs, addresses, routes, and the firewall's rules as
 * {@code nft} (the text {@link NftScript} gives libnftables) or {@code iptables} commands. Derived
 * from the engine's records the way the bridge driver and the firewall derive their work, and tested
 * by running the commands in a fresh lab namespace and comparing the result with the engine's.
 */
public final class Explainer {
    // Docker's option names, as the engine reads them (NetworkPlanner).
    /** The alias that marks Berth's bridges (BridgeDriver.ALIAS_PREFIX). */
    static final String ALIAS_PREFIX = BridgeDriver.ALIAS_PREFIX;

    private final FirewallKind firewall;

    public Explainer(FirewallKind firewall) {
        this.firewall = firewall;
    }

    /**
     * A network: the host's forwarding, the bridge with its gateway addresses, and the firewall; the
     * firewall's base tables or chains come first, marked as done once per host.
     */
    public List<ExplainedStep> network(Network n) {
        List<ExplainedStep> out = new ArrayList<>();
        if (!n.isBridge()) {
            String why = switch (n.driver()) {
                case HOST -> "containers on 'host' share the host's network namespace: there is nothing to create";
                case NULL ->
                    "containers on 'none' get a namespace with only lo: there is nothing to create for the network";
                default -> "the " + n.driver() + " driver is not explained yet";
            };
            out.add(new ExplainedStep(why, ": # nothing to do"));
            return out;
        }
        String br = n.device();
        out.add(step(
                "the host routes packets between its interfaces, IPv4 and IPv6 (Berth sets this once, at start)",
                "sysctl -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1"));
        out.add(step(
                "create the bridge " + br + " (a virtual switch for the network's containers, no STP)",
                "ip link add " + br + " mtu " + n.mtu() + " type bridge stp_state 0"));
        out.add(step(
                "mark it as Berth's: reconcile recognizes its bridges by this alias",
                "ip link set " + br + " alias " + ALIAS_PREFIX + n.id()));
        for (SubnetConfig s : n.subnets()) {
            if (s.gateway() == null) continue;
            IpPrefix gw = s.subnet().withHost(s.gateway());
            out.add(step(
                    "the bridge holds the gateway address " + IpPrefix.format(s.gateway()) + " of " + s.subnet()
                            + ": containers route through it, and the host gets a route to the subnet",
                    s.isIpv4()
                            ? "ip addr add " + gw + " dev " + br
                            : "ip -6 addr add " + gw + " dev " + br + " nodad"));
        }
        out.add(step(
                "let the host reach published ports via 127.0.0.1 (the firewall drops 127/8 from anywhere but lo)",
                "sysctl -w " + sysctlPath("net.ipv4.conf." + br + ".route_localnet", br) + "=1"));
        out.add(step("bring the bridge up", "ip link set " + br + " up"));
        NetworkRules rules = rules(n);
        if (firewall == FirewallKind.NFTABLES) {
            nftNetwork(rules, out);
        } else {
            IptablesCommands.network(rules, out);
            out.add(step(
                    "anti-spoofing, in nftables even with the iptables driver: iptables never sees Ethernet or ARP"
                            + " headers and ebtables has no sets (created once per host, at start; each endpoint is only elements)",
                    "nft -f - <<'EOF'\n" + NftScript.guardInit() + "EOF"));
        }
        return out;
    }

    /**
     * A sandbox (the network side of a container): its namespace, one veth pair per endpoint with
     * addresses and the default route, and its published ports.
     *
     * @param endpoints the sandbox's endpoints ({@code engine.endpointsOf(s)})
     * @param networks  a network by id ({@code id -> engine.network(id)})
     */
    public List<ExplainedStep> sandbox(Sandbox s, List<Endpoint> endpoints, Function<String, Network> networks) {
        List<ExplainedStep> out = new ArrayList<>();
        switch (s.netns()) {
            case NetnsMode.Host h -> {
                out.add(step(
                        "container " + s.name()
                                + " uses the host's network namespace (network mode host): nothing is created",
                        ": # nothing to do; it sees the host's interfaces"));
                return out;
            }
            case NetnsMode.Joined j -> {
                out.add(step(
                        "container " + s.name() + " joins the namespace of container "
                                + j.sandboxId().substring(0, 12)
                                + " (network mode container:): same interfaces, addresses and ports; nothing is created",
                        ": # nothing to do"));
                return out;
            }
            case NetnsMode.External x -> {
                String ns = Path.of(x.path()).getFileName().toString();
                out.add(step(
                        "the namespace " + x.path()
                                + " belongs to another runtime (CNI or Docker), which made it and will delete it;"
                                + " Berth only adds its endpoint and published ports",
                        ": # nothing to create; `ip -n " + ns + "` reaches it when it is under /run/netns"));
                endpointsAndPorts(s, ns, endpoints, networks, out);
                return out;
            }
            case NetnsMode.Own own -> {
                String ns = Path.of(own.path()).getFileName().toString();
                out.add(step(
                        "a network namespace for container " + s.name() + ", named so `ip netns` sees it (/run/netns/"
                                + ns + ")",
                        "ip netns add " + ns));
                out.add(step("its loopback", "ip -n " + ns + " link set lo up"));
                endpointsAndPorts(s, ns, endpoints, networks, out);
                return out;
            }
        }
    }

    private void endpointsAndPorts(
            Sandbox s,
            String ns,
            List<Endpoint> endpoints,
            Function<String, Network> networks,
            List<ExplainedStep> out) {
        List<Endpoint> eps = new ArrayList<>(endpoints);
        eps.sort(Comparator.comparing(Endpoint::ifName));
        for (Endpoint e : eps) endpoint(ns, e, networks.apply(e.networkId()), out);
        List<PortRule> ports = portRules(s, eps, networks);
        if (!ports.isEmpty()) {
            if (firewall == FirewallKind.NFTABLES) nftPorts(ports, out);
            else IptablesCommands.ports(ports, out);
        }
    }

    private static void endpoint(String ns, Endpoint e, Network n, List<ExplainedStep> out) {
        String veth = e.hostIfName(), br = n.device(), ifn = e.ifName();
        EndpointGuard g = guard(n, e);
        if (g != null)
            for (String line : NftScript.addGuards(List.of(g)).split("\n"))
                out.add(step(describeGuard(line, g), nftCommand(line)));
        out.add(step(
                "a veth pair: " + veth + " on the host, a port of " + br + ", and " + ifn + " born inside " + ns
                        + " with MAC " + e.mac() + " (its other end)",
                "ip link add " + veth + " mtu " + n.mtu() + " master " + br + " up type veth peer name " + ifn
                        + " netns " + ns + " address " + e.mac() + " mtu " + n.mtu()));
        out.add(step(
                "hairpin on the bridge port: the container can reach itself through a published port",
                "bridge link set dev " + veth + " hairpin on"));
        out.add(step(
                "no IPv6 link-local address on the bridge port (it would only add DAD and MLD noise on the bridge)",
                "ip link set " + veth + " addrgenmode none"));
        if (e.ipv6() == null)
            out.add(step(
                    "nor on " + ifn + ": the endpoint has no IPv6",
                    "ip -n " + ns + " link set " + ifn + " addrgenmode none"));
        if (e.ipv4() != null)
            out.add(step(
                    "the container's address on " + n.name(),
                    "ip -n " + ns + " addr add " + n.ipv4().subnet().withHost(e.ipv4()) + " dev " + ifn));
        if (e.ipv6() != null)
            out.add(step(
                    "the container's IPv6 address on " + n.name(),
                    "ip -n " + ns + " -6 addr add " + n.ipv6Subnet().subnet().withHost(e.ipv6()) + " dev " + ifn
                            + " nodad"));
        out.add(step("bring " + ifn + " up", "ip -n " + ns + " link set " + ifn + " up"));
        // The endpoint the sandbox was created with (eth0) carries the default route; later connects add none.
        if (ifn.equals("eth0")) {
            SubnetConfig v4 = n.ipv4(), v6 = n.ipv6Subnet();
            if (v4 != null && v4.gateway() != null && e.ipv4() != null)
                out.add(step(
                        "the default route leaves through the bridge's gateway address",
                        "ip -n " + ns + " route add default via " + IpPrefix.format(v4.gateway()) + " dev " + ifn));
            if (v6 != null && v6.gateway() != null && e.ipv6() != null)
                out.add(step(
                        "the IPv6 default route",
                        "ip -n " + ns + " -6 route add default via " + IpPrefix.format(v6.gateway()) + " dev " + ifn));
        }
    }

    // ------------------------------------------------------------------ nftables

    private static void nftNetwork(NetworkRules rules, List<ExplainedStep> out) {
        out.add(step(
                "Berth's nftables tables, inet berth (NAT, forwarding) and bridge berth (icc, anti-spoofing): fixed rules over sets and maps"
                        + " (created once per host, at start; every network and port after that is only an element)",
                "nft -f - <<'EOF'\n" + NftScript.init() + "EOF"));
        for (String line : NftScript.addNetwork(rules).split("\n")) {
            if (line.isBlank()) continue;
            out.add(step(describeElement(line, rules), nftCommand(line)));
        }
    }

    private static void nftPorts(List<PortRule> ports, List<ExplainedStep> out) {
        String[] lines = NftScript.addPorts(ports).split("\n");
        for (int i = 0; i < lines.length; i++)
            out.add(step(
                    "publish " + ports.get(i) + ": DNAT for packets to the host (create fails if the port is taken)",
                    nftCommand(lines[i])));
    }

    /** {@code nft add element inet berth bridges '{ "br0" }'}: the script line, its set part quoted for the shell. */
    static String nftCommand(String scriptLine) {
        int brace = scriptLine.indexOf(" {");
        if (brace < 0) return "nft '" + scriptLine + "'";
        return "nft " + scriptLine.substring(0, brace) + " '" + scriptLine.substring(brace + 1) + "'";
    }

    private static String describeElement(String line, NetworkRules r) {
        String[] w = line.split(" ");
        String set = w.length > 4 ? w[4] : "";
        String subnets = r.subnets().stream()
                .map(Cidr::toString)
                .reduce((a, b) -> a + ", " + b)
                .orElse("");
        return switch (set) {
            case "bridges" ->
                r.bridge() + " is one of Berth's bridges: forwarding into it takes only replies and published ports";
            case "loops" ->
                "traffic routed from " + r.bridge() + " back into it is allowed (containers of one network, hairpin)";
            case "internal" -> r.bridge() + " is internal: nothing goes in or out";
            case "subnets4", "subnets6" ->
                "a Berth subnet (" + subnets + "): hairpin replies are masqueraded back through the host";
            case "masq4", "masq6" -> "masquerade the subnet when its packets leave by another interface (outbound NAT)";
            case "no_icc4", "no_icc6" -> "containers of the subnet may not talk to each other (enable_icc=false)";
            default -> "network element";
        };
    }

    /** What one anti-spoofing element means, from its set's name. */
    private static String describeGuard(String line, EndpointGuard g) {
        String[] w = line.split(" ");
        String set = w.length > 4 ? w[4] : "";
        String from = "anti-spoofing: frames entering the bridge by " + g.port();
        return switch (set) {
            case "guarded" ->
                from + " are checked before they are bridged or routed (" + BridgeOptions.ANTI_SPOOFING
                        + "=false turns this off)";
            case "guard_mac" -> from + " must come from MAC " + g.mac() + ", in the Ethernet header and as ARP sender";
            case "guard4" -> from + " with IPv4 (and ARP) must come from " + IpPrefix.format(g.ipv4());
            case "guard6" ->
                line.contains(" . fe80:")
                        ? from + " may use the link-local address the kernel derives from its MAC (neighbour discovery)"
                        : from + " with IPv6 must come from " + IpPrefix.format(g.ipv6())
                                + " (or the link-local address)";
            default -> "anti-spoofing element";
        };
    }

    // ------------------------------------------------------------------ derivations shared with the engine

    /** The endpoint's anti-spoofing, as the engine derives it (Engine.guardOf); null when the network turned it off. */
    static EndpointGuard guard(Network n, Endpoint e) {
        if (!n.isBridge() || e.hostIfName() == null || !n.bridgeOptions().antiSpoofing()) return null;
        return new EndpointGuard(e.hostIfName(), e.mac(), e.ipv4(), e.ipv6());
    }

    /** The firewall's view of a network, as the engine derives it (Engine.rules). */
    static NetworkRules rules(Network n) {
        List<Cidr> subnets = n.subnets().stream().map(SubnetConfig::subnet).toList();
        BridgeOptions o = n.bridgeOptions();
        return new NetworkRules(
                n.id().substring(0, 12), n.device(), subnets, o.masquerade() && !n.internal(), o.icc(), n.internal());
    }

    /** Published ports, DNAT to the first endpoint with IPv4, as the engine derives them (Engine.portRules). */
    static List<PortRule> portRules(Sandbox s, List<Endpoint> endpoints, Function<String, Network> networks) {
        if (s.ports().isEmpty()) return List.of();
        Endpoint target = null;
        for (Endpoint e : endpoints) {
            if (e.ipv4() != null) {
                target = e;
                break;
            }
        }
        if (target == null) return List.of();
        Network n = networks.apply(target.networkId());
        InetAddress defaultIp = n.bridgeOptions().defaultHostIp();
        List<PortRule> out = new ArrayList<>();
        for (PortMapping m : s.ports())
            out.add(new PortRule(
                    n.device(),
                    m.protocol(),
                    m.hostIp() != null ? m.hostIp() : defaultIp,
                    m.hostPort(),
                    target.ipv4(),
                    m.containerPort()));
        return out;
    }

    /** sysctl keys use '/' as the separator when an interface name has a dot. */
    private static String sysctlPath(String dotted, String ifname) {
        return ifname.contains(".") ? dotted.replace('.', '/').replace(ifname.replace('.', '/'), ifname) : dotted;
    }

    static ExplainedStep step(String what, String command) {
        return new ExplainedStep(what, command);
    }
}
