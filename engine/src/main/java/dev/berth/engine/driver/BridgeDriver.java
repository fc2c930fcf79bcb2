package dev.berth.engine.driver;

import dev.berth.engine.model.BridgeOptions;
import dev.berth.engine.model.Network;
import dev.berth.engine.model.SubnetConfig;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.tx.Faults;
import dev.berth.engine.tx.Teardown;
import dev.berth.engine.tx.Transaction;
import dev.berth.model.Endpoint;
import dev.berth.model.Ids;
import dev.berth.model.IpPrefix;
import dev.berth.model.MacAddress;
import dev.berth.model.log.Log;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.NetlinkSocket.Request;
import dev.berth.netlink.ns.Sysctl;
import dev.berth.netlink.route.AddrGenMode;
import dev.berth.netlink.route.Addresses;
import dev.berth.netlink.route.Link;
import dev.berth.netlink.route.LinkType;
import dev.berth.netlink.route.Links;
import dev.berth.netlink.route.NewLink;
import dev.berth.netlink.route.Route;
import dev.berth.netlink.route.Routes;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The kernel side of bridge networks: a Linux bridge per network holding the gateway addresses, and
 * per endpoint a veth pair whose host end (veth + 7 hex) is a hairpin port of the bridge and whose
 * other end is born inside the sandbox as eth0, eth1, ...
 */
public final class BridgeDriver implements NetworkDriver {
    /** The alias that marks a bridge as Berth's (the kernel keeps it; reconcile reads it). */
    public static final String ALIAS_PREFIX = "berth:network:";

    private final HostKernel host;
    private final Map<String, Integer> bridgeIndex = new ConcurrentHashMap<>();

    public BridgeDriver(HostKernel host) {
        this.host = host;
    }

    @Override
    public boolean takesEndpoints() {
        return true;
    }

    @Override
    public boolean routedThroughHost() {
        return true;
    }

    @Override
    public void validateEndpoint(Network n, EndpointRequest r, Supplier<List<Endpoint>> existing) {
        // any MAC; as many endpoints as the bridge takes ports
        BridgePorts.checkRoom(n, existing.get().size());
    }

    @Override
    public MacAddress endpointMac(Network n, MacAddress wanted) {
        return wanted;
    }

    /** The host end of the endpoint's veth pair: {@code veth} + 7 hex of its id. */
    @Override
    public String hostIfName(String endpointId) {
        return Ids.hostVeth(endpointId);
    }

    /** Creates (or, for an adopted bridge, reuses) the network's bridge with its gateway addresses, up. */
    @Override
    public void createNetwork(Network n, boolean adopted, Transaction tx) {
        Link br;
        if (adopted) {
            br = host.rtnl().links().get(n.device());
        } else {
            br = tx.create(
                    "bridge",
                    () -> host.rtnl()
                            .links()
                            .create(NewLink.of(n.device(), new LinkType.Bridge())
                                    .withMtu(n.mtu())),
                    l -> deleteQuietly(n.device()));
            tx.step("alias", () -> host.rtnl().links().setAlias(br.index(), ALIAS_PREFIX + n.id()), null);
            for (SubnetConfig s : n.subnets()) {
                if (s.gateway() == null) continue;
                IpPrefix gw = s.subnet().withHost(s.gateway());
                tx.step("gateway " + gw, () -> host.rtnl().addresses().add(br.index(), gw), null);
            }
            // Lets the host reach published ports through 127.0.0.1 (DNAT to a container on this bridge);
            // the firewall drops 127/8 arriving from anywhere but lo, so nothing else is exposed.
            tx.step(
                    "route_localnet",
                    () -> Sysctl.write(host.netns(), "net/ipv4/conf/" + n.device() + "/route_localnet", "1"),
                    null);
            tx.step("up", () -> host.rtnl().links().setUp(br.index()), null);
        }
        bridgeIndex.put(n.id(), br.index());
    }

    /** Deletes a bridge Berth created (its ports and addresses go with it); an adopted one is left alone. */
    @Override
    public void removeNetwork(Network n, boolean adopted, Collection<Network> remaining, Teardown td) {
        td.step("bridge", () -> {
            bridgeIndex.remove(n.id());
            if (!adopted) deleteQuietly(n.device());
        });
    }

    /** Re-creates the bridges of active networks that vanished (an adopted bridge is its owner's to bring back). */
    @Override
    public void repair(Collection<Network> active, Collection<Network> adopted, HostLinks host) {
        bridgeIndex.clear();
        for (Network n : active) {
            if (adopted.contains(n) || host.byName(n.device()) != null) continue;
            Log.info("reconcile: a bridge is missing; re-creating it", "network", n.name(), "bridge", n.device());
            createNetwork(n, false, new Transaction("repair", Faults.NONE));
        }
    }

