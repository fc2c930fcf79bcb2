package dev.berth.engine;

import dev.berth.engine.driver.BridgeDriver;
import dev.berth.engine.driver.Drivers;
import dev.berth.engine.driver.HostKernel;
import dev.berth.engine.driver.HostLinks;
import dev.berth.engine.driver.NetworkDriver;
import dev.berth.engine.driver.SandboxKernel;
import dev.berth.engine.firewall.EndpointGuard;
import dev.berth.engine.firewall.Firewall;
import dev.berth.engine.firewall.PortRule;
import dev.berth.engine.model.Network;
import dev.berth.engine.state.StateStore;
import dev.berth.engine.state.StateStore.Entry;
import dev.berth.engine.state.Status;
import dev.berth.engine.tx.Faults;
import dev.berth.engine.tx.Teardown;
import dev.berth.engine.tx.Transaction;
import dev.berth.model.Endpoint;
import dev.berth.model.NetnsMode;
import dev.berth.model.Sandbox;
import dev.berth.model.log.Log;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.route.Link;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Brings the kernel and the state into agreement at start-up. The state says what should exist:
 * objects caught half-created by a crash are rolled back, half-removed ones are finished, active ones
 * whose kernel objects vanished are rebuilt, and kernel objects that carry Berth's names or marks but
 * belong to nothing in the state are removed. Objects that are intact are left alone, so running
 * sandboxes keep their connectivity.
 */
final class Reconciler {

    private final Engine e;
    private final Inventory inv;
    private final StateStore store;
    private final Drivers drivers;
    private final Firewall firewall;
    private final HostKernel host;
    private final String netnsPrefix;

    /** Reconciles {@code e}'s state with the kernel: records through {@code store}, memory through {@code inv}. */
    Reconciler(
            Engine e,
            Inventory inv,
            StateStore store,
            Drivers drivers,
            Firewall firewall,
            HostKernel host,
            String netnsPrefix) {
        this.e = e;
        this.inv = inv;
        this.store = store;
        this.drivers = drivers;
        this.firewall = firewall;
        this.host = host;
        this.netnsPrefix = netnsPrefix;
    }

    void run() {
        List<Entry<Network>> nets = store.load(Engine.NETWORKS, Network.class);
        List<Entry<Sandbox>> sbxs = store.load(Engine.SANDBOXES, Sandbox.class);
        List<Entry<Endpoint>> eps = store.load(Engine.ENDPOINTS, Endpoint.class);

        for (Entry<Network> n : nets) {
            if (n.status() == Status.ACTIVE) inv.addNetwork(n.value());
        }
        Map<String, Sandbox> liveSandboxes = new HashMap<>();
        for (Entry<Sandbox> s : sbxs)
            if (s.status() == Status.ACTIVE) liveSandboxes.put(s.value().id(), s.value());

        Map<String, Network> anyNetwork =
                new HashMap<>(); // whatever their status: an endpoint's driver is its network's
        for (Entry<Network> n : nets) anyNetwork.put(n.value().id(), n.value());
        // Endpoints first: they hold veths and addresses that everything else depends on.
        for (Entry<Endpoint> ep : eps) {
            Endpoint x = ep.value();
            boolean owned = ep.status() == Status.ACTIVE
                    && liveSandboxes.containsKey(x.sandboxId())
                    && inv.hasNetwork(x.networkId());
            if (owned && restoreAddresses(x)) {
                inv.putEndpoint(x);
            } else {
                Log.info(
                        "reconcile: removing the link of an unfinished endpoint",
                        "endpoint",
                        x.id().substring(0, 12),
                        "status",
                        ep.status(),
                        "link",
                        x.ifName());
                Teardown td = new Teardown("reconcile", Faults.NONE);
                NetworkDriver d = drivers.ofEndpoint(anyNetwork.get(x.networkId()), x);
                td.step("link", () -> detachStale(d, x, liveSandboxes.get(x.sandboxId())));
                td.forget(0, "endpoint-forget", () -> store.remove(Engine.ENDPOINTS, x.id()));
            }
        }
        for (Entry<Sandbox> s : sbxs) {
            Sandbox x = s.value();
            if (s.status() == Status.ACTIVE) {
                e.restoreSandbox(x);
            } else {
                Log.info(
                        "reconcile: removing the namespace of an unfinished sandbox",
                        "sandbox",
                        x.name(),
                        "status",
                        s.status());
                Teardown td = new Teardown("reconcile", Faults.NONE);
                if (x.netns() instanceof NetnsMode.Own own)
                    td.step(
                            "netns",
                            () -> Engine.deleteNetnsQuietly(
                                    Path.of(own.path()).getFileName().toString()));
                td.forget(0, "forget", () -> store.remove(Engine.SANDBOXES, x.id()));
            }
        }
        for (Entry<Network> n : nets) {
            if (n.status() == Status.ACTIVE) continue;
            Log.info(
                    "reconcile: removing an unfinished network",
                    "network",
                    n.value().name(),
                    "status",
                    n.status(),
                    "device",
                    n.value().device());
            e.teardownNetwork(n.value(), new Teardown("reconcile", Faults.NONE));
        }
        repairNetworks();
        repairSandboxes();
        removeOrphans();
        syncFirewall();
    }

