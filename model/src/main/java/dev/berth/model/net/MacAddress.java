package dev.berth.model.net;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** A 48-bit Ethernet address. */
public record MacAddress(long bits) {
    public MacAddress {
        if ((bits >>> 48) != 0)
            throw new IllegalArgumentException("a MAC address has 48 bits, got 0x" + Long.toHexString(bits));
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff}. */
    public static MacAddress parse(String text) {
        String[] parts = text.split(":");
        if (parts.length != 6)
            throw new IllegalArgumentException(
                    "MAC address '" + text + "': expected six hex bytes like 02:42:ac:11:00:02");
        long v = 0;
        for (String p : parts) {
            if (p.length() != 2 || !HexFormat.isHexDigit(p.charAt(0)) || !HexFormat.isHexDigit(p.charAt(1)))
                throw new IllegalArgumentException("MAC address '" + text + "': '" + p + "' is not a hex byte");
            v = (v << 8) | Integer.parseInt(p, 16);
        }
        return new MacAddress(v);
    }

    public static MacAddress of(byte[] b) {
        if (b.length != 6) throw new IllegalArgumentException("a MAC address has 6 bytes, got " + b.length);
        long v = 0;
        for (byte x : b) v = (v << 8) | (x & 0xff);
        return new MacAddress(v);
    }

    /** A random unicast, locally administered address (what Docker 28 and the kernel's eth_random_addr give). */
    public static MacAddress randomLocal() {
        long v = ThreadLocalRandom.current().nextLong() & 0xffff_ffff_ffffL;
        v &= ~(0x01L << 40); // unicast
        v |= 0x02L << 40; // locally administered
        return new MacAddress(v);
    }

    public byte[] bytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) b[i] = (byte) (bits >>> (40 - 8 * i));
        return b;
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(bytes());
    }
}