    /** The veth is there and still a port of the network's bridge (a veth whose bridge was deleted survives detached). */
    @Override
    public boolean isIntact(Network n, Endpoint ep, SandboxKernel sbx, HostLinks host) {
        Link veth = host.byName(ep.hostIfName());
        return veth != null && n.device().equals(host.nameOf(veth.masterIndex()));
    }

    /**
     * Attaches the sandbox: veth pair, addresses, link up, and the default route when this network
     * is the sandbox's gateway network. One round trip on each side; the veth create echoes the
     * peer's index, so the sandbox side needs no lookup.
     *
     * <p>The host end, a bridge port, never gets an IPv6 link-local address, and the sandbox end gets
     * none unless the endpoint has an IPv6 address (Docker disables IPv6 on the interfaces of
     * IPv4-only networks for the same reason, moby 57dd567). Each
     * link-local address would start duplicate address detection, router solicitations and MLD
     * reports that the bridge floods to every other port, so the kernel's work per new endpoint
     * would grow with the number of endpoints already there.
     */
    @Override
    public void attach(Network n, Endpoint ep, SandboxKernel sbx, boolean gatewayRoute, Transaction tx) {
        int br = bridgeIndex(n);
        LinkType.Veth peer = new LinkType.Veth(ep.ifName(), sbx.netns().fd(), n.mtu(), ep.mac());
        Link veth = tx.create(
                "veth",
                () -> bridgePort(
                        n,
                        NewLink.of(ep.hostIfName(), peer)
                                .withMtu(n.mtu())
                                .withMaster(br)
                                .withUp()),
                l -> deleteQuietly(ep.hostIfName()));
        // Before the sandbox end comes up: the host end has no carrier yet, so no link-local address either.
        tx.step(
                "hairpin",
                () -> host.rtnl()
                        .socket()
                        .requestAll(List.of(
                                new Request(
                                        Links.hairpinMessage(veth.index(), true), "set hairpin on " + ep.hostIfName()),
                                new Request(
                                        Links.addrGenModeMessage(veth.index(), AddrGenMode.NONE),
                                        "turn off IPv6 link-local on " + ep.hostIfName()))),
                null);
        int inside = veth.linkIndex();
        tx.step("configure", () -> sbx.rtnl().socket().requestAll(sandboxSide(n, ep, inside, gatewayRoute)), null);
    }

    /**
     * An endpoint whose container end another runtime moves into its container itself (Docker's remote
     * driver protocol): the host end a hairpin port of the bridge, the other end left in the host namespace
     * under {@code ep.ifName()} with the endpoint's MAC, down and without addresses, for the runtime to move,
     * rename, address and route.
     */
    public void attachForHandOver(Network n, Endpoint ep, Transaction tx) {
        int br = bridgeIndex(n);
        LinkType.Veth peer = new LinkType.Veth(ep.ifName(), host.netns().fd(), n.mtu(), ep.mac());
        Link veth = tx.create(
                "veth",
                () -> bridgePort(
                        n,
                        NewLink.of(ep.hostIfName(), peer)
                                .withMtu(n.mtu())
                                .withMaster(br)
                                .withUp()),
                l -> deleteQuietly(ep.hostIfName()));
        List<Request> r = new ArrayList<>(List.of(
                new Request(Links.hairpinMessage(veth.index(), true), "set hairpin on " + ep.hostIfName()),
                new Request(
                        Links.addrGenModeMessage(veth.index(), AddrGenMode.NONE),
                        "turn off IPv6 link-local on " + ep.hostIfName())));
        if (ep.ipv6() == null)
            r.add(new Request(
                    Links.addrGenModeMessage(veth.linkIndex(), AddrGenMode.NONE),
                    "turn off IPv6 link-local on " + ep.ifName()));
        tx.step("hairpin", () -> host.rtnl().socket().requestAll(r), null);
    }

    /** Creates a veth as a port of {@code n}'s bridge; a full bridge is the engine's refusal ({@link BridgePorts}). */
    private Link bridgePort(Network n, NewLink veth) {
        try {
            return host.rtnl().links().create(veth);
        } catch (RuntimeException e) {
            throw BridgePorts.translate(n, e);
        }
    }

