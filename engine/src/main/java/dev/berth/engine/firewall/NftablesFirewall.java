package dev.berth.engine.firewall;

import dev.berth.model.BerthException;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.nft.NftBatch;
import dev.berth.netlink.nft.NftFamily;
import dev.berth.netlink.ns.NetnsHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The default firewall: nftables, inside one network namespace. Each method is one nf_tables transaction,
 * so it happens entirely or not at all: the tables and rules ({@link NftScript}) go through libnftables;
 * networks, ports and guards, which are only set elements, go as netlink batches ({@link NftElements},
 * {@link NftGuards}) whose cost does not grow with what the sets hold. This class turns failures into
 * {@link BerthException}s.
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

    /** Over netlink ({@link NftElements}): libnftables would first read every element of the interval sets. */
    @Override
    public synchronized void addNetwork(NetworkRules network) {
        String what = "add network " + network.key();
        nft.commit(what, NftElements.add(new NftBatch(), NftElements.of(network), what));
    }

    @Override
    public synchronized void removeNetwork(NetworkRules network) {
        String what = "remove network " + network.key();
        nft.commit(what, NftElements.remove(new NftBatch(), NftElements.of(network), what));
    }

    @Override
    public synchronized void addPorts(List<PortRule> ports) {
        addGuardsAndPorts(List.of(), ports);
    }

    /**
     * One nf_tables transaction over netlink: the guards' elements are plain adds, the ports' are creates, so
     * only a taken port can fail it.
     */
    @Override
    public synchronized void addGuardsAndPorts(List<EndpointGuard> guards, List<PortRule> ports) {
        if (ports.isEmpty()) {
            addGuards(guards);
            return;
        }
        PortRule.requireDistinct(ports);
        NftBatch b = guardBatch(new NftBatch(), guards, false);
        NftElements.create(b, NftElements.of(ports), "publish");
        try {
            nft.commitOrThrow(b);
        } catch (NetlinkException.Exists e) {
            // Which keys exist (read-only: the failed transaction changed nothing)?
            List<String> taken = new ArrayList<>();
            for (PortRule p : ports) if (nft.run(NftScript.element(p).get()).ok()) taken.add(p.published());
            throw new BerthException.Conflict((taken.isEmpty() ? "one of " + describe(ports) : String.join(", ", taken))
                    + (taken.size() > 1 ? " are" : " is") + " already published; no port was published");
        } catch (NetlinkException e) {
            throw NftSession.failure("publish " + describe(ports), e);
        }
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
        NftBatch b = NftElements.remove(new NftBatch(), NftElements.of(ports), "unpublish");
        guardBatch(b, guards, true);
        try {
            nft.commitOrThrow(b);
        } catch (NetlinkException.Exists e) { // the add-before-delete met the key with another destination
            throw new BerthException.Failed(
                    "cannot unpublish " + ports + ": a port with the same key leads elsewhere; "
                            + "nothing was changed: " + e.getMessage(),
                    e);
        } catch (NetlinkException e) {
            throw NftSession.failure("unpublish " + describe(ports), e);
        }
    }

    /** The guards' elements added to (or, {@code remove}, added and then deleted from) the batch. */
    private static NftBatch guardBatch(NftBatch b, List<EndpointGuard> guards, boolean remove) {
        String what = remove ? "unguard" : "guard";
        var keys = NftGuards.keysBySet(guards);
        keys.forEach((set, k) -> b.addElements(NftFamily.BRIDGE, NftGuards.TABLE, set, k, what));
        if (remove) keys.forEach((set, k) -> b.deleteElements(NftFamily.BRIDGE, NftGuards.TABLE, set, k, what));
        return b;
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
