package dev.berth.cluster.backend.udp;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.berth.model.log.Log;
import dev.berth.netlink.tun.TunQueue;
import dev.berth.netlink.udp.ReceiveBatch;
import dev.berth.netlink.udp.SendBatch;
import dev.berth.netlink.udp.UdpSocket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The UDP data path: for each TUN queue, one thread moves packets from the TUN device into UDP
 * datagrams to the owning peer (up to {@link #BATCH} reads, then one {@code sendmmsg}) and one thread
 * moves datagrams from the socket into the TUN device (one {@code recvmmsg} for a batch). The format
 * is {@link Wire}'s: a packet that fits one underlay datagram goes whole; a TCP super-packet (up to
 * 64 KB, the TUN device segments late) goes as chunks the kernel cuts from one send (UDP_SEGMENT),
 * and the receiver gets them back coalesced (UDP_GRO) and writes the packet with one writev, its
 * iovecs pointing into the receive buffer. No copy in userspace on either side in the common case.
 * Each thread owns its native buffers, set up once; the loops allocate nothing per packet.
 */
final class UdpTunnel implements AutoCloseable {
    static final int BATCH = 32;
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int POLL_MS = 200;
    private static final int SLOT = 65_600; // a whole super-packet, or a whole coalesced receive (<= 64 KB)
    private static final int MAXC = Wire.MAX_CHUNKS;

    private final PeerTable peers;
    private final int port;
    private final int datagram, chunkData;
    private volatile int localNet, localMask;
    private volatile boolean running = true;
    /** Cleared when the kernel refuses UDP_SEGMENT sends (no checksum offload on the route): chunks then go one per message. */
    private volatile boolean gso = true;

    private final List<Thread> threads = new ArrayList<>();
    final AtomicLong dropped = new AtomicLong();
    /** Packets and bytes sent, counted once per batch. */
    final AtomicLong sentDatagrams = new AtomicLong(), sentBytes = new AtomicLong();

    /**
     * @param queues      the TUN device's queues
     * @param sockets     one UDP socket per queue, bound to the public address and port with SO_REUSEPORT and UDP_GRO
     * @param underlayMtu the underlay's MTU: every datagram fits it
     */
    UdpTunnel(PeerTable peers, List<TunQueue> queues, List<UdpSocket> sockets, int port, int underlayMtu) {
        this.peers = peers;
        this.port = port;
        this.datagram = Wire.datagram(underlayMtu);
        this.chunkData = Wire.chunkData(underlayMtu);
        for (int q = 0; q < queues.size(); q++) {
            TunQueue tun = queues.get(q);
            UdpSocket sock = sockets.get(q);
            int queue = q;
            threads.add(
                    Thread.ofPlatform().daemon().name("berth-udp-tx-" + q).start(() -> encapsulate(tun, sock, queue)));
            threads.add(Thread.ofPlatform().daemon().name("berth-udp-rx-" + q).start(() -> decapsulate(sock, tun)));
        }
    }

    /** Packets from the wire are only delivered when addressed to this host's subnet. */
    void setLocal(int network, int prefix) {
        localMask = prefix == 0 ? 0 : -1 << (32 - prefix);
        localNet = network & localMask;
    }

    /**
     * The sending thread's memory: BATCH packet slots, MAXC chunk headers per slot, and a send batch with room for
     * the no-GSO fallback's one message per chunk. Building a batch allocates nothing.
     */
    private static final class Tx {
        final MemorySegment bufs, headers;
        final MemorySegment[] slots = new MemorySegment[BATCH];
        final SendBatch batch;
        final TunQueue.Io io;

        Tx(Arena a, TunQueue tun) {
            bufs = a.allocate((long) SLOT * BATCH, 64);
            for (int i = 0; i < BATCH; i++) slots[i] = bufs.asSlice((long) SLOT * i, SLOT);
            headers = a.allocate((long) Wire.CHUNK_HEADER * MAXC * BATCH, 8);
            batch = new SendBatch(a, MAXC * BATCH, 2 * MAXC * BATCH);
            io = tun.io(a, 0);
        }
    }

    /** TUN -> UDP: read a batch of packets, address each to the peer owning its destination, send them in one call. */
    private void encapsulate(TunQueue tun, UdpSocket sock, int queue) {
        try (Arena arena = Arena.ofConfined()) {
            Tx b = new Tx(arena, tun);
            int seq = 0;
            while (running) {
                int n = 0;
                long bytes = 0;
                b.batch.clear();
                while (n < BATCH) {
                    int len = b.io.read(b.slots[n]);
                    if (len == 0) break;
                    if (len < Wire.VNET_HDR + 20 || (b.slots[n].get(JAVA_BYTE, Wire.VNET_HDR) & 0xf0) != 0x40) {
                        dropped.incrementAndGet();
                        continue;
                    }
                    int peer = peers.lookup(b.slots[n].get(INT_BE, Wire.VNET_HDR + 16));
                    if (peer == 0) {
                        dropped.incrementAndGet();
                        continue;
                    } // no host owns it (flannel: net unreachable)
                    messages(b, n, len, peer, (++seq & 0x00ff_ffff) | queue << 24); // unique per queue: one socket each
                    bytes += len;
                    n++;
                }
                if (n == 0) {
                    b.io.await(POLL_MS);
                    continue;
                }
                send(b, sock);
                sentDatagrams.addAndGet(n);
                sentBytes.addAndGet(bytes);
            }
        } catch (RuntimeException e) {
            if (running) Log.error("udp backend: sending stopped", "error", e);
        }
    }

    /** Adds the message(s) for packet slot {@code p} of {@code len} bytes, to {@code peer}, to the batch. */
    private void messages(Tx b, int p, int len, int peer, int seq) {
        long buf = (long) SLOT * p;
        if (len <= datagram) {
            b.batch.add(peer, port, 0);
            b.batch.gather(b.bufs, buf, len);
            return;
        }
        int k = Wire.chunks(len, chunkData);
        long hdr0 = (long) Wire.CHUNK_HEADER * MAXC * p;
        boolean segmented = gso;
        if (segmented) b.batch.add(peer, port, datagram);
        for (int j = 0; j < k; j++) {
            long h = hdr0 + (long) Wire.CHUNK_HEADER * j;
            Wire.writeChunkHeader(b.headers, h, j, k, seq);
            if (!segmented) b.batch.add(peer, port, 0);
            b.batch.gather(b.headers, h, Wire.CHUNK_HEADER);
            b.batch.gather(b.bufs, buf + (long) chunkData * j, Math.min(chunkData, len - chunkData * j));
        }
    }

    private void send(Tx b, UdpSocket sock) {
        // A peer that is unreachable right now (ECONNREFUSED, EHOSTUNREACH): that message is dropped.
        dropped.addAndGet(b.batch.send(sock));
        if (b.batch.segmentationRefused() && gso) {
            gso = false; // checked per send, not per host: the route's device cannot checksum a segmented send
            Log.warn(
                    "udp backend: the kernel refused a UDP_SEGMENT send; chunks go one per datagram from now on",
                    "errno",
                    b.batch.lastErrno());
        }
    }

    /** UDP -> TUN: receive a batch, cut coalesced buffers into datagrams, hand each packet addressed to this host's subnet to the kernel. */
    private void decapsulate(UdpSocket sock, TunQueue tun) {
        try (Arena arena = Arena.ofConfined()) {
            ReceiveBatch b = new ReceiveBatch(arena, BATCH, SLOT);
            TunQueue.Io io = tun.io(arena, MAXC);
            Reassembly partial = new Reassembly(arena, SLOT);
            while (running) {
                int n = b.receive(sock); // 0 on the receive timeout: look at `running`
                int net = localNet, mask = localMask;
                for (int i = 0; i < n; i++) {
                    if (b.truncated(i)) {
                        dropped.incrementAndGet();
                        continue;
                    }
                    int len = b.length(i);
                    int seg = b.segmentSize(i);
                    int src = b.sourceIp(i);
                    long base = b.offset(i), end = base + len, at = base;
                    while (at < end) at = datagram(b.buffers(), io, partial, src, at, end, seg, net, mask);
                }
                dropped.addAndGet(partial.lost);
                partial.lost = 0;
            }
        } catch (RuntimeException e) {
            if (running) Log.error("udp backend: receiving stopped", "error", e);
        }
    }

    /** Delivers the datagram at {@code at} (or the whole chunked packet starting there); returns where the next datagram starts. */
    private long datagram(
            MemorySegment s,
            TunQueue.Io io,
            Reassembly partial,
            int src,
            long at,
            long end,
            int seg,
            int net,
            int mask) {
        int d = (int) Math.min(seg, end - at);
        if (!Wire.isChunk(s, at)) {
            if (!Wire.forLocal(s, at, d, net, mask) || !io.write(s, at, d)) dropped.incrementAndGet();
            return at + d;
        }
        if (d < Wire.CHUNK_HEADER) {
            dropped.incrementAndGet();
            return at + d;
        }
        int cnt = Wire.count(s, at);
        if (Wire.index(s, at) == 0 && cnt >= 2 && cnt <= MAXC) {
            // Fast path: every chunk of the packet is in this buffer, in order: gather them straight into the TUN
            // write.
            int sq = Wire.seq(s, at);
            long p = at;
            int j = 0;
            io.clearGather();
            while (j < cnt && p < end) {
                int dj = (int) Math.min(seg, end - p);
                if (dj <= Wire.CHUNK_HEADER || !Wire.isChunk(s, p) || Wire.index(s, p) != j || Wire.seq(s, p) != sq)
                    break;
                io.gather(s, p + Wire.CHUNK_HEADER, dj - Wire.CHUNK_HEADER);
                p += dj;
                j++;
            }
            if (j == cnt) {
                if (!Wire.forLocal(s, at + Wire.CHUNK_HEADER, d - Wire.CHUNK_HEADER, net, mask) || !io.writeGathered())
                    dropped.incrementAndGet();
                return p;
            }
        }
        int done = partial.add(src, s, at, d);
        if (done >= 0) {
            MemorySegment pkt = partial.packet(done);
            int len = partial.length(done);
            if (!Wire.forLocal(pkt, 0, len, net, mask) || !io.write(pkt, 0, len)) dropped.incrementAndGet();
        }
        return at + d;
    }

    @Override
    public void close() {
        if (Boolean.getBoolean("berth.udp.stats"))
            Log.info(
                    "udp tunnel: closed",
                    "sent_datagrams",
                    sentDatagrams.get(),
                    "sent_bytes",
                    sentBytes.get(),
                    "dropped",
                    dropped.get());
        running = false;
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
