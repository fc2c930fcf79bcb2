package dev.berth.netlink.udp;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.berth.netlink.sys.CallState;
import dev.berth.netlink.sys.Errno;
import dev.berth.netlink.sys.SystemCallException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Buffers for receiving up to {@code messages} datagrams with one {@code recvmmsg}, owned by one thread and
 * reused. Message {@code i} lies in {@link #buffers()} from {@link #offset offset(i)}, {@link #length length(i)}
 * bytes long; on a socket that {@link UdpSocket#receiveCoalesced receives coalesced} it may hold several
 * datagrams of {@link #segmentSize segmentSize(i)} bytes each (the last may be shorter).
 */
public final class ReceiveBatch {
    private final int capacity;
    private final long slot;
    private final MemorySegment bufs, names, controls, iovs, msgs, state;

    /** Room for {@code messages} receives of up to {@code slotSize} bytes each, in memory of {@code arena}. */
    public ReceiveBatch(Arena arena, int messages, int slotSize) {
        this.capacity = messages;
        this.slot = slotSize;
        bufs = arena.allocate(slot * messages, 64);
        names = arena.allocate(Mmsg.SOCKADDR_IN * messages, 8);
        controls = arena.allocate(Mmsg.CONTROL * messages, 8);
        iovs = arena.allocate(Mmsg.IOVEC * messages, 8);
        msgs = arena.allocate(Mmsg.MMSGHDR * messages, 8);
        state = CallState.allocate(arena);
        for (int i = 0; i < messages; i++) {
            long iov = Mmsg.IOVEC * i, m = Mmsg.MMSGHDR * i;
            iovs.set(JAVA_LONG, iov, bufs.address() + slot * i);
            iovs.set(JAVA_LONG, iov + 8, slot);
            msgs.set(JAVA_LONG, m + Mmsg.MSG_NAME, names.address() + Mmsg.SOCKADDR_IN * i);
            msgs.set(JAVA_LONG, m + Mmsg.MSG_IOV, iovs.address() + iov);
            msgs.set(JAVA_LONG, m + Mmsg.MSG_IOVLEN, 1);
            msgs.set(JAVA_LONG, m + Mmsg.MSG_CONTROL, controls.address() + Mmsg.CONTROL * i);
        }
    }

    /**
     * Waits for a datagram (up to the socket's receive timeout), then takes what else is queued; returns the
     * number of messages, 0 on a timeout or an interrupted wait. Other failures throw {@link SystemCallException}.
     */
    public int receive(UdpSocket socket) {
        // The kernel shortens the name and control lengths it fills in: give them back their room.
        for (int i = 0; i < capacity; i++) {
            long m = Mmsg.MMSGHDR * i;
            msgs.set(JAVA_INT, m + Mmsg.MSG_NAMELEN, (int) Mmsg.SOCKADDR_IN);
            msgs.set(JAVA_LONG, m + Mmsg.MSG_CONTROLLEN, Mmsg.CONTROL);
        }
        int n = Mmsg.recvmmsg(state, socket.fd(), msgs, capacity);
        if (n >= 0) return n;
        if (n == -Errno.EAGAIN || n == -Errno.EINTR) return 0;
        throw new SystemCallException("recvmmsg", String.valueOf(socket.fd()), -n);
    }

    /** All receive slots, one after the other. */
    public MemorySegment buffers() {
        return bufs;
    }

    /** Where message {@code i} starts in {@link #buffers()}. */
    public long offset(int i) {
        return slot * i;
    }

    public int length(int i) {
        return msgs.get(JAVA_INT, Mmsg.MMSGHDR * i + Mmsg.MSG_LEN);
    }

    /** Whether message {@code i} was longer than its slot (MSG_TRUNC): its bytes are incomplete. */
    public boolean truncated(int i) {
        return (msgs.get(JAVA_INT, Mmsg.MMSGHDR * i + Mmsg.MSG_FLAGS) & Mmsg.MSG_TRUNC) != 0;
    }

    /** The size of each datagram of a coalesced receive (UDP_GRO), or the message's length when it is one datagram. */
    public int segmentSize(int i) {
        int len = length(i);
        long m = Mmsg.MMSGHDR * i, c = Mmsg.CONTROL * i;
        if (msgs.get(JAVA_LONG, m + Mmsg.MSG_CONTROLLEN) < Mmsg.CMSG_DATA + 2) return len;
        if (controls.get(JAVA_INT, c + Mmsg.CMSG_LEVEL) != Mmsg.SOL_UDP
                || controls.get(JAVA_INT, c + Mmsg.CMSG_TYPE) != Mmsg.UDP_GRO) return len;
        int g = controls.get(JAVA_INT, c + Mmsg.CMSG_DATA) & 0xffff;
        return g == 0 ? len : g;
    }

    /** The sender's IPv4 address (host order). */
    public int sourceIp(int i) {
        long at = Mmsg.SOCKADDR_IN * i + 4;
        return (names.get(JAVA_BYTE, at) & 0xff) << 24
                | (names.get(JAVA_BYTE, at + 1) & 0xff) << 16
                | (names.get(JAVA_BYTE, at + 2) & 0xff) << 8
                | names.get(JAVA_BYTE, at + 3) & 0xff;
    }

    /** The sender's port. */
    public int sourcePort(int i) {
        long at = Mmsg.SOCKADDR_IN * i + 2;
        return (names.get(JAVA_BYTE, at) & 0xff) << 8 | names.get(JAVA_BYTE, at + 1) & 0xff;
    }
}
