package dev.berth.netlink.nft;

import dev.berth.netlink.MessageWriter;
import dev.berth.netlink.NetlinkSocket.Request;
import dev.berth.netlink.Nl;
import java.util.ArrayList;
import java.util.List;

/**
 * An nf_tables transaction: set element additions and removals, sent by {@link NfTables#commit} as one
 * nfnetlink batch in one datagram. The kernel applies all of it or, when one message fails, none.
 */
public final class NftBatch {
    private final List<Request> requests = new ArrayList<>();

    /**
     * Adds elements to a set; an element that is there already is no change (NLM_F_CREATE without EXCL, as
     * {@code nft add element}). {@code what} names the change in errors.
     */
    public NftBatch addElements(NftFamily family, String table, String set, List<SetKey> keys, String what) {
        return elements(Nft.NFT_MSG_NEWSETELEM, Nl.NLM_F_CREATE, family, table, set, keys, what);
    }

    /** Removes elements from a set; a missing one fails the batch (add it earlier in the batch to avoid that). */
    public NftBatch deleteElements(NftFamily family, String table, String set, List<SetKey> keys, String what) {
        return elements(Nft.NFT_MSG_DELSETELEM, 0, family, table, set, keys, what);
    }

    private NftBatch elements(
            int msg, int flags, NftFamily family, String table, String set, List<SetKey> keys, String what) {
        if (keys.isEmpty()) return this;
        MessageWriter m = new MessageWriter(Nft.type(msg), flags);
        header(m, family.value(), 0);
        m.attrString(Nft.NFTA_SET_ELEM_LIST_TABLE, table);
        m.attrString(Nft.NFTA_SET_ELEM_LIST_SET, set);
        int list = m.begin(Nft.NFTA_SET_ELEM_LIST_ELEMENTS | Nl.NLA_F_NESTED);
        for (SetKey k : keys) {
            int elem = m.begin(Nft.NFTA_LIST_ELEM | Nl.NLA_F_NESTED);
            int key = m.begin(Nft.NFTA_SET_ELEM_KEY | Nl.NLA_F_NESTED);
            m.attr(Nft.NFTA_DATA_VALUE, k.bytes());
            m.end(key);
            m.end(elem);
        }
        m.end(list);
        requests.add(new Request(
                m,
                "nftables: " + what + " (" + keys.size() + " elements of " + family.nftName() + " " + table + " " + set
                        + ")"));
        return this;
    }

    public boolean isEmpty() {
        return requests.isEmpty();
    }

    /** The messages between the batch markers, in order. */
    List<Request> requests() {
        return requests;
    }

    /** The batch markers carry the subsystem they open as their resource id (big-endian). */
    static MessageWriter marker(int type) {
        return header(new MessageWriter(type, 0), 0, Nft.NFNL_SUBSYS_NFTABLES);
    }

    /** struct nfgenmsg: family, version 0 (NFNETLINK_V0), resource id in network byte order. */
    private static MessageWriter header(MessageWriter m, int family, int resourceId) {
        return m.u8(family).u8(0).bytes(new byte[] {(byte) (resourceId >> 8), (byte) resourceId});
    }
}
