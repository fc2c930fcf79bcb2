package dev.berth.cluster.backend.udp;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The udp backend's datagrams between two Berth hosts (UDP, port 8285 by default), two kinds told
 * apart by the first byte:
 * <ul>
 * <li><b>whole</b>: the 10-byte virtio-net header the TUN device gives (its first byte, the flags, is
 *     below 0x80), then one IPv4 packet. Used when both fit one underlay datagram (underlay MTU - 28).
 *     This is the only kind Berth sent before chunks existed, and it is still accepted as is of any
 *     size (an older host's IP-fragmented super-datagram).</li>
 * <li><b>chunk</b>: an 8-byte header {@code B1 index count 00 seq(4, big endian)}, then bytes
 *     {@code [index*C, index*C + len)} of "virtio-net header + TCP super-packet" (up to 64 KB), where
 *     every chunk but the last is exactly one underlay datagram (C = underlay MTU - 28 - 8). The
 *     chunks of one packet share {@code seq} (unique per sender socket stream), 1 < count <= 64.
 *     The sender hands all chunks of a packet to the kernel in one send with UDP_SEGMENT (the kernel
 *     or the NIC cuts them); the receiver takes them with UDP_GRO, usually all in one buffer, and
 *     writes the packet to its TUN device with one writev. A lost chunk loses the packet (as a lost
 *     IP fragment would); TCP resends it.</li>
 * </ul>
 * Nothing else is on the wire (no flannel compatibility: flannel's udp datagrams carry no header).
 */
final class Wire {
    static final int VNET_HDR = OffloadTun.VNET_HDR;
    static final int CHUNK_HEADER = 8;
    static final byte CHUNK = (byte) 0xB1;
    /** Chunks per packet; older kernels cut at most 64 segments per UDP_SEGMENT send. */
    static final int MAX_CHUNKS = 64;
    /** IPv4 and UDP headers of the outer packet. */
    static final int OUTER = 28;

    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Wire() {}

    /** Payload bytes of one underlay datagram. */
    static int datagram(int underlayMtu) {
        return underlayMtu - OUTER;
    }

    /** Packet bytes (virtio-net header + IP) one chunk carries. */
    static int chunkData(int underlayMtu) {
        return datagram(underlayMtu) - CHUNK_HEADER;
    }

    /** The largest super-packet the TUN device may hand over so it fits {@link #MAX_CHUNKS} chunks and one UDP send. */
    static int gsoMax(int underlayMtu) {
        return Math.min(OffloadTun.GSO_MAX, MAX_CHUNKS * chunkData(underlayMtu) - VNET_HDR);
    }

    static int chunks(int len, int chunkData) {
        return (len + chunkData - 1) / chunkData;
    }

    static void writeChunkHeader(MemorySegment s, long at, int index, int count, int seq) {
        s.set(JAVA_BYTE, at, CHUNK);
        s.set(JAVA_BYTE, at + 1, (byte) index);
        s.set(JAVA_BYTE, at + 2, (byte) count);
        s.set(JAVA_BYTE, at + 3, (byte) 0);
        s.set(INT_BE, at + 4, seq);
    }

    static boolean isChunk(MemorySegment s, long at) {
        return s.get(JAVA_BYTE, at) == CHUNK;
    }

    static int index(MemorySegment s, long at) {
        return s.get(JAVA_BYTE, at + 1) & 0xff;
    }

    static int count(MemorySegment s, long at) {
        return s.get(JAVA_BYTE, at + 2) & 0xff;
    }

    static int seq(MemorySegment s, long at) {
        return s.get(INT_BE, at + 4);
    }

    /** Whether {@code len} bytes at {@code at} (virtio-net header, then IP) hold an IPv4 packet for {@code net/mask}. */
    static boolean forLocal(MemorySegment s, long at, int len, int net, int mask) {
        return len >= VNET_HDR + 20
                && (s.get(JAVA_BYTE, at + VNET_HDR) & 0xf0) == 0x40
                && (s.get(INT_BE, at + VNET_HDR + 16) & mask) == net;
    }
}
