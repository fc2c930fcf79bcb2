package dev.berth.dns;

import dev.berth.model.Endpoint;
import dev.berth.model.Sandbox;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.Name;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.TextParseException;

/**
 * Which names each sandbox can resolve, handed to {@link EmbeddedDns#update}. On each user-defined network
 * a sandbox is known by its name, its short id (12 hex), its hostname, its aliases on that network, and
 * {@code NAME.NETWORK}; a sandbox sees the names of the networks it is on and nothing else. Predefined
 * networks (the default {@code bridge}, {@code host}, {@code none}) carry no names, as in Docker.
 *
 * <p>Built whole from the engine's model ({@link #from}), then kept up to date one endpoint at a time
 * ({@link #connected}, {@link #disconnected}): a change costs the names of that one endpoint, however many
 * sandboxes there are. The maps are concurrent, so the resolver's thread reads while a change is made;
 * changes themselves must come one at a time (the caller serialises them).
 */
public final class NameTable {
    /** No names at all: every query is forwarded. */
    public static final NameTable EMPTY = new NameTable();

    private final Map<String, Set<String>> networksOf = new ConcurrentHashMap<>();
    private final Map<String, NetworkNames> byNetwork = new ConcurrentHashMap<>();

    private NameTable() {}

    /** The names as {@code source} (the engine, in berthd) has them now. */
    public static NameTable from(NameSource source) {
        List<Endpoint> endpoints = new ArrayList<>();
        Collection<Sandbox> sandboxes = source.sandboxes().get();
        for (Sandbox s : sandboxes) endpoints.addAll(source.endpointsOf().apply(s));
        return of(source.networks().get(), sandboxes, endpoints);
    }

    /** The names given by these model records (endpoints of unknown sandboxes or networks are ignored). */
    public static NameTable of(
            Collection<DnsNetwork> networks, Collection<Sandbox> sandboxes, Collection<Endpoint> endpoints) {
        Map<String, DnsNetwork> nets = new HashMap<>();
        for (DnsNetwork n : networks) nets.put(n.id(), n);
        Map<String, Sandbox> boxes = new HashMap<>();
        for (Sandbox s : sandboxes) boxes.put(s.id(), s);
        NameTable t = new NameTable();
        for (Endpoint e : endpoints) {
            DnsNetwork n = nets.get(e.networkId());
            Sandbox s = boxes.get(e.sandboxId());
            if (n != null && s != null) t.connected(n, s, e);
        }
        return t;
    }

    /** One endpoint more: its sandbox's names on its network (nothing on a predefined network). */
    public void connected(DnsNetwork n, Sandbox s, Endpoint e) {
        if (this == EMPTY) throw new IllegalStateException("the empty table stays empty");
        if (n.predefined()) return;
        byNetwork.computeIfAbsent(n.id(), k -> new NetworkNames(n.name())).add(s, e);
        networksOf.computeIfAbsent(s.id(), k -> ConcurrentHashMap.newKeySet()).add(n.id());
    }

    /** One endpoint less: the names the sandbox had on the network. */
    public void disconnected(String networkId, String sandboxId) {
        if (this == EMPTY) return;
        NetworkNames names = byNetwork.get(networkId);
        if (names != null && names.remove(sandboxId) && names.isEmpty()) byNetwork.remove(networkId, names);
        networksOf.computeIfPresent(sandboxId, (k, ids) -> {
            ids.remove(networkId);
            return ids.isEmpty() ? null : ids;
        });
    }

    /** What the sandbox can resolve locally; empty when it is on no user-defined network. A live view. */
    public Scope scopeOf(String sandboxId) {
        return new Scope(this, sandboxId);
    }

    /** The user-defined networks a sandbox is on, by id (empty when none). */
    Set<String> networksOf(String sandboxId) {
        Set<String> ids = networksOf.get(sandboxId);
        return ids == null ? Set.of() : ids;
    }

    NetworkNames names(String networkId) {
        return byNetwork.get(networkId);
    }

