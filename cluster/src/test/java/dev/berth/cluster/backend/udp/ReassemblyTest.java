package dev.berth.cluster.backend.udp;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The copy path for chunks that did not arrive in one GRO buffer: in-order chunks of interleaved packets, gaps, bad counts. */
class ReassemblyTest {
    private static final int CHUNK = 100;

    /** Chunk {@code index} of a {@code count}-chunk packet {@code seq}: header, then bytes filled with (seq + index). */
    private static MemorySegment chunk(Arena a, int index, int count, int seq, int data) {
        MemorySegment s = a.allocate(Wire.CHUNK_HEADER + data);
        Wire.writeChunkHeader(s, 0, index, count, seq);
        s.asSlice(Wire.CHUNK_HEADER).fill((byte) (seq + index));
        return s;
    }

    @Test
    void interleavedPacketsFromTwoSendersComeBackWholeAndAGapLosesOnlyItsPacket() {
        try (Arena a = Arena.ofConfined()) {
            Reassembly r = new Reassembly(a, 65_600);
            // packet 7 from sender 1 (3 chunks, the last short) interleaved with packet 9 from sender 2 (2 chunks)
            assertEquals(-1, r.add(1, chunk(a, 0, 3, 7, CHUNK), 0, Wire.CHUNK_HEADER + CHUNK));
            assertEquals(-1, r.add(2, chunk(a, 0, 2, 9, CHUNK), 0, Wire.CHUNK_HEADER + CHUNK));
            assertEquals(-1, r.add(1, chunk(a, 1, 3, 7, CHUNK), 0, Wire.CHUNK_HEADER + CHUNK));
            int done9 = r.add(2, chunk(a, 1, 2, 9, 40), 0, Wire.CHUNK_HEADER + 40);
            assertTrue(done9 >= 0);
            assertEquals(CHUNK + 40, r.length(done9));
            assertEquals((byte) 10, r.packet(done9).get(ValueLayout.JAVA_BYTE, CHUNK + 1), "chunk 1 follows chunk 0");
            int done7 = r.add(1, chunk(a, 2, 3, 7, 10), 0, Wire.CHUNK_HEADER + 10);
            assertTrue(done7 >= 0);
            assertEquals(2 * CHUNK + 10, r.length(done7));
            assertEquals((byte) 9, r.packet(done7).get(ValueLayout.JAVA_BYTE, 2 * CHUNK + 5));
            assertEquals(0, r.lost);

            // a missing middle chunk: the packet is given up, the next one still comes through
            assertEquals(-1, r.add(1, chunk(a, 0, 3, 8, CHUNK), 0, Wire.CHUNK_HEADER + CHUNK));
            assertEquals(-1, r.add(1, chunk(a, 2, 3, 8, 10), 0, Wire.CHUNK_HEADER + 10));
            assertEquals(1, r.lost);
            assertEquals(-1, r.add(1, chunk(a, 0, 2, 11, CHUNK), 0, Wire.CHUNK_HEADER + CHUNK));
            assertTrue(r.add(1, chunk(a, 1, 2, 11, 5), 0, Wire.CHUNK_HEADER + 5) >= 0);

            // nonsense counts are refused, and a chunk without its first is dropped
            assertEquals(-1, r.add(1, chunk(a, 0, 1, 12, CHUNK), 0, Wire.CHUNK_HEADER + CHUNK));
            assertEquals(-1, r.add(1, chunk(a, 0, Wire.MAX_CHUNKS + 1, 13, CHUNK), 0, Wire.CHUNK_HEADER + CHUNK));
            assertEquals(-1, r.add(3, chunk(a, 1, 2, 14, CHUNK), 0, Wire.CHUNK_HEADER + CHUNK));
            assertEquals(2, r.lost);
        }
    }
}
