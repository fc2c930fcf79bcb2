package dev.berth.netlink.route;

/** How the kernel makes a link's IPv6 link-local address when it comes up (IN6_ADDR_GEN_MODE_*). */
public enum AddrGenMode {
    EUI64(0, "eui64"),
    NONE(1, "none"),
    STABLE_PRIVACY(2, "stable_secret"),
    RANDOM(3, "random");

    final int value;
    private final String word;

    AddrGenMode(int value, String word) {
        this.value = value;
        this.word = word;
    }

    /** The word {@code ip link set DEV addrgenmode WORD} uses. */
    public String word() {
        return word;
    }
}
