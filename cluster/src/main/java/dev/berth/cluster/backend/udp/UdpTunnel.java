package dev.berth.cluster.backend.udp;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.berth.model.log.Log;
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
    private static final int CONTROL = 32; // one cmsghdr with a 2- or 4-byte value, padded
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
     * @param tunFds      one descriptor per TUN queue (non-blocking)
     * @param sockFds     one UDP socket per queue, bound to the public address and port with SO_REUSEPORT and UDP_GRO
     * @param underlayMtu the underlay's MTU: every datagram fits it
     */
    UdpTunnel(PeerTable peers, int[] tunFds, int[] sockFds, int port, int underlayMtu) {
        this.peers = peers;
        this.port = port;
        this.datagram = Wire.datagram(underlayMtu);
        this.chunkData = Wire.chunkData(underlayMtu);
        for (int q = 0; q < tunFds.length; q++) {
            int tun = tunFds[q], sock = sockFds[q], queue = q;
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
     * The sending thread's memory: BATCH packet slots; per slot a peer address, a UDP_SEGMENT control
     * message, MAXC chunk headers and 2*MAXC iovecs (header, data); messages for the no-GSO fallback's
     * one-per-chunk case. Pointers are written as raw addresses so that building a batch allocates nothing.
     */
    private static final class Tx {
        final MemorySegment bufs, addrs, controls, headers, iovs, msgs, state, pollfd;

        Tx(Arena a) {
            bufs = a.allocate((long) SLOT * BATCH, 64);
            addrs = a.allocate(Mmsg.SOCKADDR_IN * BATCH, 8);
            controls = a.allocate((long) CONTROL * BATCH, 8);
            headers = a.allocate((long) Wire.CHUNK_HEADER * MAXC * BATCH, 8);
            iovs = a.allocate(Mmsg.IOVEC * 2 * MAXC * BATCH, 8);
            msgs = a.allocate(Mmsg.MMSGHDR * MAXC * BATCH, 8);
            state = Mmsg.errnoState(a);
            pollfd = a.allocate(8, 4);
        }
    }

    /** TUN -> UDP: read a batch of packets, address each to the peer owning its destination, send them in one call. */
    private void encapsulate(int tun, int sock, int queue) {
        try (Arena arena = Arena.ofConfined()) {
            Tx b = new Tx(arena);
            MemorySegment[] slots = new MemorySegment[BATCH];
            for (int i = 0; i < BATCH; i++) slots[i] = b.bufs.asSlice((long) SLOT * i, SLOT);
            b.pollfd.set(JAVA_INT, 0, tun);
            b.pollfd.set(JAVA_SHORT, 4, Mmsg.POLLIN);
            int seq = 0;
            while (running) {
                int n = 0, m = 0;
                long bytes = 0;
                while (n < BATCH) {
                    long len = Mmsg.read(b.state, tun, slots[n], SLOT);
                    if (len < 0) {
                        if (len == -Mmsg.EINTR) continue;
                        if (len != -Mmsg.EAGAIN) throw new IllegalStateException("read from TUN failed: errno " + -len);
                        break;
                    }
                    if (len < Wire.VNET_HDR + 20 || (slots[n].get(JAVA_BYTE, Wire.VNET_HDR) & 0xf0) != 0x40) {
                        dropped.incrementAndGet();
                        continue;
                    }
                    int peer = peers.lookup(slots[n].get(INT_BE, Wire.VNET_HDR + 16));
                    if (peer == 0) {
                        dropped.incrementAndGet();
                        continue;
                    } // no host owns it (flannel: net unreachable)
                    Mmsg.sockaddr(b.addrs, Mmsg.SOCKADDR_IN * n, peer, port);
                    m = messages(
                            b,
                            n,
                            (int) len,
                            m,
                            (++seq & 0x00ff_ffff) | queue << 24); // unique per queue: one socket each
                    bytes += len;
                    n++;
                }
                if (n == 0) {
                    Mmsg.poll(b.state, b.pollfd, POLL_MS);
                    continue;
                }
                send(b, sock, m);
                sentDatagrams.addAndGet(n);
                sentBytes.addAndGet(bytes);
            }
        } catch (RuntimeException e) {
            if (running) Log.error("udp backend: sending stopped", "error", e);
        }
    }

    /** Builds the message(s) for packet slot {@code p} of {@code len} bytes from message index {@code m}; returns the next free index. */
    private int messages(Tx b, int p, int len, int m, int seq) {
        long buf = b.bufs.address() + (long) SLOT * p;
        long name = b.addrs.address() + Mmsg.SOCKADDR_IN * p;
        long iov0 = Mmsg.IOVEC * 2 * MAXC * p;
        if (len <= datagram) {
            iov(b, iov0, buf, len);
            message(b, m, name, iov0, 1, 0);
            return m + 1;
        }
        int k = Wire.chunks(len, chunkData);
        long hdr0 = (long) Wire.CHUNK_HEADER * MAXC * p;
        for (int j = 0; j < k; j++) {
            long h = hdr0 + (long) Wire.CHUNK_HEADER * j;
            Wire.writeChunkHeader(b.headers, h, j, k, seq);
            iov(b, iov0 + Mmsg.IOVEC * 2 * j, b.headers.address() + h, Wire.CHUNK_HEADER);
            iov(
                    b,
                    iov0 + Mmsg.IOVEC * (2 * j + 1),
                    buf + (long) chunkData * j,
                    Math.min(chunkData, len - chunkData * j));
        }
        if (gso) {
            long c = (long) CONTROL * p;
            b.controls.set(JAVA_LONG, c, Mmsg.CMSG_DATA + 2); // CMSG_LEN(sizeof(uint16_t))
            b.controls.set(JAVA_INT, c + Mmsg.CMSG_LEVEL, Mmsg.SOL_UDP);
            b.controls.set(JAVA_INT, c + Mmsg.CMSG_TYPE, Mmsg.UDP_SEGMENT);
            b.controls.set(JAVA_SHORT, c + Mmsg.CMSG_DATA, (short) datagram);
            message(b, m, name, iov0, 2 * k, b.controls.address() + c);
            return m + 1;
        }
        for (int j = 0; j < k; j++) message(b, m + j, name, iov0 + Mmsg.IOVEC * 2 * j, 2, 0);
        return m + k;
    }

    private static void iov(Tx b, long at, long base, long len) {
        b.iovs.set(JAVA_LONG, at, base);
        b.iovs.set(JAVA_LONG, at + 8, len);
    }

    private static void message(Tx b, int m, long name, long iovAt, int iovCount, long control) {
        long at = Mmsg.MMSGHDR * m;
        b.msgs.set(JAVA_LONG, at + Mmsg.MSG_NAME, name);
        b.msgs.set(JAVA_INT, at + Mmsg.MSG_NAMELEN, (int) Mmsg.SOCKADDR_IN);
        b.msgs.set(JAVA_LONG, at + Mmsg.MSG_IOV, b.iovs.address() + iovAt);
        b.msgs.set(JAVA_LONG, at + Mmsg.MSG_IOVLEN, iovCount);
        b.msgs.set(JAVA_LONG, at + Mmsg.MSG_CONTROL, control);
        b.msgs.set(JAVA_LONG, at + Mmsg.MSG_CONTROLLEN, control == 0 ? 0 : CONTROL - 8); // CMSG_SPACE(2) = 24
        b.msgs.set(JAVA_INT, at + Mmsg.MSG_FLAGS, 0);
    }

    private void send(Tx b, int sock, int n) {
        int done = 0;
        while (done < n) {
            int r = Mmsg.sendmmsg(b.state, sock, b.msgs.asSlice(Mmsg.MMSGHDR * done), n - done);
            if (r > 0) {
                done += r;
                continue;
            }
            if (r == -Mmsg.EINTR) continue;
            if ((r == -Mmsg.EIO || r == -Mmsg.EINVAL)
                    && gso
                    && b.msgs.get(JAVA_LONG, Mmsg.MMSGHDR * done + Mmsg.MSG_CONTROL) != 0) {
                gso = false; // checked per send, not per host: the route's device cannot checksum a segmented send
                Log.warn(
                        "udp backend: the kernel refused a UDP_SEGMENT send; chunks go one per datagram from now on",
                        "errno",
                        -r);
            }
            // A peer that is unreachable right now (ECONNREFUSED, EHOSTUNREACH): drop that one packet.
            dropped.incrementAndGet();
            done++;
        }
    }

    /** The receiving thread's memory: BATCH receive slots with their sender address and control buffer, and iovecs to gather one packet. */
    private static final class Rx {
        final MemorySegment bufs, names, controls, iovs, msgs, gather, state;

        Rx(Arena a) {
            bufs = a.allocate((long) SLOT * BATCH, 64);
            names = a.allocate(Mmsg.SOCKADDR_IN * BATCH, 8);
            controls = a.allocate((long) CONTROL * BATCH, 8);
            iovs = a.allocate(Mmsg.IOVEC * BATCH, 8);
            msgs = a.allocate(Mmsg.MMSGHDR * BATCH, 8);
            gather = a.allocate(Mmsg.IOVEC * MAXC, 8);
            state = Mmsg.errnoState(a);
            for (int i = 0; i < BATCH; i++) {
                long iov = Mmsg.IOVEC * i, m = Mmsg.MMSGHDR * i;
                iovs.set(JAVA_LONG, iov, bufs.address() + (long) SLOT * i);
                iovs.set(JAVA_LONG, iov + 8, SLOT);
                msgs.set(JAVA_LONG, m + Mmsg.MSG_NAME, names.address() + Mmsg.SOCKADDR_IN * i);
                msgs.set(JAVA_LONG, m + Mmsg.MSG_IOV, iovs.address() + iov);
                msgs.set(JAVA_LONG, m + Mmsg.MSG_IOVLEN, 1);
                msgs.set(JAVA_LONG, m + Mmsg.MSG_CONTROL, controls.address() + (long) CONTROL * i);
            }
        }

        /** The kernel shortens the name and control lengths it fills in: give them back their room before each receive. */
        void reset() {
            for (int i = 0; i < BATCH; i++) {
                long m = Mmsg.MMSGHDR * i;
                msgs.set(JAVA_INT, m + Mmsg.MSG_NAMELEN, (int) Mmsg.SOCKADDR_IN);
                msgs.set(JAVA_LONG, m + Mmsg.MSG_CONTROLLEN, CONTROL);
            }
        }

        /** The segment size of a coalesced receive (UDP_GRO control message), or its length when it is one datagram. */
        int segment(int i, int len) {
            long m = Mmsg.MMSGHDR * i, c = (long) CONTROL * i;
            if (msgs.get(JAVA_LONG, m + Mmsg.MSG_CONTROLLEN) < Mmsg.CMSG_DATA + 2) return len;
            if (controls.get(JAVA_INT, c + Mmsg.CMSG_LEVEL) != Mmsg.SOL_UDP
                    || controls.get(JAVA_INT, c + Mmsg.CMSG_TYPE) != Mmsg.UDP_GRO) return len;
            int g = controls.get(JAVA_INT, c + Mmsg.CMSG_DATA) & 0xffff;
            return g == 0 ? len : g;
        }
    }

    /** UDP -> TUN: receive a batch, cut coalesced buffers into datagrams, hand each packet addressed to this host's subnet to the kernel. */
    private void decapsulate(int sock, int tun) {
        try (Arena arena = Arena.ofConfined()) {
            Rx b = new Rx(arena);
            Reassembly partial = new Reassembly(arena, SLOT);
            while (running) {
                b.reset();
                int n = Mmsg.recvmmsg(b.state, sock, b.msgs, BATCH);
                if (n < 0) {
                    if (n == -Mmsg.EAGAIN || n == -Mmsg.EINTR) continue; // receive timeout: look at `running`
                    throw new IllegalStateException("recvmmsg failed: errno " + -n);
                }
                int net = localNet, mask = localMask;
                for (int i = 0; i < n; i++) {
                    long m = Mmsg.MMSGHDR * i;
                    int len = b.msgs.get(JAVA_INT, m + Mmsg.MSG_LEN);
                    if ((b.msgs.get(JAVA_INT, m + Mmsg.MSG_FLAGS) & Mmsg.MSG_TRUNC) != 0) {
                        dropped.incrementAndGet();
                        continue;
                    }
                    int seg = b.segment(i, len);
                    int src = b.names.get(INT_BE, Mmsg.SOCKADDR_IN * i + 4);
                    long base = (long) SLOT * i, end = base + len, at = base;
                    while (at < end) at = datagram(b, partial, tun, src, at, end, seg, net, mask);
                }
                dropped.addAndGet(partial.lost);
                partial.lost = 0;
            }
        } catch (RuntimeException e) {
            if (running) Log.error("udp backend: receiving stopped", "error", e);
        }
    }

    /** Delivers the datagram at {@code at} (or the whole chunked packet starting there); returns where the next datagram starts. */
    private long datagram(Rx b, Reassembly partial, int tun, int src, long at, long end, int seg, int net, int mask) {
        MemorySegment s = b.bufs;
        int d = (int) Math.min(seg, end - at);
        if (!Wire.isChunk(s, at)) {
            if (Wire.forLocal(s, at, d, net, mask)) {
                long w = Mmsg.write(b.state, tun, s.asSlice(at, d), d);
                if (w < 0 && w != -Mmsg.EAGAIN) dropped.incrementAndGet();
            } else dropped.incrementAndGet();
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
            while (j < cnt && p < end) {
                int dj = (int) Math.min(seg, end - p);
                if (dj <= Wire.CHUNK_HEADER || !Wire.isChunk(s, p) || Wire.index(s, p) != j || Wire.seq(s, p) != sq)
                    break;
                b.gather.set(JAVA_LONG, Mmsg.IOVEC * j, s.address() + p + Wire.CHUNK_HEADER);
                b.gather.set(JAVA_LONG, Mmsg.IOVEC * j + 8, dj - Wire.CHUNK_HEADER);
                p += dj;
                j++;
            }
            if (j == cnt) {
                if (Wire.forLocal(s, at + Wire.CHUNK_HEADER, d - Wire.CHUNK_HEADER, net, mask)) {
                    long w = Mmsg.writev(b.state, tun, b.gather, cnt);
                    if (w < 0 && w != -Mmsg.EAGAIN) dropped.incrementAndGet();
                } else dropped.incrementAndGet();
                return p;
            }
        }
        int done = partial.add(src, s, at, d);
        if (done >= 0) {
            MemorySegment pkt = partial.packet(done);
            if (Wire.forLocal(pkt, 0, partial.length(done), net, mask)) {
                long w = Mmsg.write(b.state, tun, pkt, partial.length(done));
                if (w < 0 && w != -Mmsg.EAGAIN) dropped.incrementAndGet();
            } else dropped.incrementAndGet();
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
