package dev.berth.engine;

import dev.berth.engine.driver.SandboxKernel;
import dev.berth.engine.ipam.AddressPool;
import dev.berth.engine.model.Network;
import dev.berth.engine.model.SubnetConfig;
import dev.berth.model.BerthException;
import dev.berth.model.Endpoint;
import dev.berth.model.Sandbox;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What the engine holds in memory: the networks with their address pools, the sandboxes with their names
 * and open namespaces, and the endpoints between them (by id and by sandbox). The state store is the
 * record; this is the index the engine and reconcile work on. It changes no kernel object and no record.
 * Safe for concurrent use; the engine's locks order the changes.
 */
final class Inventory {
    private final Map<String, Network> networks = new ConcurrentHashMap<>();
    private final Map<String, AddressPool> pools = new ConcurrentHashMap<>();
    private final Map<String, Sandbox> sandboxes = new ConcurrentHashMap<>();
    /** The sandboxes' names, to their id, or "reserved" while a sandbox of that name is being made. */
    private final Map<String, String> sandboxNames = new ConcurrentHashMap<>();
    /** The namespaces Berth keeps open, by sandbox id. */
    private final Map<String, SandboxKernel> kernels = new ConcurrentHashMap<>();

    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    /** The endpoints again, by sandbox id, so a sandbox's endpoints are found without scanning them all. */
    private final Map<String, Map<String, Endpoint>> endpointsBySandbox = new ConcurrentHashMap<>();
    /** And by network id: a network's endpoints (a bridge's room for one more, inspect) without a scan of all. */
    private final Map<String, Map<String, Endpoint>> endpointsByNetwork = new ConcurrentHashMap<>();

    // ------------------------------------------------------------------ networks

    /** Adds a network and an address pool per subnet. */
    void addNetwork(Network n) {
        networks.put(n.id(), n);
        for (SubnetConfig s : n.subnets()) pools.put(poolKey(n, s), new AddressPool(s));
    }

    /** Forgets a network and its pools. */
    void removeNetwork(Network n) {
        networks.remove(n.id());
        pools.keySet().removeIf(k -> k.startsWith(n.id() + "/"));
    }

    /** A network by its full id; null when there is none. */
    Network network(String id) {
        return networks.get(id);
    }

    boolean hasNetwork(String id) {
        return networks.containsKey(id);
    }

    /** Every network, unordered (a live view). */
    Collection<Network> networks() {
        return Collections.unmodifiableCollection(networks.values());
    }

    /** A network by id, name or unique id prefix. */
    Network findNetwork(String idOrName) {
        return lookup(networks, idOrName, Network::name, Network::id, "network " + idOrName + " not found");
    }

    AddressPool pool(Network n, SubnetConfig s) {
        return pools.get(poolKey(n, s));
    }

    /**
     * Marks an endpoint's addresses taken again, subnet by subnet; stops at the first that another endpoint
     * holds and returns it (the endpoint is then dropped), null when all were free.
     */
    InetAddress restoreAddresses(Endpoint x) {
        Network n = networks.get(x.networkId());
        for (SubnetConfig s : n.subnets()) {
            AddressPool p = pool(n, s);
            InetAddress a = s.isIpv4() ? x.ipv4() : x.ipv6();
            if (a == null || !s.subnet().contains(a)) continue; // a network may have several subnets of a family
            if (p.isAllocated(a)) return a;
            p.restore(a);
        }
        return null;
    }

    /** Forgets an endpoint and gives its addresses back to its network's pools. */
    void releaseEndpoint(Endpoint e) {
        removeEndpoint(e.id());
        Network n = networks.get(e.networkId());
        if (n == null) return;
        for (SubnetConfig s : n.subnets()) {
            AddressPool p = pool(n, s);
            InetAddress a = s.isIpv4() ? e.ipv4() : e.ipv6();
            if (p != null && a != null) p.release(a);
        }
    }

    private static String poolKey(Network n, SubnetConfig s) {
        return n.id() + "/" + s.subnet();
    }

    // ------------------------------------------------------------------ sandboxes

    void putSandbox(Sandbox s) {
        sandboxes.put(s.id(), s);
    }

    /** A sandbox by its full id; null when there is none. */
    Sandbox sandbox(String id) {
        return sandboxes.get(id);
    }

    boolean hasSandbox(String id) {
        return sandboxes.containsKey(id);
    }

    /** Every sandbox, unordered (a live view). */
    Collection<Sandbox> sandboxes() {
        return Collections.unmodifiableCollection(sandboxes.values());
    }

