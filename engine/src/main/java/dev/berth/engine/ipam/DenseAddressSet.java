package dev.berth.engine.ipam;

import dev.berth.model.net.Uint128;
import java.util.BitSet;
import java.util.function.Consumer;

/**
 * Used addresses as one bit per address from the network address on. The BitSet grows only as far as
 * the highest used address, so a fresh /8 costs nothing until it fills.
 */
final class DenseAddressSet implements AddressSet {
    /** 2^24 bits is 2 MiB at worst: an IPv4 /8. */
    static final int MAX_HOST_BITS = 24;

    private final Uint128 base;
    private final BitSet bits = new BitSet();

    DenseAddressSet(Uint128 base) {
        this.base = base;
    }

    @Override
    public boolean add(Uint128 a) {
        int i = index(a);
        if (bits.get(i)) return false;
        bits.set(i);
        return true;
    }

    @Override
    public boolean remove(Uint128 a) {
        int i = index(a);
        if (!bits.get(i)) return false;
        bits.clear(i);
        return true;
    }

    @Override
    public boolean contains(Uint128 a) {
        return bits.get(index(a));
    }

    @Override
    public Uint128 nextFree(Uint128 from, Uint128 to) {
        int i = bits.nextClearBit(index(from));
        return i <= index(to) ? base.plus(i) : null;
    }

    @Override
    public void forEach(Consumer<Uint128> action) {
        for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) action.accept(base.plus(i));
    }

    @Override
    public long footprint() {
        return bits.size() / 64;
    }

    private int index(Uint128 a) {
        return (int) a.minus(base);
    }
}
