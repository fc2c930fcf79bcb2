package dev.berth.engine.firewall;

import dev.berth.model.BerthException;
import dev.berth.model.net.Cidr;
import dev.berth.model.net.IpPrefix;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * iptables-restore scripts for Berth's chains, laid out like Docker's so iptables tutorials apply:
 * filter BERTH-FORWARD (accepts) and BERTH-ISOLATION (drops) jumped to from FORWARD, BERTH-INPUT from
 * INPUT; nat BERTH (one DNAT rule per published port) jumped to from PREROUTING and OUTPUT for local
 * destinations, and BERTH-POSTROUTING (MASQUERADE per subnet). Network rules carry the comment
 * {@code berth:<key>} so they can be found and removed exactly; the only rules outside Berth's chains
 * are the jumps, found by their targets. Each script is built against the current {@code iptables-save}.
 */
final class IptablesScript {
    static final String FORWARD = "BERTH-FORWARD", ISOLATION = "BERTH-ISOLATION", INPUT = "BERTH-INPUT";
    static final String DNAT = "BERTH", POSTROUTING = "BERTH-POSTROUTING";
    private static final List<String> FILTER_CHAINS = List.of(FORWARD, ISOLATION, INPUT);
    private static final List<String> NAT_CHAINS = List.of(DNAT, POSTROUTING);

    /** Jumps from built-in chains, as iptables-save prints them: table, chain, rule spec. */
    private record Jump(String table, String chain, String spec) {}

    private static final List<Jump> JUMPS = List.of(
            new Jump("filter", "FORWARD", "-j " + FORWARD),
            new Jump("filter", "INPUT", "-j " + INPUT),
            // Loopback destinations only from the host itself (OUTPUT), never from outside.
            new Jump("nat", "PREROUTING", "! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j " + DNAT),
            new Jump("nat", "OUTPUT", "-m addrtype --dst-type LOCAL -j " + DNAT),
            new Jump("nat", "POSTROUTING", "-j " + POSTROUTING));

    /** Fixed rules of a chain, written when Berth creates (or sync rewrites) the chain. */
    private static List<String> fixedRules(String chain) {
        return switch (chain) {
            case FORWARD -> List.of("-A " + FORWARD + " -j " + ISOLATION);
            // With route_localnet=1 the kernel would accept 127/8 from other machines and containers.
            case INPUT -> List.of("-A " + INPUT + " -d 127.0.0.0/8 ! -i lo -m conntrack ! --ctstate DNAT -j DROP");
            default -> List.of();
        };
    }

    /** A restore script being assembled, one section per table; chain declarations must precede rules. */
    private final Map<String, List<String>> declarations = new LinkedHashMap<>();

    private final Map<String, List<String>> tables = new LinkedHashMap<>();
    private final Saved saved;

    IptablesScript(Saved saved) {
        this.saved = saved;
        for (String t : List.of("filter", "nat")) {
            declarations.put(t, new ArrayList<>());
            tables.put(t, new ArrayList<>());
        }
    }

    Saved saved() {
        return saved;
    }

    String text() {
        StringBuilder s = new StringBuilder();
        tables.forEach((t, lines) -> {
            List<String> decls = declarations.get(t);
            if (lines.isEmpty() && decls.isEmpty()) return;
            s.append('*').append(t).append('\n');
            decls.forEach(l -> s.append(l).append('\n'));
            lines.forEach(l -> s.append(l).append('\n'));
            s.append("COMMIT\n");
        });
        return s.toString();
    }

    boolean isEmpty() {
        return tables.values().stream().allMatch(List::isEmpty)
                && declarations.values().stream().allMatch(List::isEmpty);
    }

    private void line(String table, String l) {
        tables.get(table).add(l);
    }

    /** Creates missing chains (with their fixed rules) and jumps; keeps chains that exist as they are. */
    IptablesScript ensureBase() {
        for (String c : FILTER_CHAINS) if (!saved.hasChain("filter", c)) declare("filter", c);
        for (String c : NAT_CHAINS) if (!saved.hasChain("nat", c)) declare("nat", c);
        for (Jump j : JUMPS)
            if (saved.jumps(j.table, j.chain, j.spec).isEmpty()) line(j.table, "-I " + j.chain + " 1 " + j.spec);
        return this;
    }

