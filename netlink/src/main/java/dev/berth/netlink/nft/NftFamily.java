package dev.berth.netlink.nft;

/** The address family of an nf_tables table (NFPROTO_*), the first byte of every nf_tables message. */
public enum NftFamily {
    INET(1),
    IPV4(2),
    ARP(3),
    NETDEV(5),
    BRIDGE(7),
    IPV6(10);

    private final int value;

    NftFamily(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }

    /** The name nft uses for it ({@code table bridge berth}). */
    public String nftName() {
        return switch (this) {
            case INET -> "inet";
            case IPV4 -> "ip";
            case ARP -> "arp";
            case NETDEV -> "netdev";
            case BRIDGE -> "bridge";
            case IPV6 -> "ip6";
        };
    }
}