    /** Addresses a name stands for on one network (or merged over several). */
    record Addresses(List<InetAddress> v4, List<InetAddress> v6) {
        static final Addresses NONE = new Addresses(List.of(), List.of());

        Addresses merge(Addresses o) {
            List<InetAddress> a = new ArrayList<>(v4), b = new ArrayList<>(v6);
            for (InetAddress x : o.v4) if (!a.contains(x)) a.add(x);
            for (InetAddress x : o.v6) if (!b.contains(x)) b.add(x);
            return new Addresses(List.copyOf(a), List.copyOf(b));
        }
    }

    /**
     * The names of one network: forward (name to the addresses of each sandbox that has it) and reverse
     * (address to NAME.NETWORK); each sandbox's own keys are remembered, so it is taken out exactly.
     */
    static final class NetworkNames {
        private final String network;
        private final Map<Name, Map<String, Addresses>> forward = new ConcurrentHashMap<>();
        private final Map<Name, Name> reverse = new ConcurrentHashMap<>();
        private final Map<String, Keys> bySandbox = new ConcurrentHashMap<>();

        private record Keys(List<Name> forward, List<Name> reverse) {}

        NetworkNames(String network) {
            this.network = network;
        }

        void add(Sandbox s, Endpoint e) {
            remove(s.id()); // a sandbox has one endpoint per network; a repeated add replaces it
            Set<String> names = new LinkedHashSet<>();
            names.add(s.name());
            names.add(s.id().substring(0, Math.min(12, s.id().length())));
            if (s.hostname() != null && !s.hostname().isBlank()) names.add(s.hostname());
            names.addAll(e.aliases());
            names.add(s.name() + "." + network);
            for (String alias : e.aliases()) names.add(alias + "." + network);
            Addresses mine = new Addresses(
                    e.ipv4() == null ? List.of() : List.of(e.ipv4()), e.ipv6() == null ? List.of() : List.of(e.ipv6()));
            List<Name> fwd = new ArrayList<>(), rev = new ArrayList<>(2);
            for (String n : names) {
                Name key = dnsName(n);
                if (key == null) continue;
                forward.computeIfAbsent(key, k -> new ConcurrentHashMap<>()).put(s.id(), mine);
                fwd.add(key);
            }
            Name target = dnsName(s.name() + "." + network);
            if (target == null) target = dnsName(s.name());
            if (target != null) {
                for (InetAddress a : new InetAddress[] {e.ipv4(), e.ipv6()}) {
                    if (a == null) continue;
                    Name r = ReverseMap.fromAddress(a);
                    reverse.put(r, target);
                    rev.add(r);
                }
            }
            bySandbox.put(s.id(), new Keys(List.copyOf(fwd), List.copyOf(rev)));
        }

        /** Takes the sandbox's names out; false when it had none here. */
        boolean remove(String sandboxId) {
            Keys k = bySandbox.remove(sandboxId);
            if (k == null) return false;
            for (Name n : k.forward())
                forward.computeIfPresent(n, (key, m) -> {
                    m.remove(sandboxId);
                    return m.isEmpty() ? null : m;
                });
            for (Name r : k.reverse()) reverse.remove(r);
            return true;
        }

        boolean isEmpty() {
            return bySandbox.isEmpty();
        }

        /** The addresses of every sandbox known by NAME here, or null. */
        Addresses lookup(Name name) {
            Map<String, Addresses> m = forward.get(name);
            if (m == null) return null;
            Addresses found = null;
            for (Addresses a : m.values()) found = found == null ? a : found.merge(a);
            return found;
        }

        Name pointer(Name reverseName) {
            return reverse.get(reverseName);
        }
    }

    /** The absolute DNS name for a sandbox name or alias, or null when it cannot be one (label too long). */
    static Name dnsName(String s) {
        try {
            return Name.fromString(s.endsWith(".") ? s : s + ".");
        } catch (TextParseException e) {
            return null;
        }
    }
}
