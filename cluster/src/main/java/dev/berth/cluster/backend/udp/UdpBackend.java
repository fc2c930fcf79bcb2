package dev.berth.cluster.backend.udp;

import dev.berth.cluster.backend.Backend;
import dev.berth.cluster.backend.Underlay;
import dev.berth.cluster.config.BackendConfig;
import dev.berth.cluster.config.Ip4;
import dev.berth.cluster.config.NetworkConfig;
import dev.berth.cluster.lease.Lease;
import dev.berth.cluster.lease.LeaseAttrs;
import dev.berth.model.BerthException;
import dev.berth.model.Cidr;
import dev.berth.model.IpPrefix;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.Address;
import dev.berth.netlink.route.Link;
import dev.berth.netlink.route.Route;
import dev.berth.netlink.route.Rtnl;
import dev.berth.netlink.tun.TunQueue;
import dev.berth.netlink.udp.UdpSocket;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * udp, flannel's original backend done in Berth: a multi-queue TUN device {@code berth.udp} holding
 * the lease's network address /32, a route for the whole cluster network into it, and a userspace
 * tunnel ({@link UdpTunnel}) that carries each IP packet to the peer owning the destination over UDP
 * (port 8285 by default). The TUN device runs with segmentation offload ({@link OffloadTun}): a TCP
 * super-packet of up to 64 KB crosses as chunks the kernel cuts from one send (UDP_SEGMENT) and the
 * receiver takes back in one buffer (UDP_GRO), no IP fragments; every datagram fits the underlay MTU.
 * Packets carry a 10-byte virtio-net header, chunks an 8-byte chunk header ({@link Wire}), so Berth's
 * format differs from flannel's. The peers live in a table the tunnel reads; no kernel route per peer. MTU: the underlay's
 * less 38 bytes (IP + UDP headers + the offload header).
 */
public final class UdpBackend implements Backend {
    public static final String DEVICE = "berth.udp";
    private static final int SOCKET_BUFFER = 8 << 20;
    private static final Duration RECEIVE_TIMEOUT = Duration.ofMillis(200);

    private final Rtnl rtnl;
    private final Underlay underlay;
    private final BackendConfig.Udp config;
    private final NetnsHandle netns;
    private final PeerTable table = new PeerTable();
    private final Map<Cidr, Integer> peers = new LinkedHashMap<>();
    private final List<TunQueue> queues = new ArrayList<>();
    private final List<UdpSocket> sockets = new ArrayList<>();
    private UdpTunnel tunnel;

    public UdpBackend(Rtnl rtnl, Underlay underlay, BackendConfig.Udp config, NetnsHandle netns) {
        this.rtnl = rtnl;
        this.underlay = underlay;
        this.config = config;
        this.netns = netns;
    }

    @Override
    public String type() {
        return "udp";
    }
    /** The underlay's MTU less the outer IP and UDP headers and the 10-byte offload header each datagram carries. */
    @Override
    public int mtu() {
        return underlay.mtu() - BackendConfig.Udp.OVERHEAD - OffloadTun.VNET_HDR;
    }

    @Override
    public LeaseAttrs attrs() {
        return new LeaseAttrs(underlay.publicIp(), type(), null);
    }

    @Override
    public synchronized void start(Lease own, NetworkConfig network) {
        if (tunnel == null) open();
        int index = rtnl.links().get(DEVICE).index();
        IpPrefix addr = new IpPrefix(own.subnet().network(), 32);
        for (Address a : rtnl.addresses().list(index))
            if (a.prefix().isIpv4() && !a.prefix().equals(addr))
                rtnl.addresses().delete(index, a.prefix());
        try {
            rtnl.addresses().add(index, addr);
        } catch (NetlinkException.Exists ignored) {
            // kept from before
        }
        rtnl.links().setUp(index);
        // The whole cluster network goes into the tunnel; this host's own subnet is more specific (its bridge).
        rtnl.routes()
                .replace(Route.to(
                        new IpPrefix(
                                network.network().network(), network.network().prefix()),
                        null,
                        index));
        tunnel.setLocal((int) Ip4.toLong(own.subnet().network()), own.subnet().prefix());
    }

