package dev.berth.netlink.udp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.berth.netlink.sys.CallState;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The kernel's side of batched UDP: {@code sendmmsg}/{@code recvmmsg} bound with java.lang.foreign, returning
 * -errno instead of throwing (the packet loops branch on EAGAIN and allocate nothing), and the layouts of the
 * structs they take on 64-bit Linux.
 */
final class Mmsg {
    static final int AF_INET = 2;
    static final int SOL_SOCKET = 1,
            SO_REUSEADDR = 2,
            SO_REUSEPORT = 15,
            SO_RCVTIMEO = 20,
            SO_SNDBUFFORCE = 32,
            SO_RCVBUFFORCE = 33;
    static final int IPPROTO_IP = 0, IP_MTU_DISCOVER = 10, IP_PMTUDISC_DONT = 0;
    /** SOL_UDP options: UDP_SEGMENT (a send cut into datagrams of the given size), UDP_GRO (coalesced receives). */
    static final int SOL_UDP = 17, UDP_SEGMENT = 103, UDP_GRO = 104;

    static final int MSG_TRUNC = 0x20, MSG_WAITFORONE = 0x10000;

    /** struct iovec, struct mmsghdr (msghdr + msg_len) and struct sockaddr_in. */
    static final long IOVEC = 16, MMSGHDR = 64, SOCKADDR_IN = 16;

    /** Offsets in struct mmsghdr: the msghdr's fields, then msg_len. */
    static final long MSG_NAME = 0,
            MSG_NAMELEN = 8,
            MSG_IOV = 16,
            MSG_IOVLEN = 24,
            MSG_CONTROL = 32,
            MSG_CONTROLLEN = 40,
            MSG_FLAGS = 48,
            MSG_LEN = 56;
    /** struct cmsghdr: cmsg_len (8), cmsg_level (4), cmsg_type (4), then the data. */
    static final long CMSG_LEVEL = 8, CMSG_TYPE = 12, CMSG_DATA = 16;
    /** Room for the control messages of one message (one cmsghdr with a 2- or 4-byte value, padded). */
    static final long CONTROL = 32;
    /** CMSG_SPACE(sizeof(uint16_t)): one cmsghdr and its 2-byte value, aligned. */
    static final long CMSG_SPACE_U16 = 24;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SENDMMSG = bind("sendmmsg", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle RECVMMSG =
            bind("recvmmsg", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);

    private Mmsg() {}

    private static MethodHandle bind(String name, MemoryLayout result, MemoryLayout... args) {
        return LINKER.downcallHandle(
                LINKER.defaultLookup().findOrThrow(name),
                FunctionDescriptor.of(result, args),
                Linker.Option.captureCallState("errno"));
    }

    /** sendmmsg(2): the number of messages sent, or -errno. */
    static int sendmmsg(MemorySegment st, int fd, MemorySegment vec, int n) {
        try {
            int r = (int) SENDMMSG.invokeExact(st, fd, vec, n, 0);
            return r >= 0 ? r : -CallState.errno(st);
        } catch (Throwable t) {
            throw CallState.rethrow(t);
        }
    }

    /** recvmmsg(2) with MSG_WAITFORONE: blocks for the first datagram, then takes what is queued; count or -errno. */
    static int recvmmsg(MemorySegment st, int fd, MemorySegment vec, int n) {
        try {
            int r = (int) RECVMMSG.invokeExact(st, fd, vec, n, MSG_WAITFORONE, MemorySegment.NULL);
            return r >= 0 ? r : -CallState.errno(st);
        } catch (Throwable t) {
            throw CallState.rethrow(t);
        }
    }

    /** Writes a sockaddr_in for {@code ip} (host order) and {@code port} at {@code offset}. */
    static void sockaddr(MemorySegment s, long offset, int ip, int port) {
        s.set(ValueLayout.JAVA_SHORT, offset, (short) AF_INET);
        s.set(ValueLayout.JAVA_BYTE, offset + 2, (byte) (port >>> 8));
        s.set(ValueLayout.JAVA_BYTE, offset + 3, (byte) port);
        s.set(ValueLayout.JAVA_BYTE, offset + 4, (byte) (ip >>> 24));
        s.set(ValueLayout.JAVA_BYTE, offset + 5, (byte) (ip >>> 16));
        s.set(ValueLayout.JAVA_BYTE, offset + 6, (byte) (ip >>> 8));
        s.set(ValueLayout.JAVA_BYTE, offset + 7, (byte) ip);
    }

    static String ipText(int ip) {
        return (ip >>> 24) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff);
    }
}
