package dev.berth.netlink.udp;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.berth.netlink.sys.CallState;
import dev.berth.netlink.sys.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A batch of datagrams to send with one {@code sendmmsg}, owned by one thread and reused: {@link #clear},
 * then per datagram {@link #add} and one or more {@link #gather} calls pointing at the bytes (no copy), then
 * {@link #send}. A message with a segment size is cut by the kernel (or the NIC) into datagrams of that size
 * (UDP_SEGMENT), so one message may carry up to 64 KB. Building a batch allocates nothing.
 */
public final class SendBatch {
    private final int maxMessages, maxIovecs;
    private final MemorySegment msgs, iovs, names, controls, state;
    private int messages, iovecs;
    private boolean segmentationRefused;
    private int lastErrno;

    /** Room for {@code maxMessages} messages gathering {@code maxIovecs} pieces in all, in memory of {@code arena}. */
    public SendBatch(Arena arena, int maxMessages, int maxIovecs) {
        this.maxMessages = maxMessages;
        this.maxIovecs = maxIovecs;
        msgs = arena.allocate(Mmsg.MMSGHDR * maxMessages, 8);
        iovs = arena.allocate(Mmsg.IOVEC * maxIovecs, 8);
        names = arena.allocate(Mmsg.SOCKADDR_IN * maxMessages, 8);
        controls = arena.allocate(Mmsg.CONTROL * maxMessages, 8);
        state = CallState.allocate(arena);
    }

    public void clear() {
        messages = 0;
        iovecs = 0;
        segmentationRefused = false;
    }

    /** The messages added since {@link #clear}. */
    public int size() {
        return messages;
    }

    /**
     * Starts a message to {@code ip:port} ({@code ip} in host order; 0 with port 0: the connected peer). With
     * {@code segmentSize > 0} the kernel cuts it into datagrams of that many bytes (the last may be shorter).
     */
    public void add(int ip, int port, int segmentSize) {
        if (messages == maxMessages) throw new IllegalStateException("the batch holds " + maxMessages + " messages");
        long at = Mmsg.MMSGHDR * messages;
        if (ip == 0 && port == 0) {
            msgs.set(JAVA_LONG, at + Mmsg.MSG_NAME, 0);
            msgs.set(JAVA_INT, at + Mmsg.MSG_NAMELEN, 0);
        } else {
            long name = Mmsg.SOCKADDR_IN * messages;
            Mmsg.sockaddr(names, name, ip, port);
            msgs.set(JAVA_LONG, at + Mmsg.MSG_NAME, names.address() + name);
            msgs.set(JAVA_INT, at + Mmsg.MSG_NAMELEN, (int) Mmsg.SOCKADDR_IN);
        }
        msgs.set(JAVA_LONG, at + Mmsg.MSG_IOV, iovs.address() + Mmsg.IOVEC * iovecs);
        msgs.set(JAVA_LONG, at + Mmsg.MSG_IOVLEN, 0);
        if (segmentSize > 0) {
            long c = Mmsg.CONTROL * messages;
            controls.set(JAVA_LONG, c, Mmsg.CMSG_DATA + 2); // CMSG_LEN(sizeof(uint16_t))
            controls.set(JAVA_INT, c + Mmsg.CMSG_LEVEL, Mmsg.SOL_UDP);
            controls.set(JAVA_INT, c + Mmsg.CMSG_TYPE, Mmsg.UDP_SEGMENT);
            controls.set(JAVA_SHORT, c + Mmsg.CMSG_DATA, (short) segmentSize);
            msgs.set(JAVA_LONG, at + Mmsg.MSG_CONTROL, controls.address() + c);
            msgs.set(JAVA_LONG, at + Mmsg.MSG_CONTROLLEN, Mmsg.CMSG_SPACE_U16);
        } else {
            msgs.set(JAVA_LONG, at + Mmsg.MSG_CONTROL, 0);
            msgs.set(JAVA_LONG, at + Mmsg.MSG_CONTROLLEN, 0);
        }
        msgs.set(JAVA_INT, at + Mmsg.MSG_FLAGS, 0);
        messages++;
    }

    /** Appends {@code length} bytes of native segment {@code s} from {@code offset} to the message last added. */
    public void gather(MemorySegment s, long offset, long length) {
        if (messages == 0) throw new IllegalStateException("gather before add");
        if (iovecs == maxIovecs) throw new IllegalStateException("the batch holds " + maxIovecs + " pieces");
        Objects.checkFromIndexSize(offset, length, s.byteSize());
        long iov = Mmsg.IOVEC * iovecs++;
        iovs.set(JAVA_LONG, iov, s.address() + offset);
        iovs.set(JAVA_LONG, iov + 8, length);
        long at = Mmsg.MMSGHDR * (messages - 1) + Mmsg.MSG_IOVLEN;
        msgs.set(JAVA_LONG, at, msgs.get(JAVA_LONG, at) + 1);
    }

    /**
     * Sends the batch on {@code socket}, as many messages per call as the kernel takes. A message the kernel
     * refuses (an unreachable peer, ...) is skipped and counted; returns how many were.
     */
    public int send(UdpSocket socket) {
        int done = 0, refused = 0;
        while (done < messages) {
            int r = Mmsg.sendmmsg(state, socket.fd(), msgs.asSlice(Mmsg.MMSGHDR * done), messages - done);
            if (r > 0) {
                done += r;
                continue;
            }
            if (r == -Errno.EINTR) continue;
            lastErrno = -r;
            if ((r == -Errno.EIO || r == -Errno.EINVAL)
                    && msgs.get(JAVA_LONG, Mmsg.MMSGHDR * done + Mmsg.MSG_CONTROL) != 0) segmentationRefused = true;
            refused++;
            done++;
        }
        return refused;
    }

    /**
     * Whether the last {@link #send} had a segmented message refused with EIO or EINVAL: the route's device cannot
     * checksum a segmented send, so send such data one datagram per message.
     */
    public boolean segmentationRefused() {
        return segmentationRefused;
    }

    /** The errno of the last refused message. */
    public int lastErrno() {
        return lastErrno;
    }
}
