package dev.berth.engine.explain;

/** Which firewall driver the engine runs, so the explanation shows its rules. */
public enum FirewallKind {
    NFTABLES,
    IPTABLES
}
