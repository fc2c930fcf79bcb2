package dev.berth.engine;

import dev.berth.engine.driver.BridgeDriver;
import dev.berth.engine.driver.BridgePorts;
import dev.berth.engine.driver.Drivers;
import dev.berth.engine.driver.HostKernel;
import dev.berth.engine.driver.LanDriver;
import dev.berth.engine.driver.NetworkDriver;
import dev.berth.engine.driver.NoEndpointsDriver;
import dev.berth.engine.driver.ParentLinks;
import dev.berth.engine.driver.SandboxKernel;
import dev.berth.engine.driver.VethReaper;
import dev.berth.engine.firewall.EndpointGuard;
import dev.berth.engine.firewall.Firewall;
import dev.berth.engine.firewall.NetworkRules;
import dev.berth.engine.firewall.PortRule;
import dev.berth.engine.ipam.AddressPool;
import dev.berth.engine.model.BridgeOptions;
import dev.berth.engine.model.DriverKind;
import dev.berth.engine.model.Network;
import dev.berth.engine.model.SubnetConfig;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.PortSpec;
import dev.berth.engine.request.SandboxChecks;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.engine.state.StateStore;
import dev.berth.engine.state.Status;
import dev.berth.engine.tx.Teardown;
import dev.berth.engine.tx.Transaction;
import dev.berth.model.BerthException;
import dev.berth.model.Cidr;
import dev.berth.model.Endpoint;
import dev.berth.model.Ids;
import dev.berth.model.MacAddress;
import dev.berth.model.NetnsMode;
import dev.berth.model.PortMapping;
import dev.berth.model.Sandbox;
import dev.berth.model.log.Log;
import dev.berth.netlink.MissingKernelFeatureException;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.Sysctl;
import dev.berth.netlink.route.LinkNames;
import dev.berth.netlink.route.Route;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Berth's single-host engine: networks, sandboxes and the endpoints between them, with their
 * addresses, bridges, veths and firewall rules. Every operation writes its intent to the state
 * store before touching the kernel, runs as a transaction that undoes itself on failure, and is
 * finished or rolled back by {@link #start} after a crash. Safe for concurrent use.
 */
public final class Engine implements AutoCloseable {
    static final String NETWORKS = "networks", SANDBOXES = "sandboxes", ENDPOINTS = "endpoints";

    private final EngineConfig config;
    private final StateStore store;
    private final HostKernel host;
    private final Firewall firewall;
    private final Drivers drivers;
    private final NetworkPlanner planner;
    private final PortTable ports;
    private final ReentrantReadWriteLock structure = new ReentrantReadWriteLock();
    private final Inventory inventory = new Inventory();
    private final Map<String, Object> sandboxLocks = new ConcurrentHashMap<>();
    private final VethReaper reaper;

    private Engine(EngineConfig config) {
        this.config = config;
        this.store = new StateStore(config.stateDir(), config.durableState(), config.faults());
        this.host = HostKernel.open(config.hostNetns());
        this.firewall = config.firewall().apply(config.hostNetns());
        this.drivers = new Drivers(
                new BridgeDriver(host), new LanDriver(host, new ParentLinks(host, store)), new NoEndpointsDriver());
        this.planner = new NetworkPlanner(config.networkDefaults().planner(config.hostId()));
        int[] range = ephemeralRange();
        this.ports = new PortTable(range[0], range[1]);
        this.reaper = new VethReaper(host);
    }

    /**
     * Starts an engine on the host namespace: loads the state, finishes or rolls back what a crash
     * interrupted, repairs what vanished from the kernel, removes Berth-named leftovers, and makes
     * sure the predefined networks exist. Running sandboxes keep their connectivity throughout.
     */
    public static Engine start(EngineConfig config) {
        Engine e = new Engine(config);
        try {
            e.firewall.init();
            e.enableForwarding();
            new Reconciler(e, e.inventory, e.store, e.drivers, e.firewall, e.host, e.config.netnsPrefix()).run();
            e.ensureDefaultBridge();
            return e;
        } catch (RuntimeException ex) {
            e.close();
            throw ex;
        }
    }

    // ------------------------------------------------------------------ networks

    /** Creates a network; nothing is left behind if any step fails. */
    public Network createNetwork(NetworkRequest request) {
        structure.writeLock().lock();
        try {
            // One RTM_GETLINK per name the planner asks about, not a dump of every link: with 1000 networks the
            // dump made each create slower than the one before.
            // The host's ranges only when a subnet is picked; they are kept from rtnetlink's notifications
            // (HostRanges).
            Network n = planner.plan(request, inventory.networks(), host::usedRanges, this::hostHasLink);
            return install(n, false);
        } finally {
            structure.writeLock().unlock();
        }
    }

    /** Records and builds a planned network. */
    private Network install(Network n, boolean adopted) {
        Transaction tx = new Transaction("create-network", config.faults());
        try {
            tx.step(
                    "record",
                    () -> store.put(NETWORKS, n.id(), Status.CREATING, n),
                    () -> store.remove(NETWORKS, n.id()));
            NetworkDriver d = drivers.of(n);
            d.createNetwork(n, adopted, tx);
            if (d.routedThroughHost()) {
                NetworkRules rules = rules(n);
                tx.step("firewall", () -> firewall.addNetwork(rules), () -> firewall.removeNetwork(rules));
            }
            tx.step("activate", () -> store.put(NETWORKS, n.id(), Status.ACTIVE, n), null);
            tx.commit();
        } catch (RuntimeException e) {
            tx.rollback();
            throw translate("create network " + n.name(), e);
        }
        inventory.addNetwork(n);
        return n;
    }

    private boolean hostHasLink(String name) {
        try {
            return host.rtnl().links().find(name).isPresent();
        } catch (IllegalArgumentException badName) {
            return false; // not a name the kernel could hold: no such link (the planner says what is wrong)
        }
    }

    /** Removes a network that has no endpoints; predefined networks cannot be removed. */
    public void removeNetwork(String idOrName) {
        structure.writeLock().lock();
        try {
            Network n = network(idOrName);
            if (n.predefined())
                throw new BerthException.Conflict(n.name() + " is a pre-defined network and cannot be removed");
            List<Endpoint> attached = endpointsOf(n);
            if (!attached.isEmpty())
                throw new BerthException.Conflict("error while removing network: network " + n.name() + " id " + n.id()
                        + " has active endpoints (" + attached.size() + ")");
            Teardown td = new Teardown("remove-network", config.faults());
            td.require(
                    "record",
                    () -> store.put(NETWORKS, n.id(), Status.REMOVING, n),
                    e -> translate("remove network " + n.name(), e));
            teardownNetwork(n, td);
            inventory.removeNetwork(n);
            if (!td.ok()) throw unfinished("remove network " + n.name(), td);
        } finally {
            structure.writeLock().unlock();
        }
    }

    /**
     * Kernel and firewall teardown of a network, then its record; also used by reconcile. Best effort: the
     * record stays (REMOVING) when a step failed, for reconcile to finish.
     */
    void teardownNetwork(Network n, Teardown td) {
        int mark = td.mark();
        NetworkDriver d = drivers.of(n);
        if (d.routedThroughHost()) td.step("firewall", () -> firewall.removeNetwork(rules(n)));
        List<Network> remaining = inventory.networks().stream()
                .filter(x -> !x.id().equals(n.id()))
                .toList();
        d.removeNetwork(n, isAdopted(n), remaining, td);
        td.forget(mark, "forget", () -> store.remove(NETWORKS, n.id()));
    }

    boolean isAdopted(Network n) {
        return n.predefined() && config.existingBridge() != null && n.device().equals(config.existingBridge());
    }

    public List<Network> networks() {
        List<Network> l = new ArrayList<>(inventory.networks());
        l.sort(Comparator.comparing(Network::created).thenComparing(Network::name));
        return l;
    }

    /** A network by id, unique id prefix or name. */
    public Network network(String idOrName) {
        return inventory.findNetwork(idOrName);
    }

    public List<Endpoint> endpointsOf(Network n) {
        return inventory.endpointsOf(n);
    }

    NetworkRules rules(Network n) {
        List<Cidr> subnets = n.subnets().stream().map(SubnetConfig::subnet).toList();
        BridgeOptions o = n.bridgeOptions();
        return new NetworkRules(
                n.id().substring(0, 12),
                n.device(),
                subnets,
                o.masquerade() && !n.internal(),
                o.icc(),
                n.internal(),
                clusterOf(subnets));
    }

    /** The endpoint's anti-spoofing elements, keyed by its bridge port; null unless its network is a bridge that guards. */
    static EndpointGuard guardOf(Network n, Endpoint e) {
        if (n == null || !(n.driverOptions() instanceof BridgeOptions o) || !o.antiSpoofing()) return null;
        return new EndpointGuard(e.hostIfName(), e.mac(), e.ipv4(), e.ipv6());
    }

    /** The cluster network when one of the subnets lies inside it (that network's traffic crosses hosts unmasqueraded). */
    private List<Cidr> clusterOf(List<Cidr> subnets) {
        if (config.clusterNetwork() == null) return List.of();
        Cidr cluster = Cidr.parse(config.clusterNetwork(), "clusterNetwork");
        for (Cidr s : subnets) if (cluster.contains(s)) return List.of(cluster);
        return List.of();
    }

    // ------------------------------------------------------------------ sandboxes

    /**
     * Creates a sandbox in the requested network mode, attaches it and publishes its ports, as the
     * network part of {@code docker run}. All or nothing.
     */
    public Sandbox createSandbox(SandboxRequest r) {
        return createSandbox(r, false, () -> {});
    }

    /**
     * As {@link #createSandbox(SandboxRequest)}; {@code netnsReady} runs once the namespace the sandbox's
     * container will use exists: for a namespace of its own as soon as it is made (before its interfaces,
     * addresses and ports), so a runtime may prepare the container in it meanwhile; for the other modes when
     * the sandbox is complete. It runs on the calling thread and must be quick; it does not run on failure
     * before the namespace exists.
     */
    public Sandbox createSandbox(SandboxRequest r, Runnable netnsReady) {
        boolean[] ran = {false};
        Runnable once = () -> {
            if (ran[0]) return;
            ran[0] = true;
            netnsReady.run();
        };
        Sandbox s = createSandbox(r, false, once);
        once.run();
        return s;
    }

    /**
     * A sandbox for a namespace another runtime will move the endpoint's interface into itself (Docker's
     * remote driver protocol: the namespace at {@code r.netnsPath()} may not exist yet). Its one endpoint's
     * veth is made with the container end left in the host namespace, named {@code r.endpoint().ifName()},
     * down and unaddressed; ports are published at once. Afterwards it is an ordinary
     * {@link NetnsMode.External} sandbox: removed, repaired and explained as those are.
     */
    public Sandbox createHandedOverSandbox(SandboxRequest r) {
        if (r.netnsPath() == null || r.endpoint().ifName() == null)
            throw new BerthException.InvalidRequest(
                    "netns", "a handed-over sandbox needs the runtime's namespace path and an interface name");
        return createSandbox(r, true, () -> {});
    }

    /**
     * Records the namespace a handed-over sandbox's interface goes to, when the runtime names it only after
     * the endpoint exists (Docker's remote driver: an address Berth gives at CreateEndpoint, the namespace
     * at Join). Changes no kernel object.
     */
    public Sandbox moveHandedOverSandbox(String id, String netnsPath) {
        structure.readLock().lock();
        try {
            Sandbox s = sandbox(id);
            if (!(s.netns() instanceof NetnsMode.External))
                throw new BerthException.InvalidRequest(
                        "netns", "sandbox " + s.name() + " is not in another runtime's namespace");
            Path path = ExternalNetns.checkFuture(netnsPath, config.hostNetns());
            synchronized (lockOf(s.id())) {
                Sandbox moved = new Sandbox(
                        s.id(),
                        s.name(),
                        s.hostname(),
                        new NetnsMode.External(path.toString()),
                        s.ports(),
                        s.exposed());
                store.put(SANDBOXES, s.id(), Status.ACTIVE, moved);
                inventory.putSandbox(moved);
                return moved;
            }
        } finally {
            structure.readLock().unlock();
        }
    }

    /**
     * Gives a sandbox a new name (docker rename): DNS answers the new one from the next refresh, and the
     * namespace file follows ({@code /run/netns/PREFIX+new}, so the old name is free for a new sandbox at
     * once). The new file is bound before the record names it and the old one removed after: a crash in
     * between leaves a file no record names, which reconcile removes.
     */
    public Sandbox renameSandbox(String id, String newName) {
        structure.readLock().lock();
        try {
            Sandbox s = sandbox(id);
            synchronized (lockOf(s.id())) {
                if (!inventory.claimName(newName, s.id()) && !s.name().equals(newName))
                    throw new BerthException.Conflict("the container name \"/" + newName + "\" is already in use");
                NetnsMode netns = s.netns();
                String oldFile = null;
                if (netns instanceof NetnsMode.Own own && !s.name().equals(newName)) {
                    oldFile = Path.of(own.path()).getFileName().toString();
                    String newFile = config.netnsPrefix() + newName;
                    try {
                        Netns.alias(oldFile, newFile);
                    } catch (RuntimeException e) {
                        inventory.releaseName(newName, s.id());
                        throw translate("rename the namespace of sandbox " + s.name(), e);
                    }
                    netns = new NetnsMode.Own(Netns.pathOf(newFile).toString());
                }
                Sandbox renamed = new Sandbox(s.id(), newName, s.hostname(), netns, s.ports(), s.exposed());
                store.put(SANDBOXES, s.id(), Status.ACTIVE, renamed);
                inventory.putSandbox(renamed);
                if (oldFile != null) deleteNetnsQuietly(oldFile);
                if (!s.name().equals(newName)) inventory.releaseName(s.name(), s.id());
                return renamed;
            }
        } finally {
            structure.readLock().unlock();
        }
    }

    private Sandbox createSandbox(SandboxRequest r, boolean handOver, Runnable netnsReady) {
        structure.readLock().lock();
        try {
            SandboxChecks.check(r);
            if (!inventory.claimName(r.name(), "reserved"))
                throw new BerthException.Conflict("the container name \"/" + r.name() + "\" is already in use");
            try {
                Sandbox s = buildSandbox(r, handOver, netnsReady);
                inventory.setName(r.name(), s.id());
                return s;
            } catch (RuntimeException | Error e) {
                inventory.releaseName(r.name(), "reserved");
                throw e;
            }
        } finally {
            structure.readLock().unlock();
        }
    }

    private Sandbox buildSandbox(SandboxRequest r, boolean handOver, Runnable netnsReady) {
        String mode = r.networkMode();
        String id = sandboxId(r);
        String hostname = r.hostname() == null || r.hostname().isBlank() ? id.substring(0, 12) : r.hostname();
        if (mode.equals("host")) {
            if (!r.publish().isEmpty() || r.publishAll())
                throw new BerthException.InvalidRequest(
                        "HostConfig.PortBindings",
                        "published ports are not used in host network mode: the sandbox already uses the host's ports");
            return commitSimple(new Sandbox(id, r.name(), hostname, new NetnsMode.Host(), List.of(), r.expose()));
        }
        if (mode.startsWith("container:")) {
            Sandbox target = sandbox(mode.substring("container:".length()));
            if (!r.publish().isEmpty() || r.publishAll())
                throw new BerthException.InvalidRequest(
                        "HostConfig.PortBindings",
                        "conflicting options: port publishing and the container type network mode");
            if (target.netns() instanceof NetnsMode.Joined j) target = inventory.sandbox(j.sandboxId());
            NetnsMode netns =
                    target.netns() instanceof NetnsMode.Host ? new NetnsMode.Host() : new NetnsMode.Joined(target.id());
            return commitSimple(new Sandbox(id, r.name(), hostname, netns, List.of(), r.expose()));
        }
        Network net = mode.equals("none") ? null : network(mode);
        if (net != null && !drivers.of(net).takesEndpoints())
            throw new BerthException.InvalidRequest(
                    "HostConfig.NetworkMode", "network " + mode + " cannot take containers");
        List<PortSpec> specs = portSpecs(r);
        if (net != null && !drivers.of(net).routedThroughHost() && !specs.isEmpty()) {
            // Docker's macvlan and ipvlan drivers ignore -p: the container has its own address on the LAN.
            Log.info(
                    "published ports are ignored on this driver (as Docker does); reach the container at its own address",
                    "sandbox",
                    r.name(),
                    "network",
                    net.name(),
                    "driver",
                    net.driver());
            specs = List.of();
        }
        if (net == null && !specs.isEmpty())
            throw new BerthException.InvalidRequest(
                    "HostConfig.PortBindings", "published ports need a network; network mode none has none");
        if (r.netnsPath() != null) return buildExternal(r, id, hostname, net, specs, handOver);
        String path = Netns.pathOf(config.netnsPrefix() + r.name()).toString();
        List<PortMapping> mappings = ports.reserve(id, specs, null);
        Sandbox s = new Sandbox(id, r.name(), hostname, new NetnsMode.Own(path), mappings, r.expose());
        Transaction tx = new Transaction("create-sandbox", config.faults());
        try {
            tx.step("record", () -> store.put(SANDBOXES, id, Status.CREATING, s), () -> store.remove(SANDBOXES, id));
            String netnsName = config.netnsPrefix() + r.name();
            SandboxKernel k = tx.create("netns", () -> SandboxKernel.create(netnsName), kernel -> {
                kernel.close();
                deleteNetnsQuietly(netnsName);
            });
            tx.step("lo", () -> k.rtnl().links().setUp(1), null);
            netnsReady.run();
            inventory.putKernel(id, k);
            inventory.putSandbox(s);
            // The endpoint is recorded ACTIVE at once: reconcile keeps an endpoint only if its sandbox is
            // ACTIVE too, so the sandbox's own activation below commits both, and a crash before it
            // rolls both back. This saves one state write per sandbox.
            // The ports are published with the endpoint's anti-spoofing elements, in one firewall transaction.
            if (net != null) attach(s, net, r.endpoint(), true, Status.ACTIVE, true, tx);
            tx.step("activate", () -> store.put(SANDBOXES, id, Status.ACTIVE, s), null);
            tx.commit();
            return s;
        } catch (RuntimeException e) {
            tx.rollback();
            forgetSandbox(s);
            throw translate("create sandbox " + r.name(), e);
        }
    }

    /**
     * A sandbox in a namespace another runtime made (CNI, Docker's remote driver): one endpoint on a
     * bridge network with its ports; the namespace is opened only while the endpoint is built, so Berth
     * never keeps it alive after its owner deletes it.
     */
    private Sandbox buildExternal(
            SandboxRequest r, String id, String hostname, Network net, List<PortSpec> specs, boolean handOver) {
        if (net == null || !net.isBridge())
            throw new BerthException.InvalidRequest(
                    "network",
                    "an endpoint in another runtime's namespace needs a bridge network; "
                            + (net == null ? "none has no network" : net.name() + " has driver " + net.driver()));
        Path path = handOver
                ? ExternalNetns.checkFuture(r.netnsPath(), config.hostNetns())
                : ExternalNetns.check(r.netnsPath(), config.hostNetns());
        List<PortMapping> mappings = ports.reserve(id, specs, null);
        Sandbox s = new Sandbox(id, r.name(), hostname, new NetnsMode.External(path.toString()), mappings, r.expose());
        Transaction tx = new Transaction("create-sandbox", config.faults());
        try {
            tx.step("record", () -> store.put(SANDBOXES, id, Status.CREATING, s), () -> store.remove(SANDBOXES, id));
            inventory.putSandbox(s);
            if (handOver) {
                attachForHandOver(s, net, r.endpoint(), tx);
            } else {
                SandboxKernel k = new SandboxKernel(Netns.open(path));
                inventory.putKernel(id, k);
                attach(s, net, r.endpoint(), !ExternalNetns.hasDefaultRoute(k), Status.ACTIVE, true, tx);
            }
            tx.step("activate", () -> store.put(SANDBOXES, id, Status.ACTIVE, s), null);
            tx.commit();
            return s;
        } catch (RuntimeException e) {
            tx.rollback();
            forgetSandbox(s);
            throw translate("attach " + r.name() + " in " + path, e);
        } finally {
            inventory.closeKernel(id);
        }
    }

    private String sandboxId(SandboxRequest r) {
        if (r.id() == null) return Ids.random();
        if (!r.id().matches("[0-9a-f]{64}"))
            throw new BerthException.InvalidRequest(
                    "Id", "'" + r.id() + "' is not a sandbox id: 64 lower-case hex digits");
        if (inventory.hasSandbox(r.id())) throw new BerthException.Conflict("a sandbox with id " + r.id() + " exists");
        return r.id();
    }

    private Sandbox commitSimple(Sandbox s) {
        Transaction tx = new Transaction("create-sandbox", config.faults());
        tx.step("activate", () -> store.put(SANDBOXES, s.id(), Status.ACTIVE, s), null);
        inventory.putSandbox(s);
        return s;
    }

    private List<PortSpec> portSpecs(SandboxRequest r) {
        List<PortSpec> specs = new ArrayList<>();
        for (int i = 0; i < r.publish().size(); i++)
            specs.addAll(PortSpec.parse(r.publish().get(i), "HostConfig.PortBindings[" + i + "]"));
        if (r.publishAll()) {
            for (int i = 0; i < r.expose().size(); i++) {
                String e = r.expose().get(i);
                for (PortSpec p : PortSpec.parse(e, "ExposedPorts[" + i + "]"))
                    if (specs.stream()
                            .noneMatch(x -> x.containerPort() == p.containerPort() && x.protocol() == p.protocol()))
                        specs.add(new PortSpec(null, 0, p.containerPort(), p.protocol()));
            }
        }
        return specs;
    }

    /** Removes a sandbox: its ports, endpoints and namespace. Sandboxes that joined it lose their network. */
    public void removeSandbox(String idOrName) {
        structure.readLock().lock();
        try {
            Sandbox s = sandbox(idOrName);
            synchronized (lockOf(s.id())) {
                Teardown td = new Teardown("remove-sandbox", config.faults());
                td.require(
                        "record",
                        () -> store.put(SANDBOXES, s.id(), Status.REMOVING, s),
                        e -> translate("remove sandbox " + s.name(), e));
                teardownSandbox(s, td);
                forgetSandbox(s);
                if (!td.ok()) throw unfinished("remove sandbox " + s.name(), td);
            }
        } finally {
            structure.readLock().unlock();
        }
    }

    /**
     * Unpublishes, detaches every endpoint, deletes the namespace, forgets the record. Best effort: the
     * record stays (REMOVING) when a step failed, for reconcile to finish.
     */
    void teardownSandbox(Sandbox s, Teardown td) {
        int mark = td.mark();
        List<PortRule> rules = portRules(s);
        if (!rules.isEmpty()) td.step("unpublish", () -> firewall.removePorts(rules));
        for (Endpoint e : endpointsOf(s)) detach(e, td);
        if (s.netns() instanceof NetnsMode.Own own) {
            inventory.closeKernel(s.id());
            String name = Path.of(own.path()).getFileName().toString();
            td.step("netns", () -> deleteNetnsQuietly(name));
        }
        td.forget(mark, "forget", () -> store.remove(SANDBOXES, s.id()));
    }

    void forgetSandbox(Sandbox s) {
        ports.release(s.id(), s.ports());
        inventory.removeSandbox(s);
        sandboxLocks.remove(s.id());
    }

    /** Takes back a sandbox from the state at start-up, name included. */
    void restoreSandbox(Sandbox s) {
        inventory.putSandbox(s);
        inventory.setName(s.name(), s.id());
        ports.restore(s.id(), s.ports());
    }

    static void deleteNetnsQuietly(String name) {
        try {
            if (Netns.exists(name)) Netns.delete(name);
        } catch (IllegalArgumentException ignored) {
            // already gone
        }
    }

    /** The sandboxes whose namespace Berth owns or shares (its own containers'); not other runtimes' attachments. */
    public List<Sandbox> sandboxes() {
        List<Sandbox> out = new ArrayList<>();
        for (Sandbox s : inventory.sandboxes()) if (!(s.netns() instanceof NetnsMode.External)) out.add(s);
        return out;
    }

    /**
     * The attachments: sandboxes in namespaces other runtimes own (CNI, Docker's remote driver), whose
     * namespace is {@link NetnsMode.External}.
     */
    public List<Sandbox> attachments() {
        List<Sandbox> out = new ArrayList<>();
        for (Sandbox s : inventory.sandboxes()) if (s.netns() instanceof NetnsMode.External) out.add(s);
        return out;
    }

    /** A sandbox by id, unique id prefix or name. */
    public Sandbox sandbox(String idOrName) {
        return inventory.findSandbox(idOrName);
    }

    public List<Endpoint> endpointsOf(Sandbox s) {
        return inventory.endpointsOf(s);
    }

    /** The namespace a sandbox named {@code name} with a namespace of its own gets when it is created. */
    public Path plannedNetnsPath(String name) {
        return Netns.pathOf(config.netnsPrefix() + name);
    }

    /** The file of the namespace the sandbox's processes run in, for setns or {@code ip netns exec}. */
    public Path netnsPath(Sandbox s) {
        return switch (s.netns()) {
            case NetnsMode.Own own -> Path.of(own.path());
            case NetnsMode.External x -> Path.of(x.path());
            case NetnsMode.Host h -> Path.of("/proc/self/ns/net");
            case NetnsMode.Joined j -> {
                Sandbox t = inventory.sandbox(j.sandboxId());
                if (t == null) throw new BerthException.NotFound("the container " + s.name() + " joined is gone");
                yield netnsPath(t);
            }
        };
    }

    // ------------------------------------------------------------------ endpoints

    /** Connects a running sandbox to one more network. */
    public Endpoint connect(String sandboxIdOrName, String networkIdOrName, EndpointRequest r) {
        structure.readLock().lock();
        try {
            Sandbox s = sandbox(sandboxIdOrName);
            Network n = network(networkIdOrName);
            if (!(s.netns() instanceof NetnsMode.Own))
                throw new BerthException.Conflict("container " + s.name()
                        + " shares another namespace (host or container mode) and cannot be connected to networks");
            if (!drivers.of(n).takesEndpoints())
                throw new BerthException.Conflict(
                        "container cannot be connected to network " + n.name() + " (driver " + n.driver() + ")");
            SandboxChecks.endpoint(r, "EndpointConfig");
            synchronized (lockOf(s.id())) {
                boolean first = endpointsOf(s).isEmpty();
                GatewayOrder.Gateways before = gateways(s);
                List<PortRule> rulesBefore = portRules(s);
                Transaction tx = new Transaction("connect", config.faults());
                try {
                    Endpoint e = attach(s, n, r, first, Status.CREATING, false, tx);
                    if (!first) moveGateway(s, before, rulesBefore, tx);
                    tx.step("activate", () -> activate(e), null);
                    tx.commit();
                    return e;
                } catch (RuntimeException e) {
                    tx.rollback();
                    throw translate("connect " + s.name() + " to " + n.name(), e);
                }
            }
        } finally {
            structure.readLock().unlock();
        }
    }

    /** Disconnects a sandbox from a network; with {@code force}, a sandbox that is gone is still detached. */
    public void disconnect(String sandboxIdOrName, String networkIdOrName, boolean force) {
        structure.readLock().lock();
        try {
            Sandbox s = sandbox(sandboxIdOrName);
            Network n = network(networkIdOrName);
            synchronized (lockOf(s.id())) {
                Endpoint e = endpointsOf(s).stream()
                        .filter(x -> x.networkId().equals(n.id()))
                        .findFirst()
                        .orElseThrow(() -> new BerthException.Conflict(
                                "container " + s.id() + " is not connected to network " + n.name()));
                Teardown td = new Teardown("disconnect", config.faults());
                List<PortRule> rules = portRules(s);
                boolean carriesPorts =
                        !rules.isEmpty() && rules.getFirst().containerIp().equals(e.ipv4());
                boolean gave = gateways(s).gives(e);
                if (carriesPorts) td.step("unpublish", () -> firewall.removePorts(rules));
                detachLater(e, td);
                // the next endpoint in Docker's order gives the default routes (the old ones went with the link)
                if (gave) td.step("gateway", () -> setDefaultRoutes(s, gateways(s)));
                if (carriesPorts && !portRules(s).isEmpty()) {
                    List<PortRule> moved = portRules(s);
                    td.step("republish", () -> firewall.addPorts(moved));
                }
                if (!td.ok()) throw unfinished("disconnect " + s.name() + " from " + n.name(), td);
            }
        } finally {
            structure.readLock().unlock();
        }
    }

    /**
     * Allocates, records and builds one endpoint inside the caller's transaction. The record is
     * CREATING when the endpoint must be activated on its own (connect), ACTIVE when the sandbox is
     * being created with it and the sandbox's activation commits both. With {@code publish}, the sandbox's
     * ports are published too (they go to its first bridge endpoint, this one).
     */
    private Endpoint attach(
            Sandbox s,
            Network n,
            EndpointRequest r,
            boolean gatewayRoute,
            Status recorded,
            boolean publish,
            Transaction tx) {
        if (endpointsOf(s).stream().anyMatch(e -> e.networkId().equals(n.id())))
            throw new BerthException.Conflict(
                    "endpoint with name " + s.name() + " already exists in network " + n.name());
        SandboxKernel k = inventory.kernel(s.id());
        if (k == null) throw new BerthException.Conflict("container " + s.name() + " has no namespace of its own");
        NetworkDriver d = drivers.of(n);
        d.validateEndpoint(n, r, () -> endpointsOf(n));
        String id = Ids.random();
        String field4 = "EndpointConfig.IPAMConfig.IPv4Address";
        InetAddress wanted4 = r.ipv4() == null || r.ipv4().isBlank() ? null : NetworkPlanner.literal(r.ipv4(), field4);
        InetAddress v4 = allocate(n, d.ipv4SubnetFor(n, wanted4), r.ipv4(), field4, tx);
        InetAddress v6 = n.ipv6Subnet() == null
                ? null
                : allocate(n, n.ipv6Subnet(), r.ipv6(), "EndpointConfig.IPAMConfig.IPv6Address", tx);
        MacAddress mac = d.endpointMac(n, mac(r.mac()));
        Endpoint e = new Endpoint(
                id, n.id(), s.id(), ifName(s, r), d.hostIfName(id), mac, v4, v6, r.aliases(), r.gwPriority());
        // An endpoint with a host link (a bridge's veth) that a connect adds is recorded once, ACTIVE, when it is
        // whole (activate): a crash before leaves a veth port of a Berth bridge that no record owns, which start-up
        // reconcile removes as an orphan (its guard elements go with the firewall's sync, its address was only
        // allocated in memory). One state write fewer. A macvlan/ipvlan link lives inside the sandbox, where
        // reconcile looks for no orphans: it is recorded first.
        if (recorded != Status.CREATING || e.hostIfName() == null)
            tx.step("record", () -> store.put(ENDPOINTS, id, recorded, e), () -> store.remove(ENDPOINTS, id));
        inventory.putEndpoint(e);
        tx.step("register", () -> {}, () -> inventory.removeEndpoint(id));
        guard(n, e, publish ? portRules(s) : List.of(), tx);
        d.attach(n, e, k, gatewayRoute, tx);
        return e;
    }

    /**
     * Anti-spoofing for a bridge endpoint, before its veth exists: the container can never send a frame
     * the guard has not seen its port for. The elements are keyed by the port's name, so they stay
     * valid if reconcile re-creates the veth. The ports share the transaction (one libnftables call,
     * and a taken port fails before any link is made).
     */
    private void guard(Network n, Endpoint e, List<PortRule> ports, Transaction tx) {
        EndpointGuard g = guardOf(n, e);
        List<EndpointGuard> gs = g == null ? List.of() : List.of(g);
        if (gs.isEmpty() && ports.isEmpty()) return;
        tx.step(
                "firewall",
                () -> firewall.addGuardsAndPorts(gs, ports),
                () -> firewall.removeGuardsAndPorts(gs, ports));
    }

    /** The one endpoint of a handed-over sandbox: allocated and recorded as {@link #attach} does, its container end left in the host. */
    private void attachForHandOver(Sandbox s, Network n, EndpointRequest r, Transaction tx) {
        BridgePorts.checkRoom(n, endpointsOf(n).size());
        String id = Ids.random();
        InetAddress v4 = allocate(n, n.ipv4(), r.ipv4(), "EndpointConfig.IPAMConfig.IPv4Address", tx);
        InetAddress v6 = n.ipv6Subnet() == null
                ? null
                : allocate(n, n.ipv6Subnet(), r.ipv6(), "EndpointConfig.IPAMConfig.IPv6Address", tx);
        Endpoint e = new Endpoint(
                id, n.id(), s.id(), ifName(s, r), drivers.bridge().hostIfName(id), mac(r.mac()), v4, v6, r.aliases());
        tx.step("record", () -> store.put(ENDPOINTS, id, Status.ACTIVE, e), () -> store.remove(ENDPOINTS, id));
        inventory.putEndpoint(e);
        tx.step("register", () -> {}, () -> inventory.removeEndpoint(id));
        guard(n, e, portRules(s), tx);
        drivers.bridge().attachForHandOver(n, e, tx);
    }

    private InetAddress allocate(Network n, SubnetConfig s, String requested, String field, Transaction tx) {
        if (s == null) return null;
        AddressPool pool = inventory.pool(n, s);
        if (requested == null || requested.isBlank()) {
            return tx.create("allocate", pool::allocate, pool::release);
        }
        InetAddress a = NetworkPlanner.literal(requested, field);
        if (n.predefined())
            throw new BerthException.InvalidRequest(
                    field,
                    "user specified IP address is supported only when connecting to networks with user configured subnets");
        return tx.create(
                "allocate",
                () -> {
                    pool.allocate(a, field);
                    return a;
                },
                pool::release);
    }

    private static MacAddress mac(String text) {
        MacAddress m = SandboxChecks.mac(text, "EndpointConfig.MacAddress");
        return m == null ? MacAddress.randomLocal() : m;
    }

    private String ifName(Sandbox s, EndpointRequest r) {
        if (r.ifName() == null) return "eth" + nextInterfaceIndex(s);
        try {
            LinkNames.check(r.ifName());
        } catch (IllegalArgumentException e) {
            throw new BerthException.InvalidRequest("ifName", e.getMessage());
        }
        if (endpointsOf(s).stream().anyMatch(x -> x.ifName().equals(r.ifName())))
            throw new BerthException.Conflict("container " + s.name() + " already has an interface " + r.ifName());
        return r.ifName();
    }

    private int nextInterfaceIndex(Sandbox s) {
        Set<String> used = new HashSet<>();
        for (Endpoint e : endpointsOf(s)) used.add(e.ifName());
        int i = 0;
        while (used.contains("eth" + i)) i++;
        LinkNames.check("eth" + i);
        return i;
    }

    private Endpoint activate(Endpoint e) {
        store.put(ENDPOINTS, e.id(), Status.ACTIVE, e);
        return e;
    }

    /**
     * Removes an endpoint's kernel objects, record and address; also used by reconcile. Best effort: the
     * record stays (REMOVING) when a step failed, for reconcile to finish; the address is given back.
     */
    void detach(Endpoint e, Teardown td) {
        int mark = td.mark();
        td.step("endpoint-record", () -> store.put(ENDPOINTS, e.id(), Status.REMOVING, e));
        td.step("veth", () -> detachLink(e));
        // After the veth is gone, so that its port is guarded as long as it can send.
        EndpointGuard g = guardOf(inventory.network(e.networkId()), e);
        if (g != null) td.step("unguard", () -> firewall.removeGuards(List.of(g)));
        td.forget(mark, "endpoint-forget", () -> store.remove(ENDPOINTS, e.id()));
        inventory.releaseEndpoint(e);
    }

    /**
     * As {@link #detach}, for a disconnect: a bridge endpoint's veth pair is retired (down, its addresses gone, its
     * container end renamed away) and deleted afterwards by the reaper, which then forgets the REMOVING record;
     * the address is released at once, since nothing can send from it any more. The record is the journal of the
     * pending deletion: a crash before the reaper finished leaves it, and start-up reconcile deletes the link.
     */
    private void detachLater(Endpoint e, Teardown td) {
        int mark = td.mark();
        td.step("endpoint-record", () -> store.put(ENDPOINTS, e.id(), Status.REMOVING, e));
        Network n = inventory.network(e.networkId());
        boolean[] retired = {false};
        td.step("veth", () -> {
            retired[0] = drivers.ofEndpoint(n, e).retire(n, e, inventory.kernel(e.sandboxId()));
            if (!retired[0]) detachLink(e);
        });
        // After the link can no longer send (down or gone), so that its port is guarded as long as it can.
        EndpointGuard g = guardOf(n, e);
        if (g != null) td.step("unguard", () -> firewall.removeGuards(List.of(g)));
        if (retired[0]) {
            // a failed step keeps the record (REMOVING) for reconcile to finish, as td.forget does
            Runnable forget = td.mark() == mark ? () -> store.remove(ENDPOINTS, e.id()) : () -> {};
            td.step("reap", () -> reaper.submit(new VethReaper.Job(e.hostIfName(), forget)));
        } else {
            td.forget(mark, "endpoint-forget", () -> store.remove(ENDPOINTS, e.id()));
        }
        inventory.releaseEndpoint(e);
    }

    /** Waits until the veths that disconnects retired are deleted (tests and benchmarks look at the kernel after). */
    public void settle() {
        reaper.settle();
    }

    /** Deletes an endpoint's link: the host veth of a bridge endpoint, the macvlan/ipvlan link inside the sandbox. */
    private void detachLink(Endpoint e) {
        drivers.ofEndpoint(inventory.network(e.networkId()), e).detach(e, inventory.kernel(e.sandboxId()));
    }

    // ------------------------------------------------------------------ ports

    private void publish(Sandbox s, Transaction tx) {
        List<PortRule> rules = portRules(s);
        if (rules.isEmpty()) return;
        tx.step("publish", () -> firewall.addPorts(rules), () -> firewall.removePorts(rules));
    }

    /**
     * The firewall rules for a sandbox's published ports: DNAT to the IPv4 address of its IPv4 gateway
     * endpoint (as Docker publishes on the gateway endpoint), else of its first endpoint routed through the host.
     */
    List<PortRule> portRules(Sandbox s) {
        if (s.ports().isEmpty()) return List.of();
        List<Endpoint> mine = endpointsOf(s);
        Endpoint gw = mine.size() > 1
                ? new GatewayOrder(inventory::network, drivers::of).select(mine).v4()
                : null;
        Endpoint target = gw != null && gw.ipv4() != null && routed(gw)
                ? gw
                : mine.stream()
                        .filter(e -> e.ipv4() != null && routed(e))
                        .findFirst()
                        .orElse(null);
        if (target == null) return List.of();
        Network n = inventory.network(target.networkId());
        InetAddress defaultIp = n.bridgeOptions().defaultHostIp();
        List<PortRule> out = new ArrayList<>();
        for (PortMapping m : s.ports())
            out.add(new PortRule(
                    n.device(),
                    m.protocol(),
                    m.hostIp() != null ? m.hostIp() : defaultIp,
                    m.hostPort(),
                    target.ipv4(),
                    m.containerPort()));
        return out;
    }

    private boolean routed(Endpoint e) {
        Network n = inventory.network(e.networkId());
        return n != null && drivers.of(n).routedThroughHost();
    }

    // ------------------------------------------------------------------ gateway

    /** The endpoints giving the sandbox's default routes now (Docker's rule, {@link GatewayOrder}). */
    private GatewayOrder.Gateways gateways(Sandbox s) {
        return new GatewayOrder(inventory::network, drivers::of).select(endpointsOf(s));
    }

    /**
     * After an endpoint joined: when it now gives a default route (a higher GwPriority, or Docker's order),
     * the routes and the published ports move to it, in the connect's transaction.
     */
    private void moveGateway(Sandbox s, GatewayOrder.Gateways before, List<PortRule> rulesBefore, Transaction tx) {
        GatewayOrder.Gateways after = gateways(s);
        if (!after.equals(before))
            tx.step("gateway", () -> setDefaultRoutes(s, after, before), () -> setDefaultRoutes(s, before, after));
        List<PortRule> rulesAfter = portRules(s);
        if (!rulesAfter.equals(rulesBefore))
            tx.step(
                    "move ports",
                    () -> {
                        firewall.removePorts(rulesBefore);
                        firewall.addPorts(rulesAfter);
                    },
                    () -> {
                        firewall.removePorts(rulesAfter);
                        firewall.addPorts(rulesBefore);
                    });
    }

    /**
     * Makes the sandbox's main-table default routes those of {@code g}: each family's route is replaced in
     * one netlink request (no moment without one), and a family no endpoint gives a route for loses its own.
     */
    private void setDefaultRoutes(Sandbox s, GatewayOrder.Gateways g) {
        setDefaultRoutes(s, g, null);
    }

    /**
     * As above, for the families whose gateway endpoint differs from {@code was}'s (all when {@code was} is
     * null): a connect that moves the IPv4 route leaves a sandbox without IPv6 alone, with no route dump.
     */
    private void setDefaultRoutes(Sandbox s, GatewayOrder.Gateways g, GatewayOrder.Gateways was) {
        SandboxKernel k = inventory.kernel(s.id());
        if (k == null) return;
        for (boolean v6 : new boolean[] {false, true}) {
            if (was != null && Objects.equals(v6 ? g.v6() : g.v4(), v6 ? was.v6() : was.v4())) continue;
            Route want = gatewayRoute(k, v6 ? g.v6() : g.v4(), v6);
            if (want != null) {
                k.rtnl().routes().replace(want);
                continue;
            }
            for (Route r : k.rtnl().routes().listMain())
                if (r.isDefault() && r.ipv6() == v6) k.rtnl().routes().delete(r);
        }
    }

    /** The default route of family {@code v6} that endpoint {@code e} (may be null) gives, or null. */
    private Route gatewayRoute(SandboxKernel k, Endpoint e, boolean v6) {
        if (e == null) return null;
        Network n = inventory.network(e.networkId());
        int index = k.rtnl().links().get(e.ifName()).index();
        for (Route r : drivers.of(n).gatewayRoutes(n, e, index)) if (r.ipv6() == v6) return r;
        return null;
    }

    // ------------------------------------------------------------------ helpers

    private Object lockOf(String sandboxId) {
        return sandboxLocks.computeIfAbsent(sandboxId, k -> new Object());
    }

    /**
     * A removal that went past failed steps: one error naming each step that failed and why. The rest was
     * removed; the records of what is left stay REMOVING, and the next start finishes them.
     */
    static BerthException unfinished(String what, Teardown td) {
        return new BerthException.Failed(
                what + ": " + String.join("; ", td.failures())
                        + " (everything else was removed; berthd finishes this at its next start)",
                td.firstCause());
    }

    /** Kernel errors become engine errors that say what was being done; engine errors pass through. */
    static RuntimeException translate(String what, RuntimeException e) {
        if (e instanceof BerthException) return e;
        if (e instanceof MissingKernelFeatureException m)
            return new BerthException.Unsupported(what + ": " + m.getMessage(), m);
        if (e instanceof NetlinkException n) return new BerthException.Failed(what + ": " + n.getMessage(), n);
        return new BerthException.Failed(what + ": " + e.getMessage(), e);
    }

    /** Containers' traffic is routed through the host, so the host must forward (Docker does the same). */
    private void enableForwarding() {
        for (String key : List.of("net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding")) {
            if ("1".equals(Sysctl.read(config.hostNetns(), key))) continue;
            Sysctl.write(config.hostNetns(), key, "1");
            Log.info(
                    "enabled forwarding in the host namespace: containers' traffic is routed through it",
                    "sysctl",
                    key);
        }
    }

    private int[] ephemeralRange() {
        String[] r = Sysctl.read(config.hostNetns(), "net.ipv4.ip_local_port_range")
                .trim()
                .split("\\s+");
        return new int[] {Integer.parseInt(r[0]), Integer.parseInt(r[1])};
    }

    /** The default bridge network "bridge" (device berth0, 172.17.0.0/16 unless taken), plus host and none. */
    private void ensureDefaultBridge() {
        structure.writeLock().lock();
        try {
            if (inventory.networks().stream().noneMatch(n -> n.name().equals("bridge")))
                install(DefaultNetworks.bridge(config, host, inventory.networks()), config.existingBridge() != null);
            if (inventory.networks().stream().noneMatch(n -> n.name().equals("host")))
                inventory.addNetwork(DefaultNetworks.plain("host", DriverKind.HOST));
            if (inventory.networks().stream().noneMatch(n -> n.name().equals("none")))
                inventory.addNetwork(DefaultNetworks.plain("none", DriverKind.NULL));
        } finally {
            structure.writeLock().unlock();
        }
    }

    /** The host namespace's handles (tests in this package look at the kernel through them). */
    HostKernel host() {
        return host;
    }

    /** The state store (tests in this package read the records). */
    StateStore store() {
        return store;
    }

    /** Stops the engine without touching the kernel: sandboxes keep running and their networking stays. */
    @Override
    public void close() {
        reaper.close();
        inventory.closeKernels();
        firewall.close();
        host.close();
        store.close();
    }
}
