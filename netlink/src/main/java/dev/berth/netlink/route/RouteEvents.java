package dev.berth.netlink.route;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.berth.netlink.Message;
import dev.berth.netlink.Nl;
import dev.berth.netlink.sys.Errno;
import dev.berth.netlink.sys.Libc;
import dev.berth.netlink.sys.SystemCallException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * rtnetlink's change notifications for links, addresses and routes of one namespace (what {@code ip monitor}
 * shows), read without blocking. The kernel queues a notification on this socket before it answers the
 * request that caused it, so once {@code ip addr add} has returned, the next {@link #poll} sees the address.
 * When more arrive than the socket holds, the kernel drops some and {@link #poll} throws {@link Overflow}:
 * the reader must then read the tables afresh. Not thread-safe.
 */
public final class RouteEvents implements AutoCloseable {
    // RTMGRP_* bits of sockaddr_nl.nl_groups (linux/rtnetlink.h)
    private static final int GROUPS = 0x1 /* LINK */
            | 0x10 /* IPV4_IFADDR */
            | 0x40 /* IPV4_ROUTE */
            | 0x100 /* IPV6_IFADDR */
            | 0x400 /* IPV6_ROUTE */;
    private static final int RECV_SIZE = 64 * 1024;
    private static final int BUFFER = 4 << 20;

    /** A change: an address or route that appeared or went, or a link that changed or went. */
    public sealed interface Event {}

    public record AddressChange(boolean added, Address address) implements Event {}

    /** {@code replaced}: the route took the place of another with its destination and metric (NLM_F_REPLACE). */
    public record RouteChange(boolean added, boolean replaced, Route route) implements Event {}

    /** A link's new flags ({@code IFF_*}), or {@code removed}. */
    public record LinkChange(boolean removed, int index, int flags) implements Event {
        public boolean isUp() {
            return (flags & Rt.IFF_UP) != 0;
        }
    }

    /** Notifications were lost (the socket's buffer was full); what was read before is not complete. */
    public static final class Overflow extends RuntimeException {
        Overflow() {
            super("rtnetlink notifications were lost (receive buffer full)");
        }
    }

    private final int fd;
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment buf = arena.allocate(RECV_SIZE, 8);
    private boolean closed;

    private RouteEvents(int fd) {
        this.fd = fd;
    }

    /** Subscribes in the calling thread's network namespace; notifications are queued from then on. */
    public static RouteEvents open() {
        int fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Nl.NETLINK_ROUTE);
        try {
            try {
                Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, BUFFER);
            } catch (SystemCallException notRoot) {
                Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, BUFFER);
            }
            try (Arena a = Arena.ofConfined()) {
                MemorySegment addr = a.allocate(12, 4); // sockaddr_nl: family, pad, pid, groups
                addr.set(JAVA_SHORT, 0, (short) Libc.AF_NETLINK);
                addr.set(JAVA_INT, 8, GROUPS);
                Libc.bind(fd, addr);
            }
            return new RouteEvents(fd);
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /**
     * Every notification queued since the last poll, oldest first; empty when there is none. Throws
     * {@link Overflow} when some were lost (the queue is empty afterwards: poll again after reading afresh).
     */
    public List<Event> poll() {
        if (closed) throw new IllegalStateException("closed");
        List<Event> out = new ArrayList<>();
        while (true) {
            long n;
            try {
                n = Libc.recv(fd, buf, RECV_SIZE, Libc.MSG_DONTWAIT | Libc.MSG_TRUNC);
            } catch (SystemCallException e) {
                if (e.errno() == Errno.EAGAIN) return out;
                if (e.errno() == Errno.ENOBUFS) throw new Overflow();
                throw e;
            }
            if (n > RECV_SIZE) throw new Overflow(); // truncated: treat as lost
            parse(buf.asSlice(0, n).asByteBuffer().order(ByteOrder.nativeOrder()), (int) n, out);
        }
    }

    private static void parse(ByteBuffer b, int n, List<Event> out) {
        for (int off = 0; off + Nl.HEADER_SIZE <= n; ) {
            int len = b.getInt(off);
            if (len < Nl.HEADER_SIZE || off + len > n) break;
            int type = b.getShort(off + 4) & 0xffff;
            Message m = new Message(
                    type,
                    b.getShort(off + 6) & 0xffff,
                    b.getInt(off + 8),
                    b.slice(off + Nl.HEADER_SIZE, len - Nl.HEADER_SIZE).order(ByteOrder.nativeOrder()));
            Event e = switch (type) {
                case Rt.RTM_NEWADDR, Rt.RTM_DELADDR -> {
                    Address a = Address.parse(m);
                    yield a == null ? null : new AddressChange(type == Rt.RTM_NEWADDR, a);
                }
                case Rt.RTM_NEWROUTE, Rt.RTM_DELROUTE ->
                    new RouteChange(type == Rt.RTM_NEWROUTE, (m.flags() & Nl.NLM_F_REPLACE) != 0, Route.parse(m));
                case Rt.RTM_NEWLINK, Rt.RTM_DELLINK ->
                    new LinkChange(
                            type == Rt.RTM_DELLINK,
                            m.payload().getInt(4),
                            m.payload().getInt(8));
                default -> null;
            };
            if (e != null) out.add(e);
            off += Nl.align(len);
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Libc.close(fd);
    }
}
