package dev.berth.model.net;

import dev.berth.model.BerthException;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A network: an address range given by a prefix, with the host bits zero ({@code 172.17.0.0/16}).
 * Arithmetic is on unsigned integers so IPv4 and IPv6 share one implementation.
 */
public record Cidr(InetAddress network, int prefix) {
    public Cidr {
        if (prefix < 0 || prefix > bits(network))
            throw new IllegalArgumentException("prefix /" + prefix + " is outside 0.." + bits(network));
    }

    /** Parses {@code 10.0.0.0/24}; fails, naming {@code field}, when it is not a network address with a prefix. */
    public static Cidr parse(String text, String field) {
        if (text == null || !text.contains("/"))
            throw new BerthException.InvalidRequest(
                    field, "'" + text + "' is not a CIDR; write it as address/prefix, e.g. 172.20.0.0/16");
        IpPrefix p;
        try {
            p = IpPrefix.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new BerthException.InvalidRequest(field, e.getMessage());
        }
        Cidr c = of(p.address(), p.length());
        if (!c.network.equals(p.address()))
            throw new BerthException.InvalidRequest(field, "'" + text + "' has host bits set; the network is " + c);
        return c;
    }

    /** The network that contains {@code address} at this prefix length (host bits cleared). */
    public static Cidr of(InetAddress address, int prefix) {
        int bits = bits(address);
        Uint128 net = Uint128.of(address).and(Uint128.lowMask(bits - prefix).not());
        return new Cidr(net.toAddress(bits == 32), prefix);
    }

    public boolean isIpv4() {
        return network instanceof Inet4Address;
    }

    public int bits() {
        return bits(network);
    }

    /** Number of addresses in the range (2^(bits-prefix)). */
    public BigInteger size() {
        return BigInteger.ONE.shiftLeft(bits() - prefix);
    }

    public boolean contains(InetAddress a) {
        if (bits(a) != bits()) return false;
        return Uint128.of(a).and(hostMask().not()).equals(low());
    }

    public boolean contains(Cidr other) {
        return other.prefix >= prefix && contains(other.network);
    }

    public boolean overlaps(Cidr other) {
        return bits() == other.bits() && (contains(other.network) || other.contains(network));
    }

    /** The address at offset {@code i} from the network address. */
    public InetAddress address(BigInteger i) {
        if (i.bitLength() < 63) return address(i.longValue());
        if (i.signum() < 0 || i.compareTo(size()) >= 0)
            throw new IllegalArgumentException("offset " + i + " is outside " + this);
        return fromBig(toBig(network).add(i), bits());
    }

    /** The address at offset {@code i} from the network address, without BigInteger arithmetic. */
    public InetAddress address(long i) {
        int hostBits = bits() - prefix;
        if (i < 0 || (hostBits < 63 && i >= 1L << hostBits))
            throw new IllegalArgumentException("offset " + i + " is outside " + this);
        return low().plus(i).toAddress(isIpv4());
    }

    /** The offset of {@code a} from the network address. */
    public BigInteger offsetOf(InetAddress a) {
        if (!contains(a)) throw new IllegalArgumentException(IpPrefix.format(a) + " is not in " + this);
        return toBig(a).subtract(toBig(network));
    }

    /** The last address (IPv4 broadcast). */
    public InetAddress last() {
        return high().toAddress(isIpv4());
    }

    /** The network address as a number. */
    public Uint128 low() {
        return Uint128.of(network);
    }

    /** The last address as a number. */
    public Uint128 high() {
        return low().or(hostMask());
    }

    private Uint128 hostMask() {
        return Uint128.lowMask(bits() - prefix);
    }

    /** {@code a} with this network's prefix length, as an interface address. */
    public IpPrefix withHost(InetAddress a) {
        return new IpPrefix(a, prefix);
    }

    @Override
    public String toString() {
        return IpPrefix.format(network) + "/" + prefix;
    }

    static int bits(InetAddress a) {
        return a instanceof Inet4Address ? 32 : 128;
    }

    public static BigInteger toBig(InetAddress a) {
        return new BigInteger(1, a.getAddress());
    }

    public static InetAddress fromBig(BigInteger v, int bits) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[bits / 8];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            return bits == 32 ? InetAddress.getByAddress(out) : Inet6Address.getByAddress(null, out, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
