package dev.berth.engine.ipam;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.model.net.Uint128;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The bitmap and the run set answer every query like a plain sorted set. */
class AddressSetTest {

    @Test
    void bothStructuresMatchASortedSet() {
        Uint128 base = new Uint128(0x0123_4567_89ab_cdefL, 0xffff_ffff_ffff_ff00L); // a carry happens inside the range
        for (long seed = 1; seed <= 30; seed++) {
            Random rnd = new Random(seed);
            AddressSet dense = new DenseAddressSet(base);
            AddressSet sparse = new SparseAddressSet();
            TreeSet<Uint128> model = new TreeSet<>();
            for (int step = 0; step < 4000; step++) {
                Uint128 a = base.plus(rnd.nextInt(512));
                switch (rnd.nextInt(4)) {
                    case 0, 1 -> {
                        boolean added = model.add(a);
                        assertEquals(added, dense.add(a));
                        assertEquals(added, sparse.add(a));
                    }
                    case 2 -> {
                        boolean removed = model.remove(a);
                        assertEquals(removed, dense.remove(a));
                        assertEquals(removed, sparse.remove(a));
                    }
                    default -> {
                        Uint128 to = a.plus(rnd.nextInt(64));
                        Uint128 expected = null;
                        for (Uint128 x = a; x.compareTo(to) <= 0; x = x.next()) {
                            if (!model.contains(x)) {
                                expected = x;
                                break;
                            }
                        }
                        assertEquals(expected, dense.nextFree(a, to), "seed " + seed);
                        assertEquals(expected, sparse.nextFree(a, to), "seed " + seed);
                        assertEquals(model.contains(a), sparse.contains(a));
                        assertEquals(model.contains(a), dense.contains(a));
                    }
                }
            }
            assertEquals(List.copyOf(model), list(dense));
            assertEquals(List.copyOf(model), list(sparse));
        }
    }

    @Test
    void runsMergeAndSplit() {
        SparseAddressSet s = new SparseAddressSet();
        for (int i = 0; i < 10; i++) s.add(new Uint128(0, i * 2));
        assertEquals(10, s.footprint());
        for (int i = 0; i < 10; i++) s.add(new Uint128(0, i * 2 + 1));
        assertEquals(1, s.footprint(), "0..19 is one run");
        s.remove(new Uint128(0, 7));
        assertEquals(2, s.footprint());
        assertEquals(new Uint128(0, 7), s.nextFree(Uint128.ZERO, new Uint128(0, 100)));
        assertEquals(new Uint128(0, 20), s.nextFree(new Uint128(0, 8), new Uint128(0, 100)));
        assertNull(s.nextFree(new Uint128(0, 8), new Uint128(0, 19)));
    }

    @Test
    void theTopOfTheAddressSpaceDoesNotWrap() {
        SparseAddressSet s = new SparseAddressSet();
        s.add(Uint128.MAX);
        s.add(Uint128.MAX.previous());
        assertEquals(1, s.footprint());
        assertNull(s.nextFree(Uint128.MAX.previous(), Uint128.MAX));
        assertEquals(Uint128.ZERO, Uint128.MAX.next());
        assertEquals(Uint128.MAX, Uint128.ZERO.previous());
        assertEquals(new Uint128(1, 0), new Uint128(0, -1).next());
        assertEquals(new Uint128(1, 4), new Uint128(0, -2).plus(6));
    }

    private static List<Uint128> list(AddressSet set) {
        List<Uint128> out = new ArrayList<>();
        set.forEach(out::add);
        return out;
    }
}
