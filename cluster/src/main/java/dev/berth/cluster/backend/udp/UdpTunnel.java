package dev.berth.cluster.backend.udp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The UDP data path: for each TUN queue, one thread moves packets from the TUN device into UDP
 * datagrams to the owning peer (up to {@link #BATCH} reads, then one {@code sendmmsg}) and one thread
 * moves datagrams from the socket into the TUN device (one {@code recvmmsg} for a batch). Each thread
 * owns its native buffers, set up once; the loops allocate nothing per packet. The payload is the
 * packet as the TUN device gives it: a virtio-net header, then the IP packet (a TCP super-packet of
 * up to 64 KB when the sender's kernel segments late), written back as is on the other side.
 */
final class UdpTunnel implements AutoCloseable {
    static final int BATCH = 32;
    private static final Logger LOG = Logger.getLogger(UdpTunnel.class.getName());
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int POLL_MS = 200;
    private static final int HDR = OffloadTun.VNET_HDR;

    private final PeerTable peers;
    private final int port;
    private final int slot;
    private volatile int localNet, localMask;
    private volatile boolean running = true;
    private final List<Thread> threads = new ArrayList<>();
    final AtomicLong dropped = new AtomicLong();
    /** Datagrams and bytes sent, counted once per batch. */
    final AtomicLong sentDatagrams = new AtomicLong(), sentBytes = new AtomicLong();

    /**
     * @param tunFds  one descriptor per TUN queue (non-blocking)
     * @param sockFds one UDP socket per queue, bound to the public address and port with SO_REUSEPORT
     */
    UdpTunnel(PeerTable peers, int[] tunFds, int[] sockFds, int port) {
        this.peers = peers;
        this.port = port;
        this.slot = OffloadTun.VNET_HDR + OffloadTun.GSO_MAX + 64; // a whole super-packet behind its header
        for (int q = 0; q < tunFds.length; q++) {
            int tun = tunFds[q], sock = sockFds[q];
            threads.add(Thread.ofPlatform().daemon().name("berth-udp-tx-" + q).start(() -> encapsulate(tun, sock)));
            threads.add(Thread.ofPlatform().daemon().name("berth-udp-rx-" + q).start(() -> decapsulate(sock, tun)));
        }
    }

    /** Packets from the wire are only delivered when addressed to this host's subnet. */
    void setLocal(int network, int prefix) {
        localMask = prefix == 0 ? 0 : -1 << (32 - prefix);
        localNet = network & localMask;
    }

    /** The per-thread batch: BATCH packet slots, iovecs, sockaddrs and mmsghdrs wired to each other once. */
    private static final class Batch {
        final MemorySegment bufs, iovs, addrs, msgs, state, pollfd;

        Batch(Arena a, int slot, boolean withNames) {
            bufs = a.allocate((long) slot * BATCH, 64);
            iovs = a.allocate(Mmsg.IOVEC * BATCH, 8);
            addrs = a.allocate(Mmsg.SOCKADDR_IN * BATCH, 8);
            msgs = a.allocate(Mmsg.MMSGHDR * BATCH, 8);
            state = Mmsg.errnoState(a);
            pollfd = a.allocate(8, 4);
            for (int i = 0; i < BATCH; i++) {
                long iov = Mmsg.IOVEC * i, m = Mmsg.MMSGHDR * i;
                iovs.set(ADDRESS, iov, bufs.asSlice((long) slot * i, slot));
                iovs.set(JAVA_LONG, iov + 8, slot);
                msgs.set(ADDRESS, m + Mmsg.MSG_NAME, withNames ? addrs.asSlice(Mmsg.SOCKADDR_IN * i, Mmsg.SOCKADDR_IN) : MemorySegment.NULL);
                msgs.set(JAVA_INT, m + Mmsg.MSG_NAMELEN, withNames ? (int) Mmsg.SOCKADDR_IN : 0);
                msgs.set(ADDRESS, m + Mmsg.MSG_IOV, iovs.asSlice(iov, Mmsg.IOVEC));
                msgs.set(JAVA_LONG, m + Mmsg.MSG_IOVLEN, 1);
            }
        }

        MemorySegment buf(int i, int slot) {
            return bufs.asSlice((long) slot * i, slot);
        }
    }

    /** TUN -> UDP: read a batch of packets, address each to the peer owning its destination, send them in one call. */
    private void encapsulate(int tun, int sock) {
        try (Arena arena = Arena.ofConfined()) {
            Batch b = new Batch(arena, slot, true);
            MemorySegment[] slots = new MemorySegment[BATCH];
            for (int i = 0; i < BATCH; i++) slots[i] = b.buf(i, slot);
            b.pollfd.set(JAVA_INT, 0, tun);
            b.pollfd.set(JAVA_SHORT, 4, Mmsg.POLLIN);
            while (running) {
                int n = 0;
                while (n < BATCH) {
                    long len = Mmsg.read(b.state, tun, slots[n], slot);
                    if (len < 0) {
                        if (len == -Mmsg.EINTR) continue;
                        if (len != -Mmsg.EAGAIN) throw new IllegalStateException("read from TUN failed: errno " + -len);
                        break;
                    }
                    if (len < HDR + 20 || (slots[n].get(JAVA_BYTE, HDR) & 0xf0) != 0x40) { dropped.incrementAndGet(); continue; }
                    int peer = peers.lookup(slots[n].get(INT_BE, HDR + 16));
                    if (peer == 0) { dropped.incrementAndGet(); continue; } // no host owns it (flannel: net unreachable)
                    Mmsg.sockaddr(b.addrs, Mmsg.SOCKADDR_IN * n, peer, port);
                    b.iovs.set(JAVA_LONG, Mmsg.IOVEC * n + 8, len);
                    n++;
                }
                if (n == 0) {
                    Mmsg.poll(b.state, b.pollfd, POLL_MS);
                    continue;
                }
                send(b, sock, n);
                long bytes = 0;
                for (int i = 0; i < n; i++) bytes += b.iovs.get(JAVA_LONG, Mmsg.IOVEC * i + 8);
                sentDatagrams.addAndGet(n);
                sentBytes.addAndGet(bytes);
            }
        } catch (RuntimeException e) {
            if (running) LOG.severe("udp backend: sending stopped: " + e);
        }
    }

    private void send(Batch b, int sock, int n) {
        int done = 0;
        while (done < n) {
            int r = Mmsg.sendmmsg(b.state, sock, b.msgs.asSlice(Mmsg.MMSGHDR * done), n - done);
            if (r > 0) { done += r; continue; }
            if (r == -Mmsg.EINTR) continue;
            // A peer that is unreachable right now (ECONNREFUSED, EHOSTUNREACH): drop that one datagram.
            dropped.incrementAndGet();
            done++;
        }
    }

    /** UDP -> TUN: receive a batch, hand each packet addressed to this host's subnet to the kernel. */
    private void decapsulate(int sock, int tun) {
        try (Arena arena = Arena.ofConfined()) {
            Batch b = new Batch(arena, slot, false);
            MemorySegment[] slots = new MemorySegment[BATCH];
            for (int i = 0; i < BATCH; i++) slots[i] = b.buf(i, slot);
            while (running) {
                int n = Mmsg.recvmmsg(b.state, sock, b.msgs, BATCH);
                if (n < 0) {
                    if (n == -Mmsg.EAGAIN || n == -Mmsg.EINTR) continue; // receive timeout: look at `running`
                    throw new IllegalStateException("recvmmsg failed: errno " + -n);
                }
                int net = localNet, mask = localMask;
                for (int i = 0; i < n; i++) {
                    int len = b.msgs.get(JAVA_INT, Mmsg.MMSGHDR * i + Mmsg.MSG_LEN);
                    MemorySegment p = slots[i];
                    if (len < HDR + 20 || (p.get(JAVA_BYTE, HDR) & 0xf0) != 0x40 || (p.get(INT_BE, HDR + 16) & mask) != net) {
                        dropped.incrementAndGet();
                        continue;
                    }
                    long w = Mmsg.write(b.state, tun, p, len);
                    if (w < 0 && w != -Mmsg.EAGAIN) dropped.incrementAndGet();
                }
            }
        } catch (RuntimeException e) {
            if (running) LOG.severe("udp backend: receiving stopped: " + e);
        }
    }

    @Override
    public void close() {
        if (Boolean.getBoolean("berth.udp.stats"))
            LOG.info("udp tunnel: sent " + sentDatagrams.get() + " datagrams, " + sentBytes.get() + " bytes, dropped " + dropped.get());
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