    /**
     * Deletes a stale endpoint's links, with its sandbox's namespace open when the sandbox lives on (a
     * macvlan/ipvlan link is only there); a sandbox that goes loses its namespace, and such a link with it.
     */
    private static void detachStale(NetworkDriver d, Endpoint x, Sandbox live) {
        String name = live != null && live.netns() instanceof NetnsMode.Own own
                ? Path.of(own.path()).getFileName().toString()
                : null;
        if (name == null || !Netns.exists(name)) {
            d.detach(x, null);
            return;
        }
        try (SandboxKernel k = new SandboxKernel(Netns.open(name))) {
            d.detach(x, k);
        }
    }

    /** Marks an active endpoint's addresses as taken again; false if that would duplicate one (then it is dropped). */
    private boolean restoreAddresses(Endpoint x) {
        InetAddress taken = inv.restoreAddresses(x);
        if (taken == null) return true;
        Log.info(
                "reconcile: an endpoint claims an address another endpoint holds; dropping it",
                "endpoint",
                x.id().substring(0, 12),
                "address",
                taken);
        return false;
    }

    /** Each driver checks its active networks: rebuilds bridges that vanished, settles the parent links Berth made. */
    private void repairNetworks() {
        HostLinks present = hostLinks();
        List<Network> adopted = inv.networks().stream().filter(e::isAdopted).toList();
        for (NetworkDriver d : drivers.all())
            d.repair(inv.networks().stream().filter(n -> drivers.of(n) == d).toList(), adopted, present);
    }

    /** Reopens every sandbox's namespace; rebuilds namespaces and veths that vanished. */
    private void repairSandboxes() {
        HostLinks hostLinks = hostLinks();
        List<Sandbox> gone = new ArrayList<>();
        for (Sandbox s : inv.sandboxes()) {
            if (s.netns() instanceof NetnsMode.External x) {
                if (!repairExternal(s, Path.of(x.path()), hostLinks)) gone.add(s);
                continue;
            }
            if (!(s.netns() instanceof NetnsMode.Own own)) continue;
            String name = Path.of(own.path()).getFileName().toString();
            boolean fresh = !Netns.exists(name);
            if (fresh)
                Log.info(
                        "reconcile: a sandbox's namespace is missing; re-creating it",
                        "sandbox",
                        s.name(),
                        "netns",
                        name);
            SandboxKernel k = new SandboxKernel(fresh ? Netns.create(name) : Netns.open(name));
            inv.putKernel(s.id(), k);
            if (fresh) k.rtnl().links().setUp(1);
            boolean first = true;
            for (Endpoint ep : inv.endpointsOf(s)) {
                Network n = inv.network(ep.networkId());
                NetworkDriver d = drivers.of(n);
                if (fresh || !d.isIntact(n, ep, k, hostLinks)) {
                    Log.info(
                            "reconcile: re-attaching an endpoint",
                            "sandbox",
                            s.name(),
                            "interface",
                            ep.ifName(),
                            "driver",
                            n.driver(),
                            "device",
                            n.device());
                    // fails e.g. when a parent Berth did not make is gone: only its owner can bring it back
                    reattach(s, n, d, ep, k, first);
                }
                first = false;
            }
        }
        removeVanished(gone);
    }

    /** Detaches the endpoint and attaches it again; a failure is logged, and reconcile goes on with the rest. */
    private static void reattach(
            Sandbox s, Network n, NetworkDriver d, Endpoint ep, SandboxKernel k, boolean defaultRoute) {
        d.detach(ep, k);
        try {
            d.attach(n, ep, k, defaultRoute, new Transaction("repair", Faults.NONE));
        } catch (RuntimeException ex) {
            Log.warn(
                    "reconcile: cannot re-attach an endpoint",
                    "sandbox",
                    s.name(),
                    "interface",
                    ep.ifName(),
                    "error",
                    ex.getMessage());
        }
    }

    /**
     * An attachment in another runtime's namespace: re-attached when its veth vanished; false when the
     * namespace itself is gone (its owner deleted it, and the kernel took the veth with it).
     */
    private boolean repairExternal(Sandbox s, Path path, HostLinks hostLinks) {
        if (!Files.exists(path)) return false;
        try (SandboxKernel k = new SandboxKernel(Netns.open(path))) {
            for (Endpoint ep : inv.endpointsOf(s)) {
                Network n = inv.network(ep.networkId());
                NetworkDriver d = drivers.of(n);
                if (d.isIntact(n, ep, k, hostLinks)) continue;
                Log.info(
                        "reconcile: re-attaching an attachment",
                        "attachment",
                        s.name(),
                        "interface",
                        ep.ifName(),
                        "host_interface",
                        ep.hostIfName(),
                        "netns",
                        path);
                // fails e.g. when the runtime put a link of that name there meanwhile
                reattach(s, n, d, ep, k, !ExternalNetns.hasDefaultRoute(k));
            }
        } catch (RuntimeException ex) {
            Log.warn(
                    "reconcile: cannot open a namespace", "sandbox", s.name(), "netns", path, "error", ex.getMessage());
        }
        return true;
    }