    private void open() {
        Link existing = rtnl.links().find(DEVICE).orElse(null);
        if (existing != null && !"tun".equals(existing.kind()))
            throw new BerthException.Conflict("the host has a " + existing.kind() + " device named " + DEVICE
                    + ", which the udp backend needs; remove it");
        Inet4Address ip = (Inet4Address) underlay.publicIp();
        try {
            for (int q = 0; q < config.queues(); q++) {
                queues.add(Netns.call(netns, () -> TunQueue.open(DEVICE)));
                sockets.add(Netns.call(netns, () -> socket(ip)));
            }
            int index = rtnl.links().get(DEVICE).index();
            rtnl.links().setMtu(index, mtu());
            OffloadTun.capGso(rtnl, index, Wire.gsoMax(underlay.mtu()));
            tunnel = new UdpTunnel(table, queues, sockets, config.port(), underlay.mtu());
        } catch (RuntimeException e) {
            closeFds();
            throw e;
        }
    }

    /** A socket of the tunnel, in the calling thread's namespace: datagrams carry super-packets bigger than the underlay MTU, which the kernel may fragment. */
    private UdpSocket socket(Inet4Address ip) {
        UdpSocket s = UdpSocket.open();
        try {
            return s.reusePort()
                    .buffers(SOCKET_BUFFER)
                    .fragmentLarge()
                    .receiveCoalesced()
                    .receiveTimeout(RECEIVE_TIMEOUT)
                    .bind(ip, config.port());
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public synchronized void addPeer(Lease peer) {
        if (!"udp".equals(peer.attrs().backendType()))
            throw new PeerRefused("peer " + peer.attrs().publicIp().getHostAddress() + " (subnet " + peer.subnet()
                    + ") runs the " + peer.attrs().backendType()
                    + " backend; every host of a cluster must use the config's backend (udp)");
        peers.put(peer.subnet(), (int) Ip4.toLong(peer.attrs().publicIp()));
        publish();
    }

    @Override
    public synchronized void removePeer(Lease peer) {
        if (peers.remove(peer.subnet()) != null) publish();
    }

    private void publish() {
        int n = peers.size(), i = 0;
        int[] subnets = new int[n], prefixes = new int[n], ips = new int[n];
        for (var e : peers.entrySet()) {
            subnets[i] = (int) Ip4.toLong(e.getKey().network());
            prefixes[i] = e.getKey().prefix();
            ips[i++] = e.getValue();
        }
        table.set(subnets, prefixes, ips);
    }

    @Override
    public void prune(Collection<Lease> current) {
        // no per-peer kernel state; routes of another backend from an earlier run are Berth-marked
        for (Route r : rtnl.routes().listMain()) {
            if (r.protocol() != RTPROT_BERTH || r.ipv6()) continue;
            try {
                rtnl.routes().delete(r);
            } catch (NetlinkException.NotFound ignored) {
                // gone
            }
        }
    }

    /** Packets dropped: no peer for the destination, not for this host, or a failed send. */
    public long dropped() {
        return tunnel == null ? 0 : tunnel.dropped.get();
    }

    @Override
    public synchronized void teardown() {
        close(); // the device is not persistent: it goes with its last queue
    }

    /** Stops the tunnel; the TUN device disappears with its descriptors (traffic stops until the agent is back). */
    @Override
    public synchronized void close() {
        if (tunnel != null) tunnel.close();
        tunnel = null;
        closeFds();
    }

    private void closeFds() {
        for (TunQueue t : queues) t.close();
        queues.clear();
        for (UdpSocket s : sockets) s.close();
        sockets.clear();
    }
}