    /** Empties (or creates) all of Berth's chains and rewrites their fixed rules; jumps kept or added once. */
    IptablesScript rebuildBase() {
        for (String c : FILTER_CHAINS) declare("filter", c);
        for (String c : NAT_CHAINS) declare("nat", c);
        for (Jump j : JUMPS) {
            List<String> present = saved.jumps(j.table, j.chain, j.spec);
            if (present.isEmpty()) line(j.table, "-I " + j.chain + " 1 " + j.spec);
            for (String extra : present.subList(Math.min(1, present.size()), present.size()))
                line(j.table, "-D" + extra.substring(2));
        }
        return this;
    }

    // Declaring a user chain in a --noflush restore creates it, or empties it when it exists.
    private void declare(String table, String chain) {
        declarations.get(table).add(":" + chain + " - [0:0]");
        fixedRules(chain).forEach(r -> line(table, r));
    }

    /** Deletes the jumps Berth inserted and then Berth's chains. */
    IptablesScript removeAll() {
        for (Jump j : JUMPS)
            for (String l : saved.jumps(j.table, j.chain, j.spec)) line(j.table, "-D" + l.substring(2));
        for (String c : FILTER_CHAINS) if (saved.hasChain("filter", c)) line("filter", "-F " + c);
        for (String c : NAT_CHAINS) if (saved.hasChain("nat", c)) line("nat", "-F " + c);
        for (String c : FILTER_CHAINS) if (saved.hasChain("filter", c)) line("filter", "-X " + c);
        for (String c : NAT_CHAINS) if (saved.hasChain("nat", c)) line("nat", "-X " + c);
        return this;
    }

