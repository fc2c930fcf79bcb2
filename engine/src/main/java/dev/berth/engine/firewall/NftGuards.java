package dev.berth.engine.firewall;

import dev.berth.netlink.MessageWriter;
import dev.berth.netlink.NetlinkSocket;
import dev.berth.netlink.NetlinkSocket.Request;
import dev.berth.netlink.Nl;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The anti-spoofing elements of {@code table bridge berth} (see {@link NftScript#elements(EndpointGuard)}),
 * added and removed as nf_tables netlink messages in one batch, one transaction, without libnftables:
 * libnftables parses a script and reads the ruleset's tables and sets from the kernel before every
 * command, which made the guard step of a connect cost about a millisecond. Here it is one datagram.
 *
 * <p>A concatenated key is its fields one after the other, each padded to 4 bytes: an interface name is
 * 16 bytes (IFNAMSIZ, zero-filled), a MAC 6 bytes and 2 of padding, an IPv4 address 4, an IPv6 address 16.
 */
final class NftGuards {
    private static final int NFNL_SUBSYS_NFTABLES = 10;
    private static final int NFNL_MSG_BATCH_BEGIN = 0x10, NFNL_MSG_BATCH_END = 0x11;
    private static final int NFT_MSG_NEWSETELEM = 12, NFT_MSG_DELSETELEM = 14;
    private static final int NFTA_SET_ELEM_LIST_TABLE = 1, NFTA_SET_ELEM_LIST_SET = 2, NFTA_SET_ELEM_LIST_ELEMENTS = 3;
    private static final int NFTA_LIST_ELEM = 1, NFTA_SET_ELEM_KEY = 1, NFTA_DATA_VALUE = 1;
    private static final int NFPROTO_BRIDGE = 7;
    private static final int IFNAMSIZ = 16;
    static final String TABLE = "berth";

    private NftGuards() {}

    /** Adds the guards' elements; an element that is there already is no change. */
    static void add(NetlinkSocket nf, List<EndpointGuard> guards) {
        List<Request> r = new ArrayList<>();
        keysBySet(guards)
                .forEach((set, keys) -> r.add(message(NFT_MSG_NEWSETELEM, Nl.NLM_F_CREATE, set, keys, "guard")));
        nf.requestBatch(batch(NFNL_MSG_BATCH_BEGIN), r, batch(NFNL_MSG_BATCH_END));
    }

    /** Removes the guards' elements; each is added first in the same transaction, so a missing one is no error. */
    static void remove(NetlinkSocket nf, List<EndpointGuard> guards) {
        List<Request> r = new ArrayList<>();
        Map<String, List<byte[]>> keys = keysBySet(guards);
        keys.forEach((set, k) -> r.add(message(NFT_MSG_NEWSETELEM, Nl.NLM_F_CREATE, set, k, "unguard")));
        keys.forEach((set, k) -> r.add(message(NFT_MSG_DELSETELEM, 0, set, k, "unguard")));
        nf.requestBatch(batch(NFNL_MSG_BATCH_BEGIN), r, batch(NFNL_MSG_BATCH_END));
    }

    /** The keys of every guard, by set, in the sets' order: guarded, guard_mac, guard4, guard6. */
    static Map<String, List<byte[]>> keysBySet(List<EndpointGuard> guards) {
        Map<String, List<byte[]>> out = new LinkedHashMap<>();
        for (String s : List.of("guarded", "guard_mac", "guard4", "guard6")) out.put(s, new ArrayList<>());
        for (EndpointGuard g : guards) {
            byte[] port = ifname(g.port());
            out.get("guarded").add(port);
            out.get("guard_mac").add(concat(port, padded(g.mac().bytes())));
            if (g.ipv4() != null) out.get("guard4").add(concat(port, g.ipv4().getAddress()));
            if (g.ipv6() != null) out.get("guard6").add(concat(port, g.ipv6().getAddress()));
            out.get("guard6").add(concat(port, g.linkLocal().getAddress()));
        }
        out.values().removeIf(List::isEmpty);
        return out;
    }

    private static Request message(int type, int flags, String set, List<byte[]> keys, String what) {
        MessageWriter m = new MessageWriter((NFNL_SUBSYS_NFTABLES << 8) | type, flags);
        m.u8(NFPROTO_BRIDGE).u8(0).bytes(new byte[2]); // nfgenmsg: family, version 0, resource id 0
        m.attrString(NFTA_SET_ELEM_LIST_TABLE, TABLE);
        m.attrString(NFTA_SET_ELEM_LIST_SET, set);
        int list = m.begin(NFTA_SET_ELEM_LIST_ELEMENTS | Nl.NLA_F_NESTED);
        for (byte[] k : keys) {
            int elem = m.begin(NFTA_LIST_ELEM | Nl.NLA_F_NESTED);
            int key = m.begin(NFTA_SET_ELEM_KEY | Nl.NLA_F_NESTED);
            m.attr(NFTA_DATA_VALUE, k);
            m.end(key);
            m.end(elem);
        }
        m.end(list);
        return new Request(
                m, "nftables: " + what + " (" + keys.size() + " elements of bridge " + TABLE + " " + set + ")");
    }

    /** The batch markers carry the subsystem as their resource id, in network byte order. */
    private static MessageWriter batch(int type) {
        return new MessageWriter(type, 0).u8(0).u8(0).bytes(new byte[] {0, NFNL_SUBSYS_NFTABLES});
    }

    static byte[] ifname(String name) {
        byte[] out = new byte[IFNAMSIZ];
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, out, 0, Math.min(b.length, IFNAMSIZ - 1));
        return out;
    }

    private static byte[] padded(byte[] b) {
        byte[] out = new byte[(b.length + 3) & ~3];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
