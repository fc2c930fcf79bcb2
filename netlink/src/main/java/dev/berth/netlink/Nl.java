package dev.berth.netlink;

/** Constants of the netlink protocol itself (linux/netlink.h), shared by every family. */
public final class Nl {
    public static final int NETLINK_ROUTE = 0;
    public static final int SOL_NETLINK = 270;
    public static final int NETLINK_CAP_ACK = 10, NETLINK_EXT_ACK = 11, NETLINK_GET_STRICT_CHK = 12;

    public static final int HEADER_SIZE = 16;

    public static final int NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3, NLMSG_OVERRUN = 4;
    public static final int NLM_F_REQUEST = 0x01,
            NLM_F_MULTI = 0x02,
            NLM_F_ACK = 0x04,
            NLM_F_ECHO = 0x08,
            NLM_F_DUMP_INTR = 0x10,
            NLM_F_DUMP_FILTERED = 0x20;
    public static final int NLM_F_ROOT = 0x100, NLM_F_MATCH = 0x200, NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    public static final int NLM_F_REPLACE = 0x100, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400, NLM_F_APPEND = 0x800;
    /** Flags on an NLMSG_ERROR: the request payload was left out, and extended-ack attributes follow. */
    public static final int NLM_F_CAPPED = 0x100, NLM_F_ACK_TLVS = 0x200;

    public static final int NLMSGERR_ATTR_MSG = 1, NLMSGERR_ATTR_OFFS = 2;
    public static final int NLA_F_NESTED = 0x8000, NLA_TYPE_MASK = 0x3fff;

    private Nl() {}

    /** Rounds up to netlink's 4-byte alignment. */
    public static int align(int n) {
        return (n + 3) & ~3;
    }
}
