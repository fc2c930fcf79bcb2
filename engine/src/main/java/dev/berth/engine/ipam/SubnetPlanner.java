package dev.berth.engine.ipam;

import dev.berth.model.BerthException;
import dev.berth.model.net.Cidr;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Picks the subnet of a network created without one: the first subnet of the address pools, in order,
 * that overlaps nothing already in use. IPv4 uses Docker's default pools; IPv6 uses a ULA /48 derived
 * from a seed (the host id), carved into /64s, unless the pool list has IPv6 entries.
 */
public final class SubnetPlanner {

    /** One entry of Docker's {@code default-address-pools}: {@code base} carved into subnets of length {@code size}. */
    public record Pool(Cidr base, int size) {
        public Pool {
            if (size < base.prefix() || size > base.bits())
                throw new BerthException.InvalidRequest(
                        "default-address-pools",
                        "size /" + size + " does not fit base " + base + "; give a length from " + base.prefix()
                                + " to " + base.bits());
        }

        /** Parses {@code ("10.10.0.0/16", 24)}. */
        public static Pool of(String base, int size) {
            return new Pool(Cidr.parse(base, "default-address-pools"), size);
        }
    }

    /** Docker's IPv4 defaults, in the order Docker tries them. */
    public static final List<Pool> DEFAULT_IPV4 = List.of(
            Pool.of("172.17.0.0/16", 16),
            Pool.of("172.18.0.0/16", 16),
            Pool.of("172.19.0.0/16", 16),
            Pool.of("172.20.0.0/14", 16),
            Pool.of("172.24.0.0/14", 16),
            Pool.of("172.28.0.0/14", 16),
            Pool.of("192.168.0.0/16", 20));

    private final List<Pool> ipv4 = new ArrayList<>();
    private final List<Pool> ipv6 = new ArrayList<>();

    /** Docker's IPv4 defaults and a ULA /48 derived from {@code seed}. */
    public SubnetPlanner(String seed) {
        this(DEFAULT_IPV4, seed);
    }

    /** Custom pools (both families, in order); IPv6 falls back to the ULA of {@code seed} when none is IPv6. */
    public SubnetPlanner(List<Pool> pools, String seed) {
        for (Pool p : pools) (p.base().isIpv4() ? ipv4 : ipv6).add(p);
        if (ipv6.isEmpty()) ipv6.add(new Pool(ula(seed), 64));
    }

    /** The first free IPv4 subnet; {@code taken} holds other networks' subnets and the host's own routes. */
    public Cidr nextIpv4(Collection<Cidr> taken) {
        return next(ipv4, taken, "IPv4");
    }

    /** The first free IPv6 subnet, by default a /64 of this host's ULA /48. */
    public Cidr nextIpv6(Collection<Cidr> taken) {
        return next(ipv6, taken, "IPv6");
    }

    /** The pools tried for IPv6, for display. */
    public List<Pool> ipv6Pools() {
        return List.copyOf(ipv6);
    }

    /** The default bridge's subnet: 172.17.0.0/16, as docker0's, unless it is taken; then the next free default. */
    public static Cidr defaultBridge(Collection<Cidr> taken) {
        return next(DEFAULT_IPV4, taken, "IPv4");
    }

    /** A unique local /48 (RFC 4193): fd00::/8 followed by 40 bits of SHA-256 of {@code seed}. */
    public static Cidr ula(String seed) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        byte[] a = new byte[16];
        a[0] = (byte) 0xfd;
        System.arraycopy(hash, 0, a, 1, 5);
        try {
            return new Cidr(Inet6Address.getByAddress(null, a, -1), 48);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Cidr next(List<Pool> pools, Collection<Cidr> taken, String family) {
        List<Used> used = Used.of(taken, family.equals("IPv4") ? 32 : 128);
        for (Pool p : pools) {
            Cidr c = firstFree(p, used);
            if (c != null) return c;
        }
        throw new BerthException.Conflict("could not find an available, non-overlapping " + family
                + " address pool among the defaults to assign to the network");
    }

    /** The first subnet of {@code pool} clear of {@code used}, jumping over each used range rather than stepping through it. */
    private static Cidr firstFree(Pool pool, List<Used> used) {
        int bits = pool.base().bits();
        BigInteger block = BigInteger.ONE.shiftLeft(bits - pool.size());
        BigInteger s = Cidr.toBig(pool.base().network());
        BigInteger end = s.add(pool.base().size());
        int i = 0;
        while (s.compareTo(end) < 0) {
            while (i < used.size() && used.get(i).end.compareTo(s) < 0) i++;
            BigInteger candidateEnd = s.add(block).subtract(BigInteger.ONE);
            if (i == used.size() || used.get(i).start.compareTo(candidateEnd) > 0)
                return new Cidr(Cidr.fromBig(s, bits), pool.size());
            BigInteger afterClash = used.get(i).end.add(BigInteger.ONE);
            s = afterClash.add(block).subtract(BigInteger.ONE).divide(block).multiply(block); // next aligned start
        }
        return null;
    }

    /** A range of used addresses, first to last inclusive. */
    private record Used(BigInteger start, BigInteger end) {
        /** The subnets of one family as sorted, disjoint ranges. */
        static List<Used> of(Collection<Cidr> taken, int bits) {
            List<Used> sorted = new ArrayList<>();
            for (Cidr c : taken) {
                if (c.bits() != bits) continue;
                BigInteger start = Cidr.toBig(c.network());
                sorted.add(new Used(start, start.add(c.size()).subtract(BigInteger.ONE)));
            }
            sorted.sort(Comparator.comparing(Used::start));
            List<Used> merged = new ArrayList<>();
            for (Used u : sorted) {
                Used last = merged.isEmpty() ? null : merged.getLast();
                if (last != null && u.start.compareTo(last.end.add(BigInteger.ONE)) <= 0)
                    merged.set(merged.size() - 1, new Used(last.start, last.end.max(u.end)));
                else merged.add(u);
            }
            return merged;
        }
    }
}