    /** Appends the network's rules (callers remove an older copy first). */
    IptablesScript addNetwork(NetworkRules n) {
        requireIpv4(n);
        String b = n.bridge(), tag = " -m comment --comment " + comment(n);
        if (n.internal()) {
            line("filter", "-A " + ISOLATION + " -i " + b + " ! -o " + b + tag + " -j DROP");
            line("filter", "-A " + ISOLATION + " ! -i " + b + " -o " + b + tag + " -j DROP");
            line("filter", "-A " + FORWARD + " -i " + b + " -o " + b + tag + " -j ACCEPT");
        } else {
            // Into the bridge from elsewhere: only replies and published (DNAT'd) connections.
            // Containers on other hosts of the cluster reach this bridge by their own addresses.
            for (Cidr k : n.cluster())
                for (Cidr s : n.subnets())
                    if (k.isIpv4() && s.isIpv4())
                        line(
                                "filter",
                                "-A " + ISOLATION + " -s " + k + " -d " + s + " ! -i " + b + " -o " + b + tag
                                        + " -j RETURN");
            line(
                    "filter",
                    "-A " + ISOLATION + " ! -i " + b + " -o " + b + tag
                            + " -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP");
            line(
                    "filter",
                    "-A " + FORWARD + " -o " + b + tag + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
            line("filter", "-A " + FORWARD + " -o " + b + tag + " -m conntrack --ctstate DNAT -j ACCEPT");
            line("filter", "-A " + FORWARD + " -i " + b + tag + " -j ACCEPT");
            for (Cidr k : n.cluster())
                for (Cidr s : n.subnets())
                    if (k.isIpv4() && s.isIpv4())
                        line("filter", "-A " + FORWARD + " -s " + k + " -d " + s + " -o " + b + tag + " -j ACCEPT");
        }
        // Seen only for bridged traffic when br_netfilter is loaded, as with Docker.
        if (!n.icc())
            line(
                    "filter",
                    "-I " + ISOLATION + " 1 -i " + b + " -o " + b + tag + " -m conntrack ! --ctstate DNAT -j DROP");
        for (Cidr s : n.subnets()) {
            if (!n.internal())
                for (Cidr k : n.cluster())
                    if (k.isIpv4() && s.isIpv4())
                        line("nat", "-A " + POSTROUTING + " -s " + s + " -d " + k + tag + " -j RETURN");
            if (n.masqueraded()) line("nat", "-A " + POSTROUTING + " -s " + s + " ! -o " + b + tag + " -j MASQUERADE");
            line(
                    "nat",
                    "-A " + POSTROUTING + " -s " + s + " -o " + b + tag + " -m conntrack --ctstate DNAT -j MASQUERADE");
        }
        line(
                "nat",
                "-A " + POSTROUTING + " -s 127.0.0.0/8 -o " + b + tag + " -m conntrack --ctstate DNAT -j MASQUERADE");
        return this;
    }

    /** Deletes every rule carrying the network's comment, as iptables-save printed it. */
    IptablesScript removeNetwork(NetworkRules n) {
        // iptables-save prints the comment quoted: --comment "berth:KEY"
        Pattern tag = Pattern.compile(" --comment \"?" + Pattern.quote(comment(n)) + "\"?( |$)");
        for (String table : List.of("filter", "nat"))
            for (String l : saved.rules(table)) if (tag.matcher(l).find()) line(table, "-D" + l.substring(2));
        return this;
    }

    /** One DNAT rule per port; a specific host address goes first so it wins over a wildcard. */
    IptablesScript addPort(PortRule p) {
        requireIpv4(p);
        String match = (p.hostIp() == null ? "" : "-d " + IpPrefix.format(p.hostIp()) + "/32 ") + "-p "
                + p.protocol().id() + " -m " + p.protocol().id() + " --dport " + p.hostPort();
        String rule = match + " -j DNAT --to-destination " + IpPrefix.format(p.containerIp()) + ":" + p.containerPort();
        line("nat", p.hostIp() == null ? "-A " + DNAT + " " + rule : "-I " + DNAT + " 1 " + rule);
        return this;
    }

    IptablesScript deleteLine(String table, String savedRule) {
        line(table, "-D" + savedRule.substring(2));
        return this;
    }

    static String comment(NetworkRules n) {
        return "berth:" + n.key();
    }

    private static void requireIpv4(NetworkRules n) {
        for (Cidr c : n.subnets())
            if (!c.isIpv4())
                throw new BerthException.Unsupported(
                        "the iptables firewall driver handles IPv4 only; " + "network " + n.key() + " has " + c
                                + " (use the nftables driver for IPv6)",
                        null);
    }

    private static void requireIpv4(PortRule p) {
        if (p.ipv6())
            throw new BerthException.Unsupported(
                    "the iptables firewall driver handles IPv4 only; " + "cannot publish " + p
                            + " (use the nftables driver for IPv6)",
                    null);
    }

    /** The parts of an iptables-save dump Berth reads: chains and rules per table. */
    record Saved(Map<String, List<String>> chains, Map<String, List<String>> rules) {
        static Saved parse(String dump) {
            Map<String, List<String>> chains = new LinkedHashMap<>(), rules = new LinkedHashMap<>();
            String table = null;
            for (String raw : dump.split("\n")) {
                String l = raw.strip();
                if (l.startsWith("*")) {
                    table = l.substring(1);
                    chains.putIfAbsent(table, new ArrayList<>());
                    rules.putIfAbsent(table, new ArrayList<>());
                } else if (table != null && l.startsWith(":")) {
                    chains.get(table).add(l.substring(1).split(" ")[0]);
                } else if (table != null && l.startsWith("-A ")) {
                    rules.get(table).add(l);
                }
            }
            return new Saved(chains, rules);
        }

        boolean hasChain(String table, String chain) {
            return chains.getOrDefault(table, List.of()).contains(chain);
        }

        List<String> rules(String table) {
            return rules.getOrDefault(table, List.of());
        }

        List<String> jumps(String table, String chain, String spec) {
            String target = spec.substring(spec.lastIndexOf("-j "));
            return rules(table).stream()
                    .filter(l -> l.startsWith("-A " + chain + " ") && l.endsWith(" " + target))
                    .toList();
        }

        /** Berth's DNAT rules with the port each publishes. */
        List<Published> published() {
            List<Published> out = new ArrayList<>();
            for (String l : rules("nat")) {
                if (!l.startsWith("-A " + DNAT + " ") || !l.contains(" -j DNAT ")) continue;
                String[] t = l.split(" ");
                String host = null, proto = null, dport = null, to = null;
                for (int i = 0; i + 1 < t.length; i++) {
                    switch (t[i]) {
                        case "-d" -> host = t[i + 1].replace("/32", "");
                        case "-p" -> proto = t[i + 1];
                        case "--dport" -> dport = t[i + 1];
                        case "--to-destination" -> to = t[i + 1];
                        default -> {}
                    }
                }
                if (proto != null && dport != null && to != null)
                    out.add(new Published(l, host, proto, Integer.parseInt(dport), to));
            }
            return out;
        }
    }

    /** One published port as found in iptables-save: the rule line and its key and destination. */
    record Published(String line, String hostIp, String protocol, int hostPort, String destination) {
        boolean sameKey(PortRule p) {
            String h = p.hostIp() == null ? null : IpPrefix.format(p.hostIp());
            return protocol.equals(p.protocol().id()) && hostPort == p.hostPort() && Objects.equals(hostIp, h);
        }

        boolean sameDestination(PortRule p) {
            return destination.equals(IpPrefix.format(p.containerIp()) + ":" + p.containerPort());
        }
    }
}
