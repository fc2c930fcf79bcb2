package dev.berth.netlink.route;

/** rtnetlink constants (linux/rtnetlink.h, if_link.h, if_addr.h, neighbour.h) that Berth uses. */
public final class Rt {
    public static final int RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_SETLINK = 19;
    public static final int RTM_NEWADDR = 20, RTM_DELADDR = 21, RTM_GETADDR = 22;
    public static final int RTM_NEWROUTE = 24, RTM_DELROUTE = 25, RTM_GETROUTE = 26;
    public static final int RTM_NEWNEIGH = 28, RTM_DELNEIGH = 29, RTM_GETNEIGH = 30;
    public static final int IFINFO_SIZE = 16, IFADDR_SIZE = 8, RTMSG_SIZE = 12, NDMSG_SIZE = 12;
    public static final int IFLA_ADDRESS = 1,
            IFLA_IFNAME = 3,
            IFLA_MTU = 4,
            IFLA_LINK = 5,
            IFLA_MASTER = 10,
            IFLA_PROTINFO = 12,
            IFLA_TXQLEN = 13,
            IFLA_OPERSTATE = 16,
            IFLA_IFALIAS = 20,
            IFLA_LINKINFO = 18,
            IFLA_NET_NS_PID = 19,
            IFLA_NET_NS_FD = 28,
            IFLA_EXT_MASK = 29,
            IFLA_NUM_TX_QUEUES = 31,
            IFLA_NUM_RX_QUEUES = 32,
            IFLA_LINK_NETNSID = 37,
            IFLA_ALT_IFNAME = 53,
            IFLA_AF_SPEC = 26,
            IFLA_GROUP = 27,
            IFLA_GSO_MAX_SIZE = 41;
    public static final int IFLA_INET6_ADDR_GEN_MODE = 8;
    public static final int RTM_GETNSID = 90, NETNSA_NSID = 1, NETNSA_FD = 3, RTGENMSG_SIZE = 4;
    public static final int IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2, IFLA_INFO_SLAVE_KIND = 4, IFLA_INFO_SLAVE_DATA = 5;
    public static final int VETH_INFO_PEER = 1;
    public static final int IFLA_BR_FORWARD_DELAY = 1, IFLA_BR_AGEING_TIME = 4, IFLA_BR_STP_STATE = 5;
    public static final int IFLA_BRPORT_MODE = 4, IFLA_BRPORT_LEARNING = 8;
    public static final int IFLA_VXLAN_ID = 1,
            IFLA_VXLAN_LINK = 3,
            IFLA_VXLAN_LOCAL = 4,
            IFLA_VXLAN_LEARNING = 7,
            IFLA_VXLAN_PORT = 15,
            IFLA_VXLAN_LOCAL6 = 17;
    public static final int IFLA_MACVLAN_MODE = 1;
    public static final int IFLA_IPVLAN_MODE = 1, IFLA_IPVLAN_FLAGS = 2;
    public static final int IFLA_VLAN_ID = 1;

    public static final int IFF_UP = 0x1, IFF_LOOPBACK = 0x8, IFF_RUNNING = 0x40, IFF_LOWER_UP = 0x10000;
    public static final int IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3, IFA_BROADCAST = 4, IFA_FLAGS = 8;
    public static final int IFA_F_NODAD = 0x02, IFA_F_PERMANENT = 0x80;
    public static final int RTA_DST = 1,
            RTA_OIF = 4,
            RTA_GATEWAY = 5,
            RTA_PRIORITY = 6,
            RTA_PREFSRC = 7,
            RTA_TABLE = 15;
    public static final int RT_TABLE_MAIN = 254, RT_TABLE_LOCAL = 255;
    public static final int RTPROT_KERNEL = 2, RTPROT_BOOT = 3, RTPROT_STATIC = 4;
    public static final int RT_SCOPE_UNIVERSE = 0, RT_SCOPE_LINK = 253, RT_SCOPE_HOST = 254;
    public static final int RTN_UNICAST = 1, RTN_LOCAL = 2;
    public static final int RTNH_F_ONLINK = 4;

    public static final int NDA_DST = 1, NDA_LLADDR = 2, NDA_MASTER = 9;
    public static final int NUD_REACHABLE = 0x02, NUD_STALE = 0x04, NUD_NOARP = 0x40, NUD_PERMANENT = 0x80;
    public static final int NTF_SELF = 0x02, NTF_MASTER = 0x04;

    private Rt() {}
}
