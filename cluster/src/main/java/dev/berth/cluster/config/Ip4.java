package dev.berth.cluster.config;

import dev.berth.model.net.Cidr;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** IPv4 addresses as unsigned 32-bit numbers, for walking subnets of the cluster network. */
public final class Ip4 {
    private Ip4() {}

    public static long toLong(InetAddress a) {
        if (!(a instanceof Inet4Address)) throw new IllegalArgumentException(a + " is not an IPv4 address");
        byte[] b = a.getAddress();
        return ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
    }

    public static InetAddress toAddress(long v) {
        byte[] b = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The subnet of length {@code prefix} starting at {@code start}. */
    public static Cidr subnet(long start, int prefix) {
        return Cidr.of(toAddress(start), prefix);
    }

    /** The address {@code offset} past the network address of {@code c} ({@code 1} is the gateway, .1). */
    public static InetAddress at(Cidr c, long offset) {
        return toAddress(toLong(c.network()) + offset);
    }

    public static long size(int prefix) {
        return 1L << (32 - prefix);
    }
}
