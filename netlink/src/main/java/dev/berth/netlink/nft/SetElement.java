package dev.berth.netlink.nft;

import java.util.Arrays;
import java.util.Objects;

/**
 * One element of an nf_tables set or map as the kernel takes it: a key; for a concatenated range the key
 * where the range ends ({@code keyEnd}, inclusive); for a map the data the key leads to; flags (an interval
 * set stores a range as a start element and an end element flagged {@link #INTERVAL_END}); and the user data
 * nft reads back when it lists the element (a range open to the top of the address space says so there).
 */
public record SetElement(SetKey key, SetKey keyEnd, SetKey data, int flags, byte[] userdata) {
    /** NFT_SET_ELEM_INTERVAL_END: the first key after a range of an interval set. */
    public static final int INTERVAL_END = 1;

    // nftnl's element user data: NFTNL_UDATA_SET_ELEM_FLAGS (1), 4 bytes, NFTNL_SET_ELEM_F_INTERVAL_OPEN (1).
    private static final byte[] OPEN = {1, 4, 1, 0, 0, 0};

    /** A plain element of a set. */
    public static SetElement of(SetKey key) {
        return new SetElement(key, null, null, 0, null);
    }

    /** An element of a map: {@code key} leads to {@code data}. */
    public static SetElement mapping(SetKey key, SetKey data) {
        return new SetElement(key, null, data, 0, null);
    }

    /** The start of a range in an interval set; its end is an {@link #end} element. */
    public static SetElement start(SetKey key) {
        return of(key);
    }

    /** The start of a range that runs to the top of the key space: no end element follows (nft writes it so). */
    public static SetElement openStart(SetKey key) {
        return new SetElement(key, null, null, 0, OPEN);
    }

    /** The first key after a range of an interval set. */
    public static SetElement end(SetKey key) {
        return new SetElement(key, null, null, INTERVAL_END, null);
    }

    /** A range of a concatenated interval set, {@code from} to {@code to} inclusive, in one element. */
    public static SetElement range(SetKey from, SetKey to) {
        return new SetElement(from, to, null, 0, null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SetElement e
                && key.equals(e.key)
                && Objects.equals(keyEnd, e.keyEnd)
                && Objects.equals(data, e.data)
                && flags == e.flags
                && Arrays.equals(userdata, e.userdata);
    }

    @Override
    public int hashCode() {
        return key.hashCode() * 31 + flags;
    }

    @Override
    public String toString() {
        return key
                + (keyEnd != null ? "-" + keyEnd : "")
                + (data != null ? ":" + data : "")
                + ((flags & INTERVAL_END) != 0 ? " end" : "");
    }
}
