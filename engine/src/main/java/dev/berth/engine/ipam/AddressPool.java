package dev.berth.engine.ipam;

import dev.berth.engine.model.SubnetConfig;
import dev.berth.model.BerthException;
import dev.berth.model.net.Cidr;
import dev.berth.model.net.IpPrefix;
import dev.berth.model.net.Uint128;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The host addresses of one subnet: hands out free ones next-fit (like Docker, a released address is
 * reused only after the cursor wraps around), takes static ones, and never gives out the network,
 * IPv4 broadcast, gateway or auxiliary addresses. Thread-safe.
 */
public final class AddressPool {
    private final SubnetConfig config;
    private final Cidr subnet;
    private final boolean ipv4;
    private final String networkName;
    private final String where;
    /** Addresses no container may have, with what they are ("the gateway"), for error messages. */
    private final Map<Uint128, String> reserved = new HashMap<>();
    /** Allocated addresses plus the gateway and aux addresses; network and broadcast lie outside first..last. */
    private final AddressSet used;
    /** Bounds of dynamic allocation: the ip-range (or subnet) without network and broadcast. */
    private final Uint128 first;

    private final Uint128 last;
    /** The range holds only the network or broadcast address (a /31, /32 or /128). */
    private final boolean empty;

    private Uint128 cursor;
    private long allocated;

    /** A pool whose messages name the subnet. */
    public AddressPool(SubnetConfig config) {
        this(config, null);
    }

    /** A pool whose messages name the network {@code networkName} (null: name the subnet). */
    public AddressPool(SubnetConfig config, String networkName) {
        this.config = config;
        this.subnet = config.subnet();
        this.ipv4 = subnet.isIpv4();
        this.networkName = networkName;
        this.where = networkName == null ? "in " + subnet : "on network " + networkName;
        this.used = AddressSet.forSubnet(subnet);

        Uint128 low = subnet.low(), high = subnet.high();
        reserved.put(low, ipv4 ? "the network address" : "the subnet-router anycast address");
        if (ipv4) reserved.put(high, "the broadcast address");
        if (config.gateway() != null) reserve(config.gateway(), "the gateway", "gateway");
        for (var aux : config.auxAddresses().entrySet())
            reserve(
                    aux.getValue(),
                    "reserved as auxiliary address '" + aux.getKey() + "'",
                    "aux address " + aux.getKey());

        Cidr range = config.ipRange() == null ? subnet : config.ipRange();
        if (!subnet.contains(range))
            throw new IllegalArgumentException("ip-range " + range + " is not inside subnet " + subnet);
        Uint128 from = range.low(), to = range.high();
        // The network (and IPv4 broadcast) address sit at the ends; keeping them out of the bounds keeps
        // them out of the used set too, so a fresh /8 bitmap stays empty.
        boolean none = false;
        if (from.equals(low)) {
            if (from.equals(to)) none = true;
            else from = from.next();
        }
        if (ipv4 && !none && to.equals(high)) {
            if (from.equals(to)) none = true;
            else to = to.previous();
        }
        this.empty = none;
        this.first = from;
        this.last = to;
        this.cursor = from;
    }

    /** The configuration this pool was built from. */
    public SubnetConfig config() {
        return config;
    }

    /** The next free address in the ip-range at or after the cursor, wrapping around once. */
    public synchronized InetAddress allocate() {
        Uint128 a = empty ? null : used.nextFree(cursor, last);
        if (a == null && !empty && first.lessThan(cursor)) a = used.nextFree(first, cursor.previous());
        if (a == null) {
            String range = config.ipRange() == null ? "" : "ip-range " + config.ipRange() + " of ";
            throw new BerthException.Conflict("no free address left in " + range + subnet
                    + (networkName == null ? "" : " on network " + networkName));
        }
        used.add(a);
        allocated++;
        cursor = a.equals(last) ? first : a.next();
        return a.toAddress(ipv4);
    }

    /**
     * Takes {@code specific} (a static {@code --ip}), which may lie outside the ip-range but not outside the
     * subnet; {@code field} names the request field in errors. Leaves the cursor where it is.
     */
    public synchronized void allocate(InetAddress specific, String field) {
        Uint128 a = check(specific, field);
        if (!used.add(a))
            throw new BerthException.Conflict("address " + IpPrefix.format(specific) + " is already in use " + where);
        allocated++;
    }

    /** Marks {@code address} used while loading saved state: no cursor movement; true when it was free. */
    public synchronized boolean restore(InetAddress address) {
        Uint128 a;
        try {
            a = check(address, "saved address");
        } catch (BerthException.InvalidRequest e) {
            throw new IllegalArgumentException("cannot restore " + e.getMessage(), e);
        }
        if (!used.add(a)) return false;
        allocated++;
        return true;
    }

    /** Frees {@code address}; false when it was not allocated from this pool (reserved ones never are). */
    public synchronized boolean release(InetAddress address) {
        if (!subnet.contains(address)) return false;
        Uint128 a = Uint128.of(address);
        if (reserved.containsKey(a) || !used.remove(a)) return false;
        allocated--;
        return true;
    }

    /** True when {@code address} was handed out (dynamically, statically or by restore) and not released. */
    public synchronized boolean isAllocated(InetAddress address) {
        if (!subnet.contains(address)) return false;
        Uint128 a = Uint128.of(address);
        return !reserved.containsKey(a) && used.contains(a);
    }

    /** How many addresses are allocated (reserved ones not counted). */
    public synchronized long allocatedCount() {
        return allocated;
    }

    /** A snapshot of the allocated addresses in ascending order. */
    public synchronized List<InetAddress> allocated() {
        List<InetAddress> out = new ArrayList<>((int) Math.min(allocated, 1 << 16));
        used.forEach(a -> {
            if (!reserved.containsKey(a)) out.add(a.toAddress(ipv4));
        });
        return out;
    }

    /** Size of the bookkeeping structure (bitmap words or runs), for tests. */
    synchronized long footprint() {
        return used.footprint();
    }

    /** The address as a number once it is known to be an allocatable host address of this subnet. */
    private Uint128 check(InetAddress address, String field) {
        String text = IpPrefix.format(address);
        if (!subnet.contains(address))
            throw new BerthException.InvalidRequest(field, text + " is not in subnet " + subnet);
        Uint128 a = Uint128.of(address);
        String what = reserved.get(a);
        if (what != null) throw new BerthException.InvalidRequest(field, text + " is " + what + " of " + subnet);
        return a;
    }

    private void reserve(InetAddress address, String what, String role) {
        if (!subnet.contains(address))
            throw new IllegalArgumentException(role + " " + IpPrefix.format(address) + " is not in subnet " + subnet);
        Uint128 a = Uint128.of(address);
        if (reserved.putIfAbsent(a, what) == null) used.add(a);
    }
}
