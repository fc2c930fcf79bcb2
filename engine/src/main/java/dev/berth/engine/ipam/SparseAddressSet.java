package dev.berth.engine.ipam;

import dev.berth.model.net.Uint128;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Used addresses as disjoint, non-adjacent runs (first to last, inclusive), for ranges too large for a
 * bitmap such as an IPv6 /64. Sequential allocation keeps a single run, so memory follows fragmentation,
 * not size, and the free address after a run is always the run's end plus one.
 */
final class SparseAddressSet implements AddressSet {
    private final TreeMap<Uint128, Uint128> runs = new TreeMap<>();

    @Override
    public boolean add(Uint128 a) {
        Map.Entry<Uint128, Uint128> left = runs.floorEntry(a);
        if (left != null && a.compareTo(left.getValue()) <= 0) return false;
        boolean joinsLeft = left != null && left.getValue().next().equals(a);
        Map.Entry<Uint128, Uint128> right = runs.higherEntry(a);
        boolean joinsRight = right != null && a.next().equals(right.getKey());
        if (joinsLeft && joinsRight) {
            runs.remove(right.getKey());
            runs.put(left.getKey(), right.getValue());
        } else if (joinsLeft) {
            runs.put(left.getKey(), a);
        } else if (joinsRight) {
            runs.remove(right.getKey());
            runs.put(a, right.getValue());
        } else {
            runs.put(a, a);
        }
        return true;
    }

    @Override
    public boolean remove(Uint128 a) {
        Map.Entry<Uint128, Uint128> run = runs.floorEntry(a);
        if (run == null || a.compareTo(run.getValue()) > 0) return false;
        runs.remove(run.getKey());
        if (run.getKey().lessThan(a)) runs.put(run.getKey(), a.previous());
        if (a.lessThan(run.getValue())) runs.put(a.next(), run.getValue());
        return true;
    }

    @Override
    public boolean contains(Uint128 a) {
        Map.Entry<Uint128, Uint128> run = runs.floorEntry(a);
        return run != null && a.compareTo(run.getValue()) <= 0;
    }

    @Override
    public Uint128 nextFree(Uint128 from, Uint128 to) {
        Uint128 a = from;
        Map.Entry<Uint128, Uint128> run = runs.floorEntry(a);
        if (run != null && a.compareTo(run.getValue()) <= 0) {
            if (run.getValue().equals(Uint128.MAX)) return null;
            a = run.getValue().next(); // runs never touch, so this one is free
        }
        return a.compareTo(to) <= 0 ? a : null;
    }

    @Override
    public void forEach(Consumer<Uint128> action) {
        for (Map.Entry<Uint128, Uint128> run : runs.entrySet()) {
            for (Uint128 a = run.getKey(); ; a = a.next()) {
                action.accept(a);
                if (a.equals(run.getValue())) break;
            }
        }
    }

    @Override
    public long footprint() {
        return runs.size();
    }
}
