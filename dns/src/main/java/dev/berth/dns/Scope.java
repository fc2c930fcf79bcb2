package dev.berth.dns;

import dev.berth.dns.NameTable.Addresses;
import dev.berth.dns.NameTable.NetworkNames;
import java.util.List;
import org.xbill.DNS.Name;

/**
 * The names one sandbox can resolve: those of the user-defined networks it is on. Sandboxes on the
 * same set of networks share one scope.
 */
public final class Scope {
    /** On no user-defined network: nothing local, everything is forwarded. */
    public static final Scope NONE = new Scope(List.of());

    private final List<NetworkNames> networks;

    Scope(List<NetworkNames> networks) {
        this.networks = List.copyOf(networks);
    }

    /** The addresses NAME has on this sandbox's networks, or null when it is not a local name. */
    Addresses lookup(Name name) {
        Addresses found = null;
        for (NetworkNames n : networks) {
            Addresses a = n.forward().get(name);
            if (a != null) found = found == null ? a : found.merge(a);
        }
        return found;
    }

    /** The NAME.NETWORK a reverse name (in-addr.arpa / ip6.arpa) points to, or null. */
    Name pointer(Name reverse) {
        for (NetworkNames n : networks) {
            Name t = n.reverse().get(reverse);
            if (t != null) return t;
        }
        return null;
    }

    public boolean isEmpty() {
        return networks.isEmpty();
    }
}
