package dev.berth.netlink.nft;

/** Constants of nf_tables over nfnetlink (linux/netfilter/nfnetlink.h, linux/netfilter/nf_tables.h). */
public final class Nft {
    public static final int NFNL_SUBSYS_NFTABLES = 10;
    /** Batch markers: a transaction's first and last message, outside any subsystem. */
    public static final int NFNL_MSG_BATCH_BEGIN = 0x10, NFNL_MSG_BATCH_END = 0x11;

    public static final int NFT_MSG_NEWSETELEM = 12, NFT_MSG_GETSETELEM = 13, NFT_MSG_DELSETELEM = 14;
    public static final int NFTA_SET_ELEM_LIST_TABLE = 1, NFTA_SET_ELEM_LIST_SET = 2, NFTA_SET_ELEM_LIST_ELEMENTS = 3;
    public static final int NFTA_LIST_ELEM = 1;
    public static final int NFTA_SET_ELEM_KEY = 1,
            NFTA_SET_ELEM_DATA = 2,
            NFTA_SET_ELEM_FLAGS = 3,
            NFTA_SET_ELEM_USERDATA = 6,
            NFTA_SET_ELEM_KEY_END = 10;
    public static final int NFTA_DATA_VALUE = 1;

    /** nf_tables' register width: each field of a concatenated key starts on a multiple of it. */
    public static final int REG_ALIGN = 4;
    /** An interface name in a key: IFNAMSIZ bytes, zero-filled. */
    public static final int IFNAMSIZ = 16;

    private Nft() {}

    /** A message type of the nf_tables subsystem: the subsystem in the high byte, the message in the low. */
    public static int type(int msg) {
        return (NFNL_SUBSYS_NFTABLES << 8) | msg;
    }
}
