package dev.berth.engine.firewall;

import dev.berth.model.BerthException;
import dev.berth.netlink.ns.NetnsHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * A firewall for hosts managed with iptables: Berth's chains (see {@link IptablesScript}) written with
 * {@code iptables-restore --noflush}, one atomic restore per change, inside one network namespace.
 * Each change first reads {@code iptables-save} to find what is there. IPv4 only; published ports cost
 * one DNAT rule each (the nftables driver uses maps instead). icc=false needs br_netfilter, as with Docker.
 *
 * <p>Anti-spoofing is the one part written with nftables ({@code table bridge berth}, the same sets and
 * rules as the nftables driver's, see {@link NftScript#guardInit}): it must see Ethernet and ARP headers,
 * which iptables never does, and ebtables, the iptables-era tool for them, has no sets, so it would cost a
 * rule per endpoint and a linear walk per frame. On Debian 12 iptables and ebtables are nf_tables
 * front-ends themselves, so this adds no other kernel machinery.
 */
public final class IptablesFirewall implements Firewall {
    private final Iptables iptables;
    private final NftSession nft;

    /** A firewall acting in {@code netns} (not closed by this firewall); throws Unsupported without libnftables. */
    public IptablesFirewall(NetnsHandle netns) {
        this.iptables = new Iptables(netns);
        this.nft = new NftSession(netns);
    }

    @Override
    public synchronized void init() {
        apply(script().ensureBase());
        nft.apply("init anti-spoofing", NftScript.guardInit());
    }

    @Override
    public synchronized void sync(List<NetworkRules> networks, List<PortRule> ports, List<EndpointGuard> guards) {
        PortRule.requireDistinct(ports);
        IptablesScript s = script().rebuildBase();
        networks.forEach(s::addNetwork);
        ports.forEach(s::addPort);
        apply(s);
        nft.apply("sync anti-spoofing", NftScript.guardSync(guards));
    }

    /** Adds the network's rules, replacing any Berth wrote earlier for the same key. */
    @Override
    public synchronized void addNetwork(NetworkRules network) {
        apply(script().ensureBase().removeNetwork(network).addNetwork(network));
    }

    @Override
    public synchronized void removeNetwork(NetworkRules network) {
        apply(script().removeNetwork(network));
    }

    @Override
    public synchronized void addPorts(List<PortRule> ports) {
        if (ports.isEmpty()) return;
        PortRule.requireDistinct(ports);
        IptablesScript s = script();
        List<String> taken = new ArrayList<>();
        for (PortRule p : ports)
            if (s.saved().published().stream().anyMatch(x -> x.sameKey(p))) taken.add(p.published());
        if (!taken.isEmpty())
            throw new BerthException.Conflict(String.join(", ", taken) + (taken.size() > 1 ? " are" : " is")
                    + " already published; no port was published");
        s.ensureBase();
        ports.forEach(s::addPort);
        apply(s);
    }

    /** Removes the ports; one that is not published is skipped, one published to another destination fails. */
    @Override
    public synchronized void removePorts(List<PortRule> ports) {
        IptablesScript s = script();
        for (PortRule p : ports) {
            for (IptablesScript.Published x : s.saved().published()) {
                if (!x.sameKey(p)) continue;
                if (!x.sameDestination(p))
                    throw new BerthException.Failed(
                            "cannot unpublish " + p + ": it is published to " + x.destination()
                                    + "; nothing was changed",
                            null);
                s.deleteLine("nat", x.line());
            }
        }
        apply(s);
    }

    @Override
    public synchronized void addGuards(List<EndpointGuard> guards) {
        if (guards.isEmpty()) return;
        nft.addGuards("guard " + NftablesFirewall.ports(guards), guards);
    }

    @Override
    public synchronized void removeGuards(List<EndpointGuard> guards) {
        if (guards.isEmpty()) return;
        nft.removeGuards("unguard " + NftablesFirewall.ports(guards), guards);
    }

    @Override
    public synchronized void removeAll() {
        apply(script().removeAll());
        nft.apply("remove the anti-spoofing table", NftScript.removeGuardTable());
    }

    /** Frees the libnftables context; the namespace handle stays the caller's. */
    @Override
    public synchronized void close() {
        nft.close();
    }

    private IptablesScript script() {
        return new IptablesScript(IptablesScript.Saved.parse(iptables.save()));
    }

    private void apply(IptablesScript s) {
        if (!s.isEmpty()) iptables.restore(s.text());
    }
}