    private static List<Request> sandboxSide(Network n, Endpoint ep, int index, boolean gatewayRoute) {
        List<Request> r = new ArrayList<>(6);
        SubnetConfig v4 = n.ipv4(), v6 = n.ipv6Subnet();
        if (ep.ipv6() == null)
            r.add(new Request(
                    Links.addrGenModeMessage(index, AddrGenMode.NONE), "turn off IPv6 link-local on " + ep.ifName()));
        if (ep.ipv4() != null)
            r.add(new Request(
                    Addresses.addMessage(index, v4.subnet().withHost(ep.ipv4())),
                    "add " + IpPrefix.format(ep.ipv4()) + " to " + ep.ifName()));
        if (ep.ipv6() != null)
            r.add(new Request(
                    Addresses.addMessage(index, v6.subnet().withHost(ep.ipv6())),
                    "add " + IpPrefix.format(ep.ipv6()) + " to " + ep.ifName()));
        r.add(new Request(Links.upMessage(index), "set " + ep.ifName() + " up"));
        if (gatewayRoute)
            for (Route g : defaultRoutes(n, ep, index))
                r.add(new Request(Routes.addMessage(g), "add default route via " + IpPrefix.format(g.gateway())));
        return r;
    }

    @Override
    public List<Route> gatewayRoutes(Network n, Endpoint ep, int index) {
        return defaultRoutes(n, ep, index);
    }

    /** Via the network's gateway (or its DefaultGatewayIPv4) of each family the endpoint has an address of. */
    private static List<Route> defaultRoutes(Network n, Endpoint ep, int index) {
        SubnetConfig v4 = n.ipv4(), v6 = n.ipv6Subnet();
        List<Route> out = new ArrayList<>(2);
        if (v4 != null && v4.gateway() != null && ep.ipv4() != null) {
            // Docker's DefaultGatewayIPv4 auxiliary address (dockerd --default-gateway) wins over the bridge
            InetAddress gw = v4.auxAddresses().getOrDefault(BridgeOptions.DEFAULT_GATEWAY_AUX, v4.gateway());
            out.add(Route.defaultVia(gw, index));
        }
        if (v6 != null && v6.gateway() != null && ep.ipv6() != null) out.add(Route.defaultVia(v6.gateway(), index));
        return out;
    }

    /** Removes the endpoint's veth pair (the sandbox end, its addresses and routes go with it). */
    @Override
    public void detach(Endpoint ep, SandboxKernel sbx) {
        deleteQuietly(ep.hostIfName());
    }

    /**
     * Retires the endpoint's veth pair for a deletion later ({@link VethReaper}): the kernel's deletion of a veth
     * waits for RCU grace periods (20 ms and more), the rest of a disconnect is a fraction of a millisecond. Inside
     * the sandbox the addresses go (with them their routes), the link goes down and is renamed away from its
     * {@code ethN} name ({@link #retiredName}), so a reconnect can take the name again at once; the host end goes
     * down (into the reaper's link group), so the bridge disables the port and flushes its forwarding entries: no
     * frame passes either way
     * from here on, and the port's anti-spoofing elements and the address can go. False when there is nothing to
     * retire in (no namespace, no such link): then the caller deletes at once.
     */
    @Override
    public boolean retire(Network n, Endpoint ep, SandboxKernel sbx) {
        if (sbx == null || ep.hostIfName() == null) return false;
        Link inside = sbx.rtnl().links().find(ep.ifName()).orElse(null);
        if (inside == null) return false;
        int index = inside.index();
        List<Request> r = new ArrayList<>(4);
        if (ep.ipv4() != null && n.ipv4() != null)
            r.add(new Request(
                    Addresses.deleteMessage(index, n.ipv4().subnet().withHost(ep.ipv4())),
                    "delete " + IpPrefix.format(ep.ipv4()) + " from " + ep.ifName()));
        if (ep.ipv6() != null && n.ipv6Subnet() != null)
            r.add(new Request(
                    Addresses.deleteMessage(index, n.ipv6Subnet().subnet().withHost(ep.ipv6())),
                    "delete " + IpPrefix.format(ep.ipv6()) + " from " + ep.ifName()));
        r.add(new Request(Links.downMessage(index), "set " + ep.ifName() + " down"));
        r.add(new Request(Links.renameMessage(index, retiredName(ep)), "rename " + ep.ifName() + " away"));
        sbx.rtnl().socket().requestAll(r);
        host.rtnl()
                .socket()
                .request(
                        Links.downIntoGroupMessage(ep.hostIfName(), VethReaper.GROUP),
                        "set " + ep.hostIfName() + " down");
        return true;
    }

    /** The container end's name while it waits for its deletion: {@code gone} + the host end's 7 hex, unique. */
    public static String retiredName(Endpoint ep) {
        return "gone" + ep.hostIfName().substring("veth".length());
    }

    private int bridgeIndex(Network n) {
        return bridgeIndex.computeIfAbsent(
                n.id(), id -> host.rtnl().links().get(n.device()).index());
    }

    /** Deletes a host link by name if it is there. */
    public void deleteQuietly(String name) {
        try {
            host.rtnl().links().delete(name);
        } catch (NetlinkException.NotFound ignored) {
            // already gone: the goal is reached
        }
    }
}
