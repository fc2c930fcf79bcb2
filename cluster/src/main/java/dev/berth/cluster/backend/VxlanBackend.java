package dev.berth.cluster.backend;

import dev.berth.cluster.config.BackendConfig;
import dev.berth.cluster.config.NetworkConfig;
import dev.berth.cluster.lease.Lease;
import dev.berth.cluster.lease.LeaseAttrs;
import dev.berth.cluster.lease.VtepMac;
import dev.berth.model.BerthException;
import dev.berth.model.IpPrefix;
import dev.berth.model.MacAddress;
import dev.berth.netlink.route.Address;
import dev.berth.netlink.route.Link;
import dev.berth.netlink.route.LinkType;
import dev.berth.netlink.route.Neighbour;
import dev.berth.netlink.route.NewLink;
import dev.berth.netlink.route.Route;
import dev.berth.netlink.route.Rtnl;
import java.net.InetAddress;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * vxlan, as flannel does it: one kernel VXLAN device {@code berth.<VNI>} per host (learning off, no
 * miss callbacks), whose address is the host subnet's network address /32. For each peer exactly
 * three entries, all permanent and written from the watch:
 * <ol>
 * <li>a route {@code <peer subnet> via <peer subnet .0> dev berth.1 onlink},</li>
 * <li>a neighbour entry {@code <peer subnet .0> lladdr <peer VtepMAC>},</li>
 * <li>an FDB entry {@code <peer VtepMAC> dst <peer PublicIP>}.</li>
 * </ol>
 * The device MTU is the underlay's less 50 bytes of encapsulation.
 */
public final class VxlanBackend implements Backend {
    private final Rtnl rtnl;
    private final Underlay underlay;
    private final BackendConfig.Vxlan config;
    private final RouteSet routes;
    private final String name;
    private final MacAddress mac;
    private int index;

    public VxlanBackend(Rtnl rtnl, Underlay underlay, BackendConfig.Vxlan config) {
        this.rtnl = rtnl;
        this.underlay = underlay;
        this.config = config;
        this.routes = new RouteSet(rtnl);
        this.name = "berth." + config.vni();
        this.mac = VtepMac.of(underlay.publicIp());
    }

    public String deviceName() {
        return name;
    }

    @Override
    public String type() {
        return "vxlan";
    }

    @Override
    public int mtu() {
        return underlay.mtu() - BackendConfig.Vxlan.OVERHEAD;
    }

    @Override
    public LeaseAttrs attrs() {
        var data = LeaseAttrs.object();
        data.put("VNI", config.vni());
        data.put("VtepMAC", mac.toString());
        return new LeaseAttrs(underlay.publicIp(), type(), data);
    }

    @Override
    public void start(Lease own, NetworkConfig network) {
        Link dev = rtnl.links().find(name).orElse(null);
        if (dev != null && !"vxlan".equals(dev.kind())) {
            throw new BerthException.Conflict("the host has a " + dev.kind() + " device named " + name
                    + ", which the vxlan backend needs for VNI " + config.vni() + "; remove it or choose another VNI");
        }
        if (dev == null) {
            dev = rtnl.links()
                    .create(NewLink.of(
                                    name,
                                    new LinkType.Vxlan(
                                            config.vni(), config.port(), underlay.publicIp(), underlay.index(), false))
                            .withMtu(mtu())
                            .withMac(mac));
        } else {
            // Kept from an earlier run: peers still send to it, so it stays; only its settings are refreshed.
            if (dev.mtu() != mtu()) rtnl.links().setMtu(dev.index(), mtu());
            if (!mac.equals(dev.mac())) rtnl.links().setMac(dev.index(), mac);
        }
        index = dev.index();
        IpPrefix addr = new IpPrefix(own.subnet().network(), 32);
        boolean present = false;
        for (Address a : rtnl.addresses().list(index)) {
            if (!a.prefix().isIpv4()) continue;
            if (a.prefix().equals(addr)) present = true;
            else rtnl.addresses().delete(index, a.prefix()); // from a subnet this host no longer holds
        }
        if (!present) rtnl.addresses().add(index, addr);
        rtnl.links().setUp(index);
    }

    @Override
    public void addPeer(Lease peer) {
        if (!"vxlan".equals(peer.attrs().backendType()))
            throw new PeerRefused("peer " + peer.attrs().publicIp().getHostAddress() + " (subnet " + peer.subnet()
                    + ") runs the " + peer.attrs().backendType()
                    + " backend; every host of a cluster must use the config's backend (vxlan)");
        MacAddress vtep = vtepOf(peer);
        InetAddress gw = peer.subnet().network();
        rtnl.neighbours().replace(index, gw, vtep);
        rtnl.neighbours().replaceFdb(index, vtep, peer.attrs().publicIp());
        routes.replace(
                Route.to(new IpPrefix(peer.subnet().network(), peer.subnet().prefix()), gw, index)
                        .withOnlink());
    }

    private static MacAddress vtepOf(Lease peer) {
        String text = peer.attrs().backendData().path("VtepMAC").asText(null);
        if (text == null) return VtepMac.of(peer.attrs().publicIp());
        try {
            return MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new PeerRefused(
                    "peer " + peer.attrs().publicIp().getHostAddress() + ": BackendData.VtepMAC " + e.getMessage());
        }
    }

    @Override
    public void removePeer(Lease peer) {
        routes.remove(peer.subnet());
        HostGwBackend.ignoreMissing(
                () -> rtnl.neighbours().delete(index, peer.subnet().network()));
        MacAddress vtep;
        try {
            vtep = vtepOf(peer);
        } catch (PeerRefused e) {
            return;
        }
        HostGwBackend.ignoreMissing(
                () -> rtnl.neighbours().deleteFdb(index, vtep, peer.attrs().publicIp()));
    }

    @Override
    public void prune(Collection<Lease> peers) {
        routes.prune(peers);
        Set<InetAddress> gateways = new HashSet<>();
        Set<MacAddress> macs = new HashSet<>();
        for (Lease p : peers) {
            gateways.add(p.subnet().network());
            try {
                macs.add(vtepOf(p));
            } catch (PeerRefused ignored) {
                // not routed anyway
            }
        }
        for (Neighbour n : rtnl.neighbours().list()) {
            if (n.index() != index || n.destination() == null || gateways.contains(n.destination())) continue;
            if (!n.isPermanent()) continue;
            HostGwBackend.ignoreMissing(() -> rtnl.neighbours().delete(index, n.destination()));
        }
        for (Neighbour f : rtnl.neighbours().listFdb()) {
            if (f.index() != index
                    || f.mac() == null
                    || macs.contains(f.mac())
                    || f.mac().bits() == 0) continue;
            HostGwBackend.ignoreMissing(() -> rtnl.neighbours().deleteFdb(index, f.mac(), f.destination()));
        }
    }

    @Override
    public void teardown() {
        routes.prune(List.of());
        HostGwBackend.ignoreMissing(() -> rtnl.links().delete(name));
    }

    @Override
    public void close() {
        // no threads; the device and its entries stay
    }
}