    /** Forgets attachments whose namespace vanished while Berth was down: addresses, ports and records go. */
    private void removeVanished(List<Sandbox> gone) {
        for (Sandbox s : gone) {
            Log.info("reconcile: an attachment's namespace is gone; removing it", "attachment", s.name());
            Teardown td = new Teardown("reconcile", Faults.NONE);
            for (Endpoint ep : inv.endpointsOf(s)) e.detach(ep, td);
            td.forget(0, "forget", () -> store.remove(Engine.SANDBOXES, s.id()));
            e.forgetSandbox(s);
        }
    }

    /**
     * Removes what carries Berth's marks but belongs to nothing: bridges whose alias names a network
     * that does not exist, veth ports of Berth's bridges that no endpoint owns, and namespaces under
     * Berth's prefix that no sandbox owns. Nothing without those marks is touched, and no link is
     * removed when the kernel gave no consistent dump of them: a link missing from a partial view is
     * not an orphan, so the orphan links wait for the next start.
     */
    private void removeOrphans() {
        removeOrphanLinks();
        removeOrphanNamespaces();
    }

    private void removeOrphanLinks() {
        List<Link> links = hostLinks().all().orElse(null);
        if (links == null) {
            Log.warn(
                    "reconcile: the host's link table kept changing under every dump; not removing orphan links this time");
            return;
        }
        Set<Integer> berthBridges = new HashSet<>();
        for (Link l : links) {
            if (!"bridge".equals(l.kind())) continue;
            boolean known = inv.networks().stream().anyMatch(n -> l.name().equals(n.device()));
            if (known) berthBridges.add(l.index());
            else if (l.alias() != null && l.alias().startsWith(BridgeDriver.ALIAS_PREFIX)) {
                Log.info("reconcile: removing an orphan bridge", "bridge", l.name(), "alias", l.alias());
                drivers.bridge().deleteQuietly(l.name());
            }
        }
        Set<String> owned = new HashSet<>();
        for (Endpoint ep : inv.endpoints()) owned.add(ep.hostIfName());
        for (Link l : links) {
            if (berthBridges.contains(l.masterIndex())
                    && "veth".equals(l.kind())
                    && l.name().startsWith("veth")
                    && !owned.contains(l.name())) {
                Log.info("reconcile: removing an orphan veth", "link", l.name());
                drivers.bridge().deleteQuietly(l.name());
            }
        }
    }

    /** Namespaces are listed from /run/netns, not dumped, so their view is whole. */
    private void removeOrphanNamespaces() {
        Set<String> sandboxNetns = new HashSet<>();
        for (Sandbox s : inv.sandboxes()) {
            if (s.netns() instanceof NetnsMode.Own own)
                sandboxNetns.add(Path.of(own.path()).getFileName().toString());
            if (s.netns() instanceof NetnsMode.External x)
                sandboxNetns.add(Path.of(x.path()).getFileName().toString()); // never Berth's to delete
        }
        for (String ns : Netns.list()) {
            if (ns.startsWith(netnsPrefix) && !sandboxNetns.contains(ns)) {
                Log.info("reconcile: removing an orphan namespace", "netns", ns);
                Engine.deleteNetnsQuietly(ns);
            }
        }
    }

    /**
     * Rewrites Berth's firewall tables from the state: rules that vanished come back, stale ones go, and
     * so do the anti-spoofing elements of endpoints a crash left half-made or half-removed.
     */
    private void syncFirewall() {
        List<PortRule> rules = new ArrayList<>();
        for (Sandbox s : inv.sandboxes()) rules.addAll(e.portRules(s));
        List<EndpointGuard> guards = new ArrayList<>();
        for (Endpoint ep : inv.endpoints()) {
            EndpointGuard g = Engine.guardOf(inv.network(ep.networkId()), ep);
            if (g != null) guards.add(g);
        }
        firewall.sync(
                inv.networks().stream()
                        .filter(n -> drivers.of(n).routedThroughHost())
                        .map(e::rules)
                        .toList(),
                rules,
                guards);
    }

    /** The host's links; a view that answers by lookups (and lists nothing) when no dump was consistent. */
    private HostLinks hostLinks() {
        HostLinks links = HostLinks.of(host.rtnl().links());
        if (!links.complete())
            Log.warn("reconcile: the host's link table kept changing under every dump; looking links up one by one");
        return links;
    }
}
