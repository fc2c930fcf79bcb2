package dev.berth.engine.explain;

import dev.berth.engine.firewall.NetworkRules;
import dev.berth.engine.firewall.PortRule;
import dev.berth.model.net.Cidr;
import dev.berth.model.net.IpPrefix;
import java.util.List;

/**
 * The iptables driver's work as {@code iptables} commands: the same chains, jumps and rules that
 * IptablesFirewall writes with iptables-restore (a test compares {@code iptables-save} of both).
 */
final class IptablesCommands {
    static final String FORWARD = "BERTH-FORWARD", ISOLATION = "BERTH-ISOLATION", INPUT = "BERTH-INPUT";
    static final String DNAT = "BERTH", POSTROUTING = "BERTH-POSTROUTING";

    private IptablesCommands() {}

    static void network(NetworkRules n, List<ExplainedStep> out) {
        base(out);
        String b = n.bridge(), tag = " -m comment --comment berth:" + n.key();
        if (n.internal()) {
            out.add(Explainer.step(
                    b + " is internal: nothing leaves it",
                    "iptables -A " + ISOLATION + " -i " + b + " ! -o " + b + tag + " -j DROP"));
            out.add(Explainer.step(
                    "and nothing enters it",
                    "iptables -A " + ISOLATION + " ! -i " + b + " -o " + b + tag + " -j DROP"));
            out.add(Explainer.step(
                    "its containers talk to each other",
                    "iptables -A " + FORWARD + " -i " + b + " -o " + b + tag + " -j ACCEPT"));
        } else {
            out.add(Explainer.step(
                    "into " + b + " from elsewhere: only replies and published (DNAT'd) connections",
                    "iptables -A " + ISOLATION + " ! -i " + b + " -o " + b + tag
                            + " -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP"));
            out.add(Explainer.step(
                    "replies to the containers' connections come back in",
                    "iptables -A " + FORWARD + " -o " + b + tag
                            + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"));
            out.add(Explainer.step(
                    "published ports come in",
                    "iptables -A " + FORWARD + " -o " + b + tag + " -m conntrack --ctstate DNAT -j ACCEPT"));
            out.add(Explainer.step(
                    "the containers may go anywhere", "iptables -A " + FORWARD + " -i " + b + tag + " -j ACCEPT"));
        }
        if (!n.icc())
            out.add(Explainer.step(
                    "containers of " + b
                            + " may not talk to each other (enable_icc=false; needs br_netfilter, as with Docker)",
                    "iptables -I " + ISOLATION + " 1 -i " + b + " -o " + b + tag
                            + " -m conntrack ! --ctstate DNAT -j DROP"));
        for (Cidr s : n.subnets()) {
            if (n.masqueraded())
                out.add(Explainer.step(
                        "outbound NAT: " + s + " is masqueraded when it leaves by another interface",
                        "iptables -t nat -A " + POSTROUTING + " -s " + s + " ! -o " + b + tag + " -j MASQUERADE"));
            out.add(Explainer.step(
                    "hairpin: a container reaching a published port of its own bridge is masqueraded, so replies return through the host",
                    "iptables -t nat -A " + POSTROUTING + " -s " + s + " -o " + b + tag
                            + " -m conntrack --ctstate DNAT -j MASQUERADE"));
        }
        out.add(Explainer.step(
                "a published port reached via 127.0.0.1 is masqueraded to the bridge",
                "iptables -t nat -A " + POSTROUTING + " -s 127.0.0.0/8 -o " + b + tag
                        + " -m conntrack --ctstate DNAT -j MASQUERADE"));
    }

    /** Berth's chains and the jumps to them (once per host: the engine creates them at start). */
    private static void base(List<ExplainedStep> out) {
        String once = " (once per host: Berth does this at start)";
        out.add(Explainer.step(
                "Berth's filter chains, laid out like Docker's" + once,
                "iptables -N " + FORWARD + " && iptables -N " + ISOLATION + " && iptables -N " + INPUT));
        out.add(Explainer.step(
                "Berth's nat chains: DNAT for published ports, MASQUERADE per subnet" + once,
                "iptables -t nat -N " + DNAT + " && iptables -t nat -N " + POSTROUTING));
        out.add(Explainer.step(
                "forwarded packets pass the isolation rules first" + once,
                "iptables -A " + FORWARD + " -j " + ISOLATION));
        out.add(Explainer.step(
                "with route_localnet=1 the host would accept 127/8 from others: drop it unless DNAT'd" + once,
                "iptables -A " + INPUT + " -d 127.0.0.0/8 ! -i lo -m conntrack ! --ctstate DNAT -j DROP"));
        out.add(Explainer.step(
                "jumps from the built-in chains" + once,
                "iptables -I FORWARD 1 -j " + FORWARD + " && iptables -I INPUT 1 -j " + INPUT
                        + " && iptables -t nat -I PREROUTING 1 ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j " + DNAT
                        + " && iptables -t nat -I OUTPUT 1 -m addrtype --dst-type LOCAL -j " + DNAT
                        + " && iptables -t nat -I POSTROUTING 1 -j " + POSTROUTING));
    }

    static void ports(List<PortRule> ports, List<ExplainedStep> out) {
        for (PortRule p : ports) {
            String match = (p.hostIp() == null ? "" : "-d " + IpPrefix.format(p.hostIp()) + "/32 ") + "-p "
                    + p.protocol().id() + " -m " + p.protocol().id() + " --dport " + p.hostPort();
            String rule =
                    match + " -j DNAT --to-destination " + IpPrefix.format(p.containerIp()) + ":" + p.containerPort();
            out.add(Explainer.step(
                    "publish " + p
                            + (p.hostIp() == null
                                    ? ""
                                    : " (a specific address goes first, so it wins over a wildcard)"),
                    "iptables -t nat " + (p.hostIp() == null ? "-A " + DNAT + " " : "-I " + DNAT + " 1 ") + rule));
        }
    }
}