    /** A sandbox by name (without a scan), id or unique id prefix. */
    Sandbox findSandbox(String idOrName) {
        String byName = sandboxNames.get(idOrName);
        Sandbox s = byName == null ? null : sandboxes.get(byName);
        if (s != null) return s;
        return lookup(sandboxes, idOrName, Sandbox::name, Sandbox::id, "No such container: " + idOrName);
    }

    /** Takes a name for {@code owner} (a sandbox id, or a placeholder while one is made); false if it is taken. */
    boolean claimName(String name, String owner) {
        return sandboxNames.putIfAbsent(name, owner) == null;
    }

    /** Gives a name to a sandbox, whoever held it. */
    void setName(String name, String sandboxId) {
        sandboxNames.put(name, sandboxId);
    }

    /** Frees a name if {@code owner} holds it. */
    void releaseName(String name, String owner) {
        sandboxNames.remove(name, owner);
    }

    /** Forgets a sandbox, its name and its open namespace (closed). */
    void removeSandbox(Sandbox s) {
        sandboxes.remove(s.id());
        sandboxNames.remove(s.name(), s.id());
        closeKernel(s.id());
    }

    /** The namespace kept open for a sandbox; null when it has none open. */
    SandboxKernel kernel(String sandboxId) {
        return kernels.get(sandboxId);
    }

    void putKernel(String sandboxId, SandboxKernel k) {
        kernels.put(sandboxId, k);
    }

    /** Closes and forgets a sandbox's open namespace, if it has one. */
    void closeKernel(String sandboxId) {
        SandboxKernel k = kernels.remove(sandboxId);
        if (k != null) k.close();
    }

    void closeKernels() {
        for (SandboxKernel k : kernels.values()) k.close();
        kernels.clear();
    }

    // ------------------------------------------------------------------ endpoints

    void putEndpoint(Endpoint e) {
        endpoints.put(e.id(), e);
        endpointsBySandbox.compute(e.sandboxId(), (k, m) -> {
            Map<String, Endpoint> out = m == null ? new ConcurrentHashMap<>() : m;
            out.put(e.id(), e);
            return out;
        });
        endpointsByNetwork.compute(e.networkId(), (k, m) -> {
            Map<String, Endpoint> out = m == null ? new ConcurrentHashMap<>() : m;
            out.put(e.id(), e);
            return out;
        });
    }

    void removeEndpoint(String id) {
        Endpoint e = endpoints.remove(id);
        if (e == null) return;
        endpointsBySandbox.computeIfPresent(e.sandboxId(), (k, m) -> {
            m.remove(id);
            return m.isEmpty() ? null : m;
        });
        endpointsByNetwork.computeIfPresent(e.networkId(), (k, m) -> {
            m.remove(id);
            return m.isEmpty() ? null : m;
        });
    }

    /** Every endpoint, unordered (a live view). */
    Collection<Endpoint> endpoints() {
        return Collections.unmodifiableCollection(endpoints.values());
    }

    /** A sandbox's endpoints by interface name. */
    List<Endpoint> endpointsOf(Sandbox s) {
        Map<String, Endpoint> mine = endpointsBySandbox.get(s.id());
        List<Endpoint> l = mine == null ? new ArrayList<>() : new ArrayList<>(mine.values());
        l.sort(Comparator.comparing(Endpoint::ifName));
        return l;
    }

    List<Endpoint> endpointsOf(Network n) {
        Map<String, Endpoint> of = endpointsByNetwork.get(n.id());
        return of == null ? List.of() : List.copyOf(of.values());
    }

    /** How many endpoints a network has, without listing them. */
    int endpointCount(Network n) {
        Map<String, Endpoint> of = endpointsByNetwork.get(n.id());
        return of == null ? 0 : of.size();
    }

    /** Finds by full id, then by name, then by a unique id prefix, as Docker does. */
    private static <T> T lookup(
            Map<String, T> byId, String key, Function<T, String> name, Function<T, String> id, String notFound) {
        T t = byId.get(key);
        if (t != null) return t;
        for (T x : byId.values()) if (name.apply(x).equals(key)) return x;
        List<T> byPrefix =
                byId.values().stream().filter(x -> id.apply(x).startsWith(key)).toList();
        if (byPrefix.size() == 1 && !key.isEmpty()) return byPrefix.getFirst();
        throw new BerthException.NotFound(notFound);
    }
}
