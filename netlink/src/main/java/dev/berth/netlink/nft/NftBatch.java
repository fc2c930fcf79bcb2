package dev.berth.netlink.nft;

import dev.berth.netlink.MessageWriter;
import dev.berth.netlink.NetlinkSocket.Request;
import dev.berth.netlink.Nl;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An nf_tables transaction: set element additions and removals, sent by {@link NfTables#commit} as one
 * nfnetlink batch in one datagram. The kernel applies all of it or, when one message fails, none.
 */
public final class NftBatch {
    private final List<Request> requests = new ArrayList<>();

    // A message's element list is one attribute, whose length field has 16 bits: a long list goes in several
    // messages of the same transaction (an element is at most about 80 bytes).
    private static final int ELEMENTS_PER_MESSAGE = 500;

    /**
     * Adds elements to a set; an element that is there already is no change (NLM_F_CREATE without EXCL, as
     * {@code nft add element}). {@code what} names the change in errors.
     */
    public NftBatch addElements(NftFamily family, String table, String set, List<SetKey> keys, String what) {
        return add(family, table, set, plain(keys), what);
    }

    /** Removes elements from a set; a missing one fails the batch (add it earlier in the batch to avoid that). */
    public NftBatch deleteElements(NftFamily family, String table, String set, List<SetKey> keys, String what) {
        return delete(family, table, set, plain(keys), what);
    }

    /** Adds elements (of a set or map); one that is there already, with the same data, is no change. */
    public NftBatch add(NftFamily family, String table, String set, List<SetElement> elements, String what) {
        return elements(Nft.NFT_MSG_NEWSETELEM, Nl.NLM_F_CREATE, family, table, set, elements, what);
    }

    /**
     * Adds elements that must be new ({@code nft create element}): a key that is there already fails the batch
     * with EEXIST ({@code NetlinkException.Exists}).
     */
    public NftBatch create(NftFamily family, String table, String set, List<SetElement> elements, String what) {
        return elements(Nft.NFT_MSG_NEWSETELEM, Nl.NLM_F_CREATE | Nl.NLM_F_EXCL, family, table, set, elements, what);
    }

    /** Removes elements (by key, flags and key end); a missing one fails the batch. */
    public NftBatch delete(NftFamily family, String table, String set, List<SetElement> elements, String what) {
        return elements(Nft.NFT_MSG_DELSETELEM, 0, family, table, set, elements, what);
    }

    private static List<SetElement> plain(List<SetKey> keys) {
        List<SetElement> out = new ArrayList<>(keys.size());
        for (SetKey k : keys) out.add(SetElement.of(k));
        return out;
    }

    private NftBatch elements(
            int msg, int flags, NftFamily family, String table, String set, List<SetElement> elements, String what) {
        for (int from = 0; from < elements.size(); from += ELEMENTS_PER_MESSAGE) {
            List<SetElement> chunk = elements.subList(from, Math.min(elements.size(), from + ELEMENTS_PER_MESSAGE));
            MessageWriter m = new MessageWriter(Nft.type(msg), flags);
            header(m, family.value(), 0);
            m.attrString(Nft.NFTA_SET_ELEM_LIST_TABLE, table);
            m.attrString(Nft.NFTA_SET_ELEM_LIST_SET, set);
            int list = m.begin(Nft.NFTA_SET_ELEM_LIST_ELEMENTS | Nl.NLA_F_NESTED);
            for (int i = 0; i < chunk.size(); i++) element(m, i + 1, chunk.get(i));
            m.end(list);
            requests.add(new Request(
                    m,
                    "nftables: " + what + " (" + chunk.size() + " elements of " + family.nftName() + " " + table + " "
                            + set + ")"));
        }
        return this;
    }

    /**
     * One element in libnftnl's attribute order: flags, key, key end, data, user data. libnftnl numbers the
     * elements of a list 1, 2, ... (NFTA_LIST_ELEM is 1; the kernel reads any type there).
     */
    private static void element(MessageWriter m, int index, SetElement e) {
        int elem = m.begin(index | Nl.NLA_F_NESTED);
        if (e.flags() != 0)
            m.attr(
                    Nft.NFTA_SET_ELEM_FLAGS,
                    ByteBuffer.allocate(4).putInt(e.flags()).array()); // big-endian
        value(m, Nft.NFTA_SET_ELEM_KEY, e.key());
        if (e.keyEnd() != null) value(m, Nft.NFTA_SET_ELEM_KEY_END, e.keyEnd());
        if (e.data() != null) value(m, Nft.NFTA_SET_ELEM_DATA, e.data());
        if (e.userdata() != null) m.attr(Nft.NFTA_SET_ELEM_USERDATA, e.userdata());
        m.end(elem);
    }

    private static void value(MessageWriter m, int type, SetKey k) {
        int nest = m.begin(type | Nl.NLA_F_NESTED);
        m.attr(Nft.NFTA_DATA_VALUE, k.bytes());
        m.end(nest);
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
