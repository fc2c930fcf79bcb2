package dev.berth.engine.ipam;

import dev.berth.model.net.Cidr;
import dev.berth.model.net.Uint128;
import java.util.function.Consumer;

/** The used addresses of one subnet, with a "first free address from here" query for next-fit allocation. */
sealed interface AddressSet permits DenseAddressSet, SparseAddressSet {

    /** Marks {@code a} used; false when it already was. */
    boolean add(Uint128 a);

    /** Marks {@code a} free; false when it was not used. */
    boolean remove(Uint128 a);

    boolean contains(Uint128 a);

    /** The lowest free address in {@code from..to} (inclusive), or null when all of them are used. */
    Uint128 nextFree(Uint128 from, Uint128 to);

    /** Visits the used addresses in ascending order. */
    void forEach(Consumer<Uint128> action);

    /** How much the structure holds (64-bit words or runs), so tests can check it stays small. */
    long footprint();

    /** A bitmap for subnets of at most 2^{@value DenseAddressSet#MAX_HOST_BITS} addresses, intervals otherwise. */
    static AddressSet forSubnet(Cidr subnet) {
        int hostBits = subnet.bits() - subnet.prefix();
        return hostBits <= DenseAddressSet.MAX_HOST_BITS ? new DenseAddressSet(subnet.low()) : new SparseAddressSet();
    }
}
