package dev.berth.engine.firewall;

import dev.berth.netlink.nft.NfTables;
import dev.berth.netlink.nft.NftBatch;
import dev.berth.netlink.nft.NftFamily;
import dev.berth.netlink.nft.SetKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The anti-spoofing elements of {@code table bridge berth} (see {@link NftScript#elements(EndpointGuard)}),
 * added and removed in one nf_tables transaction over netlink, without libnftables: libnftables parses a
 * script and reads the ruleset's tables and sets from the kernel before every command, which made the guard
 * step of a connect cost about a millisecond. Here it is one datagram. This class says which sets and keys;
 * the netlink module writes the bytes.
 */
final class NftGuards {
    static final String TABLE = "berth";

    private NftGuards() {}

    /** Adds the guards' elements; an element that is there already is no change. */
    static void add(NfTables nf, List<EndpointGuard> guards) {
        NftBatch b = new NftBatch();
        keysBySet(guards).forEach((set, keys) -> b.addElements(NftFamily.BRIDGE, TABLE, set, keys, "guard"));
        nf.commit(b);
    }

    /** Removes the guards' elements; each is added first in the same transaction, so a missing one is no error. */
    static void remove(NfTables nf, List<EndpointGuard> guards) {
        NftBatch b = new NftBatch();
        Map<String, List<SetKey>> keys = keysBySet(guards);
        keys.forEach((set, k) -> b.addElements(NftFamily.BRIDGE, TABLE, set, k, "unguard"));
        keys.forEach((set, k) -> b.deleteElements(NftFamily.BRIDGE, TABLE, set, k, "unguard"));
        nf.commit(b);
    }

    /** The keys of every guard, by set, in the sets' order: guarded, guard_mac, guard4, guard6. */
    static Map<String, List<SetKey>> keysBySet(List<EndpointGuard> guards) {
        Map<String, List<SetKey>> out = new LinkedHashMap<>();
        for (String s : List.of("guarded", "guard_mac", "guard4", "guard6")) out.put(s, new ArrayList<>());
        for (EndpointGuard g : guards) {
            SetKey port = SetKey.ifname(g.port());
            out.get("guarded").add(port);
            out.get("guard_mac").add(port.thenMac(g.mac()));
            if (g.ipv4() != null) out.get("guard4").add(port.thenAddress(g.ipv4()));
            if (g.ipv6() != null) out.get("guard6").add(port.thenAddress(g.ipv6()));
            out.get("guard6").add(port.thenAddress(g.linkLocal()));
        }
        out.values().removeIf(List::isEmpty);
        return out;
    }
}
