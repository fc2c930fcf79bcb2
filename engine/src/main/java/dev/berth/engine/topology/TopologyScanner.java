package dev.berth.engine.topology;

import dev.berth.engine.Engine;
import dev.berth.model.IpPrefix;
import dev.berth.model.NetnsMode;
import dev.berth.model.Sandbox;
import dev.berth.model.topology.Topology;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.Address;
import dev.berth.netlink.route.Link;
import dev.berth.netlink.route.Route;
import dev.berth.netlink.route.Rtnl;
import dev.berth.netlink.sys.Errno;
import dev.berth.netlink.sys.SystemCallException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@link Topology} from the kernel with rtnetlink dumps (links, addresses, routes) of the host
 * namespace and of each sandbox namespace. A veth's other end is found by its peer index and the
 * namespace id the kernel reports for it (IFLA_LINK_NETNSID, matched with RTM_GETNSID).
 */
public final class TopologyScanner {

    /** A namespace to show: its label, the sandbox it belongs to (or null), and its file. */
    public record Target(String name, String sandbox, Path path) {}

    private TopologyScanner() {}

    /** The host and every sandbox of the engine that has a namespace of its own. */
    public static Topology scan(Engine engine, NetnsHandle hostNetns) {
        return scan(hostNetns, targets(engine));
    }

    /** The sandboxes with a namespace of their own and the namespaces of other runtimes' attachments, sorted by name. */
    public static List<Target> targets(Engine engine) {
        List<Target> out = new ArrayList<>();
        for (Sandbox s : engine.sandboxes()) {
            if (!(s.netns() instanceof NetnsMode.Own own)) continue;
            Path p = Path.of(own.path());
            out.add(new Target(p.getFileName().toString(), s.name(), p));
        }
        for (Sandbox s : engine.attachments()) { // other runtimes' namespaces that hold Berth's endpoints
            Path p = engine.netnsPath(s);
            if (out.stream().noneMatch(t -> t.path().equals(p)))
                out.add(new Target(p.getFileName().toString(), s.name(), p));
        }
        out.sort(Comparator.comparing(Target::name));
        return out;
    }

    /** Scans the host (labelled "host") and the given namespaces; a namespace that vanished meanwhile is skipped. */
    public static Topology scan(NetnsHandle hostNetns, List<Target> sandboxes) {
        List<Dump> dumps = new ArrayList<>();
        List<NetnsHandle> opened = new ArrayList<>();
        try {
            dumps.add(dump("host", null, hostNetns));
            for (Target t : sandboxes) {
                NetnsHandle h;
                try {
                    h = Netns.open(t.path());
                } catch (RuntimeException gone) {
                    continue; // removed while we looked: not part of the picture
                }
                opened.add(h);
                try {
                    dumps.add(dump(t.name(), t.sandbox(), h));
                } catch (SystemCallException e) {
                    // EINVAL from setns: the file was unmounted before we opened it (a sandbox being removed
                    // leaves an empty file until its unlink), so the handle is not a namespace: gone too
                    if (e.errno() != Errno.EINVAL) throw e;
                }
            }
            List<Topology.Namespace> out = new ArrayList<>();
            for (Dump d : dumps) out.add(d.toNamespace(dumps));
            return new Topology(out);
        } finally {
            for (Dump d : dumps) d.rtnl.close();
            for (NetnsHandle h : opened) h.close();
        }
    }

    private static Dump dump(String name, String sandbox, NetnsHandle ns) {
        Rtnl rtnl = Netns.rtnl(ns);
        try {
            return new Dump(
                    name,
                    sandbox,
                    ns,
                    rtnl,
                    rtnl.links().list(),
                    rtnl.addresses().list(),
                    rtnl.routes().listMain());
        } catch (RuntimeException e) {
            rtnl.close();
            throw e;
        }
    }

    /** One namespace's dumps, and the ids it gives the other namespaces (asked on demand). */
    private record Dump(
            String name,
            String sandbox,
            NetnsHandle handle,
            Rtnl rtnl,
            List<Link> links,
            List<Address> addresses,
            List<Route> routes,
            Map<String, Integer> nsids) {
        Dump(
                String name,
                String sandbox,
                NetnsHandle handle,
                Rtnl rtnl,
                List<Link> links,
                List<Address> addresses,
                List<Route> routes) {
            this(name, sandbox, handle, rtnl, links, addresses, routes, new HashMap<>());
        }

        Link byIndex(int index) {
            for (Link l : links) if (l.index() == index) return l;
            return null;
        }

        /** The id this namespace uses for {@code other}, or -1 when it has none. */
        int nsidOf(Dump other) {
            return nsids.computeIfAbsent(other.name, k -> {
                try {
                    return rtnl.nsidOf(other.handle.fd());
                } catch (NetlinkException e) {
                    return -1;
                }
            });
        }

        Topology.Namespace toNamespace(List<Dump> all) {
            List<Topology.Iface> ifaces = new ArrayList<>();
            for (Link l : links) {
                List<String> addrs = new ArrayList<>();
                for (Address a : addresses) {
                    if (a.index() != l.index()) continue;
                    if (!a.prefix().isIpv4() && a.prefix().address().isLinkLocalAddress()) continue;
                    addrs.add(a.prefix().toString());
                }
                Link master = l.masterIndex() == 0 ? null : byIndex(l.masterIndex());
                ifaces.add(new Topology.Iface(
                        l.index(),
                        l.name(),
                        l.kind(),
                        l.mac() == null ? null : l.mac().toString(),
                        l.mtu(),
                        l.isUp(),
                        master == null ? null : master.name(),
                        peer(l, all),
                        addrs));
            }
            List<Topology.RouteEntry> rs = new ArrayList<>();
            for (Route r : routes) {
                if (r.ipv6()
                        && r.destination() != null
                        && (r.destination().address().isLinkLocalAddress()
                                || r.destination().address().isMulticastAddress())) continue;
                Link dev = r.outputIndex() == 0 ? null : byIndex(r.outputIndex());
                String dst = r.isDefault()
                        ? (r.ipv6() ? "default (IPv6)" : "default")
                        : r.destination().toString();
                rs.add(new Topology.RouteEntry(
                        dst,
                        r.gateway() == null ? null : IpPrefix.format(r.gateway()),
                        dev == null ? null : dev.name(),
                        r.isLinkScope() ? "link" : null));
            }
            return new Topology.Namespace(name, sandbox, ifaces, rs);
        }

        /** A veth's other end: here when the kernel gives no namespace id, else the namespace with that id. */
        private Topology.Peer peer(Link l, List<Dump> all) {
            if (!"veth".equals(l.kind()) || l.linkIndex() == 0) return null;
            if (l.linkNetnsId() == null) {
                Link p = byIndex(l.linkIndex());
                return new Topology.Peer(l.linkIndex(), name, p == null ? null : p.name());
            }
            // A namespace whose link at the peer index points back at us, and whose id here is the one reported.
            List<Dump> candidates = new ArrayList<>();
            for (Dump d : all) {
                if (d == this) continue;
                Link p = d.byIndex(l.linkIndex());
                if (p != null && "veth".equals(p.kind()) && p.linkIndex() == l.index()) candidates.add(d);
            }
            candidates.removeIf(d -> nsidOf(d) != l.linkNetnsId());
            if (candidates.size() != 1) return new Topology.Peer(l.linkIndex(), null, null);
            Dump d = candidates.getFirst();
            return new Topology.Peer(
                    l.linkIndex(), d.name, d.byIndex(l.linkIndex()).name());
        }
    }
}
