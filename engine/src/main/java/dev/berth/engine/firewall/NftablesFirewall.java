package dev.berth.engine.firewall;

import dev.berth.model.BerthException;
import dev.berth.netlink.ns.NetnsHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The default firewall: nftables through libnftables, inside one network namespace. Each method runs
 * one script as one nf_tables transaction, so it happens entirely or not at all. The rules are in
 * {@link NftScript}; this class runs them and turns failures into {@link BerthException}s.
 *
 * <p>The host namespace needs {@code net.ipv4.ip_forward=1} (and {@code net.ipv6.conf.all.forwarding=1}
 * for IPv6), and {@code net.ipv4.conf.<bridge>.route_localnet=1} for ports to be reachable from the host
 * via 127.0.0.1; the firewall sets no sysctl itself.
 *
 * <p>icc=false matches the network's addresses in {@code table bridge berth} (this kernel has no
 * {@code meta ibrname}): IPv4, ARP and the IPv6 subnets are blocked between containers, IPv6
 * link-local is not. With br_netfilter on, a published port reached from the same icc=false bridge is
 * bridged rather than routed and is dropped too, as with Docker.
 */
public final class NftablesFirewall implements Firewall {
    private final NftSession nft;

    /** A firewall acting in {@code netns} (not closed by this firewall); throws Unsupported without libnftables. */
    public NftablesFirewall(NetnsHandle netns) {
        this.nft = new NftSession(netns);
    }

    @Override
    public synchronized void init() {
        nft.apply("init", NftScript.init());
    }

    @Override
    public synchronized void sync(List<NetworkRules> networks, List<PortRule> ports, List<EndpointGuard> guards) {
        PortRule.requireDistinct(ports);
        nft.apply("sync", NftScript.sync(networks, ports, guards));
    }

    @Override
    public synchronized void addNetwork(NetworkRules network) {
        nft.apply("add network " + network.key(), NftScript.addNetwork(network));
    }

    @Override
    public synchronized void removeNetwork(NetworkRules network) {
        nft.apply("remove network " + network.key(), NftScript.removeNetwork(network));
    }

    @Override
    public synchronized void addPorts(List<PortRule> ports) {
        addGuardsAndPorts(List.of(), ports);
    }

    /** One script, one transaction: the guards' elements are plain adds, so only a taken port can fail it. */
    @Override
    public synchronized void addGuardsAndPorts(List<EndpointGuard> guards, List<PortRule> ports) {
        if (ports.isEmpty()) {
            addGuards(guards);
            return;
        }
        PortRule.requireDistinct(ports);
        LibNftables.Result r = nft.run(NftScript.addGuards(guards) + NftScript.addPorts(ports));
        if (r.ok()) return;
        if (r.error().contains("File exists")) {
            // nft 1.0.6 blames the wrong line of a batch of element commands, so ask which keys exist
            // (read-only: the failed transaction changed nothing).
            List<String> taken = new ArrayList<>();
            for (PortRule p : ports) if (nft.run(NftScript.element(p).get()).ok()) taken.add(p.published());
            throw new BerthException.Conflict((taken.isEmpty() ? "one of " + describe(ports) : String.join(", ", taken))
                    + (taken.size() > 1 ? " are" : " is") + " already published; no port was published");
        }
        throw NftSession.failure("publish " + describe(ports), r);
    }

    @Override
    public synchronized void removePorts(List<PortRule> ports) {
        removeGuardsAndPorts(List.of(), ports);
    }

    @Override
    public synchronized void removeGuardsAndPorts(List<EndpointGuard> guards, List<PortRule> ports) {
        if (ports.isEmpty()) {
            removeGuards(guards);
            return;
        }
        LibNftables.Result r = nft.run(NftScript.removePorts(ports) + NftScript.removeGuards(guards));
        if (r.ok()) return;
        if (r.error().contains("File exists")) // the add-before-delete met the key with another destination
        throw new BerthException.Failed(
                    "cannot unpublish " + ports + ": a port with the same key leads elsewhere; "
                            + "nothing was changed: " + r.error().strip(),
                    null);
        throw NftSession.failure("unpublish " + describe(ports), r);
    }

    @Override
    public synchronized void addGuards(List<EndpointGuard> guards) {
        if (guards.isEmpty()) return;
        nft.addGuards("guard " + ports(guards), guards);
    }

    @Override
    public synchronized void removeGuards(List<EndpointGuard> guards) {
        if (guards.isEmpty()) return;
        nft.removeGuards("unguard " + ports(guards), guards);
    }

    @Override
    public synchronized void removeAll() {
        nft.apply("remove Berth's tables", NftScript.removeAll());
    }

    /** Frees the libnftables context; the namespace handle stays the caller's. */
    @Override
    public synchronized void close() {
        nft.close();
    }

    static String describe(List<PortRule> ports) {
        return ports.stream().map(PortRule::published).toList().toString();
    }

    static String ports(List<EndpointGuard> guards) {
        return guards.stream().map(EndpointGuard::port).toList().toString();
    }
}
