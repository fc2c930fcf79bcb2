package dev.berth.netlink.route;

import dev.berth.model.net.MacAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;

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

    /**
     * The link-local address the kernel gives a link with this MAC in mode {@link #EUI64} (the default):
     * fe80::/64 with the MAC as a modified EUI-64 (universal/local bit flipped, ff:fe in the middle).
     */
    public static InetAddress eui64LinkLocal(MacAddress mac) {
        byte[] m = mac.bytes();
        byte[] a = new byte[16];
        a[0] = (byte) 0xfe;
        a[1] = (byte) 0x80;
        a[8] = (byte) (m[0] ^ 0x02);
        a[9] = m[1];
        a[10] = m[2];
        a[11] = (byte) 0xff;
        a[12] = (byte) 0xfe;
        a[13] = m[3];
        a[14] = m[4];
        a[15] = m[5];
        try {
            return InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 16 bytes are always an address
        }
    }
}
