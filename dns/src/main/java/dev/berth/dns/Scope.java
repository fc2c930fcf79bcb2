package dev.berth.dns;

import dev.berth.dns.NameTable.Addresses;
import dev.berth.dns.NameTable.NetworkNames;
import org.xbill.DNS.Name;

/**
 * The names one sandbox can resolve: those of the user-defined networks it is on, read live from its
 * {@link NameTable} (a connect or disconnect shows in the next answer).
 */
public final class Scope {
    /** On no user-defined network: nothing local, everything is forwarded. */
    public static final Scope NONE = new Scope(NameTable.EMPTY, "");

    private final NameTable table;
    private final String sandboxId;

    Scope(NameTable table, String sandboxId) {
        this.table = table;
        this.sandboxId = sandboxId;
    }

    /** The addresses NAME has on this sandbox's networks, or null when it is not a local name. */
    Addresses lookup(Name name) {
        Addresses found = null;
        for (String id : table.networksOf(sandboxId)) {
            NetworkNames n = table.names(id);
            Addresses a = n == null ? null : n.lookup(name);
            if (a != null) found = found == null ? a : found.merge(a);
        }
        return found;
    }

    /** The NAME.NETWORK a reverse name (in-addr.arpa / ip6.arpa) points to, or null. */
    Name pointer(Name reverse) {
        for (String id : table.networksOf(sandboxId)) {
            NetworkNames n = table.names(id);
            Name t = n == null ? null : n.pointer(reverse);
            if (t != null) return t;
        }
        return null;
    }

    public boolean isEmpty() {
        return table.networksOf(sandboxId).isEmpty();
    }
}
