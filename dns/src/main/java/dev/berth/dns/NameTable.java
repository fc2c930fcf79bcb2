package dev.berth.dns;

import dev.berth.engine.model.Endpoint;
import dev.berth.engine.model.Network;
import dev.berth.engine.model.Sandbox;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.xbill.DNS.Name;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.TextParseException;

/**
 * An immutable picture of which names each sandbox can resolve, built from the engine's model after
 * every change and handed to {@link EmbeddedDns#update}. On each user-defined network a sandbox is
 * known by its name, its short id (12 hex), its hostname, its aliases on that network, and
 * {@code NAME.NETWORK}; a sandbox sees the names of the networks it is on and nothing else.
 * Predefined networks (the default {@code bridge}, {@code host}, {@code none}) carry no names, as in
 * Docker.
 */
public final class NameTable {
    /** No names at all: every query is forwarded. */
    public static final NameTable EMPTY = new NameTable(Map.of());

    private final Map<String, Scope> bySandbox;

    private NameTable(Map<String, Scope> bySandbox) {
        this.bySandbox = bySandbox;
    }

    /** The names as {@code source} (the engine, in berthd) has them now. */
    public static NameTable from(NameSource source) {
        List<Endpoint> endpoints = new ArrayList<>();
        Collection<Sandbox> sandboxes = source.sandboxes().get();
        for (Sandbox s : sandboxes) endpoints.addAll(source.endpointsOf().apply(s));
        return of(source.networks().get(), sandboxes, endpoints);
    }

    /** The names given by these model records (endpoints of unknown sandboxes or networks are ignored). */
    public static NameTable of(
            Collection<Network> networks, Collection<Sandbox> sandboxes, Collection<Endpoint> endpoints) {
        Map<String, Network> nets = new HashMap<>();
        for (Network n : networks) if (!n.predefined()) nets.put(n.id(), n);
        Map<String, Sandbox> boxes = new HashMap<>();
        for (Sandbox s : sandboxes) boxes.put(s.id(), s);

        Map<String, NetworkNames.Builder> builders = new HashMap<>();
        Map<String, Set<String>> networksOfSandbox = new HashMap<>();
        for (Endpoint e : endpoints) {
            Network n = nets.get(e.networkId());
            Sandbox s = boxes.get(e.sandboxId());
            if (n == null || s == null) continue;
            builders.computeIfAbsent(n.id(), k -> new NetworkNames.Builder(n.name()))
                    .add(s, e);
            networksOfSandbox
                    .computeIfAbsent(s.id(), k -> new LinkedHashSet<>())
                    .add(n.id());
        }
        Map<String, NetworkNames> built = new HashMap<>();
        builders.forEach((id, b) -> built.put(id, b.build()));

        // Sandboxes on the same set of networks share one Scope (and its answer cache).
        Map<Set<String>, Scope> scopes = new HashMap<>();
        Map<String, Scope> bySandbox = new HashMap<>();
        networksOfSandbox.forEach((sandboxId, netIds) ->
                bySandbox.put(sandboxId, scopes.computeIfAbsent(netIds, ids -> {
                    List<NetworkNames> l = new ArrayList<>();
                    for (String id : ids) l.add(built.get(id));
                    return new Scope(l);
                })));
        return new NameTable(Map.copyOf(bySandbox));
    }

    /** What the sandbox can resolve locally; {@link Scope#NONE} when it is on no user-defined network. */
    public Scope scopeOf(String sandboxId) {
        Scope s = bySandbox.get(sandboxId);
        return s == null ? Scope.NONE : s;
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

    /** The names of one network: forward (name to addresses) and reverse (address to NAME.NETWORK). */
    record NetworkNames(Map<Name, Addresses> forward, Map<Name, Name> reverse) {
        static final class Builder {
            private final String network;
            private final Map<Name, Addresses> forward = new HashMap<>();
            private final Map<Name, Name> reverse = new HashMap<>();

            Builder(String network) {
                this.network = network;
            }

            void add(Sandbox s, Endpoint e) {
                Set<String> names = new LinkedHashSet<>();
                names.add(s.name());
                names.add(s.id().substring(0, Math.min(12, s.id().length())));
                if (s.hostname() != null && !s.hostname().isBlank()) names.add(s.hostname());
                names.addAll(e.aliases());
                names.add(s.name() + "." + network);
                for (String alias : e.aliases()) names.add(alias + "." + network);
                Addresses mine = new Addresses(
                        e.ipv4() == null ? List.of() : List.of(e.ipv4()),
                        e.ipv6() == null ? List.of() : List.of(e.ipv6()));
                for (String n : names) {
                    Name key = dnsName(n);
                    if (key != null) forward.merge(key, mine, Addresses::merge);
                }
                Name target = dnsName(s.name() + "." + network);
                if (target == null) target = dnsName(s.name());
                if (target == null) return;
                if (e.ipv4() != null) reverse.put(ReverseMap.fromAddress(e.ipv4()), target);
                if (e.ipv6() != null) reverse.put(ReverseMap.fromAddress(e.ipv6()), target);
            }

            NetworkNames build() {
                return new NetworkNames(Map.copyOf(forward), Map.copyOf(reverse));
            }
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
