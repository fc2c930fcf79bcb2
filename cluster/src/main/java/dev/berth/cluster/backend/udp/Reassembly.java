package dev.berth.cluster.backend.udp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Chunks of a packet that did not arrive together in one GRO buffer (a receive batch boundary, a NIC
 * without UDP GRO), put back together by copying: a few slots keyed by sender and sequence, chunks
 * taken in order only (one sender socket's chunks leave in order; a gap loses the packet, as a lost
 * IP fragment does). One instance per receiving thread; nothing is allocated per packet.
 */
final class Reassembly {
    private static final int SLOTS = 8;
    private final MemorySegment bufs;
    private final long slotSize;
    private final int[] source = new int[SLOTS],
            seq = new int[SLOTS],
            count = new int[SLOTS],
            next = new int[SLOTS],
            length = new int[SLOTS];
    private final long[] touched = new long[SLOTS];
    private long clock;
    /** Packets given up (a chunk missing or out of order). */
    long lost;

    Reassembly(Arena arena, int slotSize) {
        this.slotSize = slotSize;
        this.bufs = arena.allocate((long) slotSize * SLOTS, 64);
    }

    /**
     * Takes the chunk of {@code len} bytes (header included) at {@code at} from {@code src}; returns the
     * slot whose packet it completed, or -1.
     */
    int add(int src, MemorySegment s, long at, int len) {
        int index = Wire.index(s, at), cnt = Wire.count(s, at), sq = Wire.seq(s, at);
        int data = len - Wire.CHUNK_HEADER;
        int slot = find(src, sq);
        if (index == 0) {
            if (cnt < 2 || cnt > Wire.MAX_CHUNKS) return -1;
            if (slot < 0) slot = oldest();
            if (next[slot] != 0) lost++; // evicted, or the same sequence started over
            source[slot] = src;
            seq[slot] = sq;
            count[slot] = cnt;
            length[slot] = 0;
        } else if (slot < 0 || index != next[slot] || cnt != count[slot]) {
            if (slot >= 0) free(slot);
            lost++;
            return -1;
        }
        if (length[slot] + data > slotSize) {
            free(slot);
            lost++;
            return -1;
        }
        MemorySegment.copy(s, at + Wire.CHUNK_HEADER, bufs, slotSize * slot + length[slot], data);
        length[slot] += data;
        next[slot] = index + 1;
        touched[slot] = ++clock;
        if (next[slot] < count[slot]) return -1;
        next[slot] = 0;
        return slot;
    }

    MemorySegment packet(int slot) {
        return bufs.asSlice(slotSize * slot, length[slot]);
    }

    int length(int slot) {
        return length[slot];
    }

    private int find(int src, int sq) {
        for (int i = 0; i < SLOTS; i++) if (next[i] != 0 && source[i] == src && seq[i] == sq) return i;
        return -1;
    }

    private int oldest() {
        int best = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (next[i] == 0) return i;
            if (touched[i] < touched[best]) best = i;
        }
        return best;
    }

    private void free(int slot) {
        next[slot] = 0;
    }
}
