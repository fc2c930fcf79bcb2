package dev.berth.model.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An address as an unsigned 128-bit number (IPv4 in the low 32 bits), so the allocator's hot path does
 * plain long arithmetic instead of BigInteger.
 */
public record Uint128(long hi, long lo) implements Comparable<Uint128> {
    public static final Uint128 ZERO = new Uint128(0, 0);
    public static final Uint128 MAX = new Uint128(-1, -1);

    public static Uint128 of(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) return new Uint128(0, word(b, 0, 4));
        return new Uint128(word(b, 0, 8), word(b, 8, 8));
    }

    /** The address with this value; {@code ipv4} picks the family, since the value alone cannot. */
    public InetAddress toAddress(boolean ipv4) {
        try {
            if (ipv4) return InetAddress.getByAddress(bytes(lo, 4));
            byte[] b = new byte[16];
            System.arraycopy(bytes(hi, 8), 0, b, 0, 8);
            System.arraycopy(bytes(lo, 8), 0, b, 8, 8);
            // Inet6Address directly: InetAddress.getByAddress would turn ::ffff:a.b.c.d into an IPv4 address.
            return Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** This plus one, wrapping to zero after {@link #MAX}. */
    public Uint128 next() {
        long l = lo + 1;
        return new Uint128(l == 0 ? hi + 1 : hi, l);
    }

    /** This minus one, wrapping to {@link #MAX} below zero. */
    public Uint128 previous() {
        return new Uint128(lo == 0 ? hi - 1 : hi, lo - 1);
    }

    /** This plus an unsigned {@code n}, wrapping at 2^128. */
    public Uint128 plus(long n) {
        long l = lo + n;
        return new Uint128(Long.compareUnsigned(l, lo) < 0 ? hi + 1 : hi, l);
    }

    /** {@code this - other} for values less than 2^63 apart, as callers inside one small range are. */
    public long minus(Uint128 other) {
        return lo - other.lo;
    }

    /** The lowest {@code bits} bits set: the host part of a prefix with {@code bits} host bits. */
    public static Uint128 lowMask(int bits) {
        if (bits <= 0) return ZERO;
        if (bits >= 128) return MAX;
        if (bits >= 64) return new Uint128(bits == 64 ? 0 : -1L >>> (128 - bits), -1);
        return new Uint128(0, -1L >>> (64 - bits));
    }

    public Uint128 and(Uint128 o) {
        return new Uint128(hi & o.hi, lo & o.lo);
    }

    public Uint128 or(Uint128 o) {
        return new Uint128(hi | o.hi, lo | o.lo);
    }

    public Uint128 not() {
        return new Uint128(~hi, ~lo);
    }

    @Override
    public int compareTo(Uint128 o) {
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    public boolean lessThan(Uint128 o) {
        return compareTo(o) < 0;
    }

    private static long word(byte[] b, int from, int len) {
        long v = 0;
        for (int i = from; i < from + len; i++) v = (v << 8) | (b[i] & 0xff);
        return v;
    }

    private static byte[] bytes(long v, int len) {
        byte[] out = new byte[len];
        for (int i = len - 1; i >= 0; i--, v >>>= 8) out[i] = (byte) v;
        return out;
    }
}
