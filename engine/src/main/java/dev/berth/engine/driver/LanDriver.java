package dev.berth.engine.driver;

import dev.berth.engine.model.LanOptions;
import dev.berth.engine.model.Network;
import dev.berth.engine.model.SubnetConfig;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.tx.Teardown;
import dev.berth.engine.tx.Transaction;
import dev.berth.model.BerthException;
import dev.berth.model.Endpoint;
import dev.berth.model.IpPrefix;
import dev.berth.model.MacAddress;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.NetlinkSocket.Request;
import dev.berth.netlink.route.AddrGenMode;
import dev.berth.netlink.route.Addresses;
import dev.berth.netlink.route.Link;
import dev.berth.netlink.route.Links;
import dev.berth.netlink.route.NewLink;
import dev.berth.netlink.route.Route;
import dev.berth.netlink.route.Routes;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * The kernel side of macvlan and ipvlan networks: containers sit directly on the parent's LAN. The
 * network itself is only its parent link (see {@link ParentLinks}); per endpoint a macvlan or ipvlan
 * link is created on the parent, in the host namespace, straight into the sandbox's namespace under
 * its final name (eth0, eth1, ...). Nothing is configured on the host: the gateway lives on the LAN,
 * and there is no NAT and no port publishing, as with Docker's drivers.
 */
public final class LanDriver implements NetworkDriver {
    private final HostKernel host;
    private final ParentLinks parents;

    public LanDriver(HostKernel host, ParentLinks parents) {
        this.host = host;
        this.parents = parents;
    }

    public ParentLinks parents() {
        return parents;
    }

    @Override
    public boolean takesEndpoints() {
        return true;
    }

    /** No: containers are on the LAN, with no NAT and no published ports (as with Docker's drivers). */
    @Override
    public boolean routedThroughHost() {
        return false;
    }

    /** What macvlan and ipvlan endpoints cannot do, refused before anything is allocated. */
    @Override
    public void validateEndpoint(Network n, EndpointRequest r, Supplier<List<Endpoint>> existing) {
        LanOptions o = n.lanOptions();
        if (o.sharesParentMac() && r.mac() != null && !r.mac().isBlank())
            throw new BerthException.InvalidRequest(
                    "EndpointConfig.MacAddress",
                    "endpoints of " + n.driver() + " network " + n.name() + (o.isPassthru() ? " (passthru mode)" : "")
                            + " carry the parent's MAC address; leave it out");
        if (o.isPassthru() && !existing.get().isEmpty())
            throw new BerthException.Conflict("network " + n.name()
                    + " is in passthru mode and already has an endpoint: passthru gives the parent " + n.device()
                    + " to one container");
    }

    /** With several subnets (ipvlan L3), the one holding the requested address, as Docker's IPAM picks it. */
    @Override
    public SubnetConfig ipv4SubnetFor(Network n, InetAddress requested) {
        if (requested == null) return n.ipv4();
        for (SubnetConfig s : n.subnets()) if (s.isIpv4() && s.subnet().contains(requested)) return s;
        return n.ipv4();
    }

    /** An endpoint that cannot have its own MAC address (ipvlan, macvlan passthru) gets the parent's. */
    @Override
    public MacAddress endpointMac(Network n, MacAddress wanted) {
        return n.lanOptions().sharesParentMac()
                ? host.rtnl().links().get(n.device()).mac()
                : wanted;
    }

    /** None: the endpoint's link lives in the sandbox only. */
    @Override
    public String hostIfName(String endpointId) {
        return null;
    }

    /** Makes sure the parent exists (creating a VLAN sub-interface or dummy when needed). */
    @Override
    public void createNetwork(Network n, boolean adopted, Transaction tx) {
        parents.ensure(n, tx);
    }

    /** Deletes the parent when Berth made it and no network in {@code remaining} uses it. */
    @Override
    public void removeNetwork(Network n, boolean adopted, Collection<Network> remaining, Teardown td) {
        td.step("parent", () -> parents.release(n, remaining));
    }

    /** Settles the parents Berth made: deletes those no network uses, re-creates those that vanished while in use. */
    @Override
    public void repair(Collection<Network> active, Collection<Network> adopted, HostLinks host) {
        parents.reconcile(active);
    }

    /**
     * Creates the endpoint's link on the parent inside the sandbox, then its addresses and routes in
     * one batch: the default route via the gateway on the LAN (L2 modes) or through the interface
     * (ipvlan L3/L3S, which has no gateway) when this is the sandbox's gateway network.
     */
    @Override
    public void attach(Network n, Endpoint ep, SandboxKernel sbx, boolean gatewayRoute, Transaction tx) {
        int parent = host.rtnl().links().get(n.device()).index();
        // Born under a name of its own: kernel 6.1 (Debian 12) looks the new name up in the host namespace
        // too (EEXIST when the host has an eth0). Renamed to eth0, eth1, ... inside, in the configure batch.
        NewLink spec = NewLink.of(bornAs(ep), n.lanOptions().linkType())
                .withParent(parent)
                .inNetns(sbx.netns().fd());
        if (!n.lanOptions().sharesParentMac()) spec = spec.withMac(ep.mac());
        if (n.mtu() > 0) spec = spec.withMtu(n.mtu());
        NewLink link = spec;
        tx.step("link", () -> host.rtnl().links().create(link), () -> detach(ep, sbx));
        int index = sbx.rtnl().links().get(bornAs(ep)).index();
        tx.step("configure", () -> sbx.rtnl().socket().requestAll(sandboxSide(n, ep, index, gatewayRoute)), null);
    }

