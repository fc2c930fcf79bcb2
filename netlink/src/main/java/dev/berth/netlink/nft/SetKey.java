package dev.berth.netlink.nft;

import dev.berth.model.MacAddress;
import dev.berth.netlink.route.LinkNames;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The key of a set element as nf_tables stores it. A concatenated key ({@code ifname . ether_addr . ipv4_addr})
 * is its fields one after the other, each padded to the 4-byte register width: an interface name is 16 bytes
 * (IFNAMSIZ, zero-filled), a MAC 6 bytes and 2 of padding, an IPv4 address 4, an IPv6 address 16, a protocol
 * number 1 and 3 of padding, a port 2 (network order) and 2 of padding. The data of a map element is written
 * the same way. Immutable:
 * each field method returns a longer key.
 */
public final class SetKey {
    private final byte[] bytes;

    private SetKey(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A key that starts with an interface name ({@code type ifname}). */
    public static SetKey ifname(String name) {
        return new SetKey(new byte[0]).thenIfname(name);
    }

    /** A key that starts with an address ({@code ipv4_addr} or {@code ipv6_addr}). */
    public static SetKey address(InetAddress a) {
        return new SetKey(new byte[0]).thenAddress(a);
    }

    /** A key that starts with an IP protocol number ({@code inet_proto}: one byte). */
    public static SetKey protocol(int ipProtocol) {
        return new SetKey(new byte[0]).thenProtocol(ipProtocol);
    }

    public SetKey thenProtocol(int ipProtocol) {
        return then(new byte[] {(byte) ipProtocol});
    }

    /** A TCP/UDP port ({@code inet_service}): two bytes in network order. */
    public SetKey thenPort(int port) {
        return then(new byte[] {(byte) (port >> 8), (byte) port});
    }

    public SetKey thenIfname(String name) {
        LinkNames.check(name);
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        return then(Arrays.copyOf(b, Nft.IFNAMSIZ));
    }

    public SetKey thenMac(MacAddress mac) {
        return then(mac.bytes());
    }

    public SetKey thenAddress(InetAddress a) {
        return then(a.getAddress());
    }

    private SetKey then(byte[] field) {
        int padded = (field.length + Nft.REG_ALIGN - 1) & -Nft.REG_ALIGN;
        byte[] out = Arrays.copyOf(bytes, bytes.length + padded);
        System.arraycopy(field, 0, out, bytes.length, field.length);
        return new SetKey(out);
    }

    /** The key's bytes, as they go into NFTA_DATA_VALUE. */
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SetKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