    /** The name an endpoint's link is created under, unique on the host: {@code bt} + 12 hex of the endpoint id. */
    static String bornAs(Endpoint ep) {
        return "bt" + ep.id().substring(0, 12);
    }

    /**
     * Deletes the endpoint's link inside the sandbox (its addresses and routes go with it), under its
     * final name or, when a crash came before the rename, the name it was born with.
     */
    @Override
    public void detach(Endpoint ep, SandboxKernel sbx) {
        if (sbx == null) return; // the namespace is gone, and the link with it
        for (String name : new String[] {ep.ifName(), bornAs(ep)}) {
            try {
                sbx.rtnl().links().delete(name);
            } catch (NetlinkException.NotFound ignored) {
                // already gone
            }
        }
    }

    /** True when the endpoint's link is in the sandbox and is of the network's kind. */
    @Override
    public boolean isIntact(Network n, Endpoint ep, SandboxKernel sbx, HostLinks host) {
        return sbx.rtnl()
                .links()
                .find(ep.ifName())
                .map(Link::kind)
                .filter(k -> k.equals(n.driver().id()))
                .isPresent();
    }

    private static List<Request> sandboxSide(Network n, Endpoint ep, int index, boolean gatewayRoute) {
        List<Request> r = new ArrayList<>();
        boolean routed = n.lanOptions().isRouted();
        r.add(new Request(Links.renameMessage(index, ep.ifName()), "rename " + bornAs(ep) + " to " + ep.ifName()));
        // No IPv6 link-local address unless the endpoint has IPv6 (as on bridge networks): no DAD or MLD on the LAN.
        if (ep.ipv6() == null)
            r.add(new Request(
                    Links.addrGenModeMessage(index, AddrGenMode.NONE), "turn off IPv6 link-local on " + ep.ifName()));
        for (InetAddress a : new InetAddress[] {ep.ipv4(), ep.ipv6()}) {
            if (a == null) continue;
            r.add(new Request(
                    Addresses.addMessage(index, subnetOf(n, a).subnet().withHost(a)),
                    "add " + IpPrefix.format(a) + " to " + ep.ifName()));
        }
        r.add(new Request(Links.upMessage(index), "set " + ep.ifName() + " up"));
        for (InetAddress a : new InetAddress[] {ep.ipv4(), ep.ipv6()}) {
            if (a == null) continue;
            SubnetConfig own = subnetOf(n, a);
            boolean v6 = !own.isIpv4();
            if (routed && gatewayRoute) {
                r.add(new Request(
                        Routes.addMessage(Route.throughDevice(v6, null, index)),
                        "add default route dev " + ep.ifName()));
            } else if (routed) {
                // Not the gateway network: reach the network's other subnets through the parent all the same.
                for (SubnetConfig s : n.subnets())
                    if (s != own && s.isIpv4() == own.isIpv4())
                        r.add(new Request(
                                Routes.addMessage(Route.throughDevice(
                                        v6, s.subnet().withHost(s.subnet().network()), index)),
                                "add route " + s.subnet() + " dev " + ep.ifName()));
            } else if (gatewayRoute && own.gateway() != null) {
                r.add(new Request(
                        Routes.addMessage(Route.defaultVia(own.gateway(), index)),
                        "add default route via " + IpPrefix.format(own.gateway())));
            }
        }
        return r;
    }

    /** Through the interface (routed ipvlan), else via the LAN's gateway of the address's subnet, per family. */
    @Override
    public List<Route> gatewayRoutes(Network n, Endpoint ep, int index) {
        List<Route> out = new ArrayList<>(2);
        for (InetAddress a : new InetAddress[] {ep.ipv4(), ep.ipv6()}) {
            if (a == null) continue;
            SubnetConfig own = subnetOf(n, a);
            if (n.lanOptions().isRouted()) out.add(Route.throughDevice(!own.isIpv4(), null, index));
            else if (own.gateway() != null) out.add(Route.defaultVia(own.gateway(), index));
        }
        return out;
    }

    /** The network's subnet that holds {@code a}. */
    public static SubnetConfig subnetOf(Network n, InetAddress a) {
        for (SubnetConfig s : n.subnets()) if (s.subnet().contains(a)) return s;
        throw new IllegalStateException(IpPrefix.format(a) + " is in no subnet of network " + n.name());
    }
}
