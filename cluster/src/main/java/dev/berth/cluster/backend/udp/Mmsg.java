package dev.berth.cluster.backend.udp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.berth.netlink.sys.Libc;
import dev.berth.netlink.sys.SystemCallException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The batched datagram calls of the UDP data path, bound with java.lang.foreign: {@code recvmmsg} and
 * {@code sendmmsg} move up to a batch of packets per system call, and {@code read}/{@code write}/{@code poll}
 * return -errno instead of throwing, so the hot loops allocate nothing and branch on EAGAIN.
 * Each calling thread passes its own errno capture segment ({@link #errnoState}).
 */
final class Mmsg {
    static final int AF_INET = 2, SOCK_DGRAM = 2, SOCK_CLOEXEC = 02000000;
    static final int SOL_SOCKET = 1,
            SO_REUSEADDR = 2,
            SO_SNDBUFFORCE = 32,
            SO_RCVBUFFORCE = 33,
            SO_REUSEPORT = 15,
            SO_RCVTIMEO = 20;
    static final int IPPROTO_IP = 0, IP_MTU_DISCOVER = 10, IP_PMTUDISC_DONT = 0;
    /** SOL_UDP options: UDP_SEGMENT (a send cut into datagrams of the given size), UDP_GRO (coalesced receives). */
    static final int SOL_UDP = 17, UDP_SEGMENT = 103, UDP_GRO = 104;

    static final int MSG_TRUNC = 0x20;
    static final int F_GETFL = 3, F_SETFL = 4, O_NONBLOCK = 04000;
    static final int MSG_WAITFORONE = 0x10000;
    static final int EAGAIN = 11, EINTR = 4, EIO = 5, EINVAL = 22;
    static final short POLLIN = 1;

    /** struct iovec, struct msghdr (56 bytes) and struct mmsghdr (msghdr + msg_len, 64 bytes) on 64-bit Linux. */
    static final long IOVEC = 16, MMSGHDR = 64, SOCKADDR_IN = 16;

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

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle SENDMMSG = bind("sendmmsg", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle RECVMMSG =
            bind("recvmmsg", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle READ = bind("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle WRITE = bind("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle WRITEV = bind("writev", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle POLL = bind("poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SOCKET = bind("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle BIND = bind("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SETSOCKOPT =
            bind("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle FCNTL = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("fcntl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.captureCallState("errno"),
            Linker.Option.firstVariadicArg(2));

    private Mmsg() {}

    private static MethodHandle bind(String name, MemoryLayout result, MemoryLayout... args) {
        return LINKER.downcallHandle(
                LINKER.defaultLookup().findOrThrow(name),
                FunctionDescriptor.of(result, args),
                Linker.Option.captureCallState("errno"));
    }

    /** A capture segment for one thread's calls. */
    static MemorySegment errnoState(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /** sendmmsg(2): the number of messages sent, or -errno. */
    static int sendmmsg(MemorySegment st, int fd, MemorySegment vec, int n) {
        try {
            int r = (int) SENDMMSG.invokeExact(st, fd, vec, n, 0);
            return r >= 0 ? r : -errno(st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** recvmmsg(2) with MSG_WAITFORONE: blocks for the first datagram, then takes what is queued; count or -errno. */
    static int recvmmsg(MemorySegment st, int fd, MemorySegment vec, int n) {
        try {
            int r = (int) RECVMMSG.invokeExact(st, fd, vec, n, MSG_WAITFORONE, MemorySegment.NULL);
            return r >= 0 ? r : -errno(st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long read(MemorySegment st, int fd, MemorySegment buf, long len) {
        try {
            long r = (long) READ.invokeExact(st, fd, buf, len);
            return r >= 0 ? r : -errno(st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long write(MemorySegment st, int fd, MemorySegment buf, long len) {
        try {
            long r = (long) WRITE.invokeExact(st, fd, buf, len);
            return r >= 0 ? r : -errno(st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** writev(2): one packet gathered from {@code n} iovecs into a TUN device; bytes written or -errno. */
    static long writev(MemorySegment st, int fd, MemorySegment iov, int n) {
        try {
            long r = (long) WRITEV.invokeExact(st, fd, iov, n);
            return r >= 0 ? r : -errno(st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int poll(MemorySegment st, MemorySegment pollfd, int timeoutMillis) {
        try {
            int r = (int) POLL.invokeExact(st, pollfd, 1L, timeoutMillis);
            return r >= 0 ? r : -errno(st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- setup calls: these throw, they are not on the packet path ----

    /** A UDP socket in the calling thread's namespace, bound to {@code ip:port} with SO_REUSEPORT, big buffers, UDP_GRO and a receive timeout. */
    static int udpSocket(int ip, int port, int bufferBytes, int timeoutMillis) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = errnoState(a);
            int fd = (int) SOCKET.invokeExact(st, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) throw new SystemCallException("socket", "AF_INET/SOCK_DGRAM", errno(st));
            try {
                setInt(a, st, fd, SO_REUSEADDR, 1);
                setInt(a, st, fd, SO_REUSEPORT, 1);
                setInt(a, st, fd, SO_RCVBUFFORCE, bufferBytes);
                setInt(a, st, fd, SO_SNDBUFFORCE, bufferBytes);
                // Datagrams carry super-packets bigger than the underlay MTU: let the kernel fragment them.
                MemorySegment dont = a.allocateFrom(JAVA_INT, IP_PMTUDISC_DONT);
                if ((int) SETSOCKOPT.invokeExact(st, fd, IPPROTO_IP, IP_MTU_DISCOVER, dont, 4) < 0)
                    throw new SystemCallException("setsockopt", "IP_MTU_DISCOVER", errno(st));
                // Receive datagrams the kernel coalesced (or a peer's UDP_SEGMENT send left whole) as one buffer.
                MemorySegment on = a.allocateFrom(JAVA_INT, 1);
                if ((int) SETSOCKOPT.invokeExact(st, fd, SOL_UDP, UDP_GRO, on, 4) < 0)
                    throw new SystemCallException("setsockopt", "UDP_GRO", errno(st));
                MemorySegment tv = a.allocate(16, 8);
                tv.set(JAVA_LONG, 0, timeoutMillis / 1000);
                tv.set(JAVA_LONG, 8, (timeoutMillis % 1000) * 1000L);
                if ((int) SETSOCKOPT.invokeExact(st, fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16) < 0)
                    throw new SystemCallException("setsockopt", "SO_RCVTIMEO", errno(st));
                MemorySegment sa = a.allocate(SOCKADDR_IN, 4);
                sockaddr(sa, 0, ip, port);
                if ((int) BIND.invokeExact(st, fd, sa, (int) SOCKADDR_IN) < 0)
                    throw new SystemCallException("bind", ipText(ip) + ":" + port, errno(st));
                return fd;
            } catch (RuntimeException e) {
                Libc.close(fd);
                throw e;
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void setInt(Arena a, MemorySegment st, int fd, int option, int value) throws Throwable {
        MemorySegment v = a.allocateFrom(JAVA_INT, value);
        if ((int) SETSOCKOPT.invokeExact(st, fd, SOL_SOCKET, option, v, 4) < 0)
            throw new SystemCallException("setsockopt", "SOL_SOCKET/" + option, errno(st));
    }

    static void setNonBlocking(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = errnoState(a);
            int flags = (int) FCNTL.invokeExact(st, fd, F_GETFL, 0);
            if (flags < 0 || (int) FCNTL.invokeExact(st, fd, F_SETFL, flags | O_NONBLOCK) < 0)
                throw new SystemCallException("fcntl", "O_NONBLOCK", errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Writes a sockaddr_in for {@code ip} (host order int) and {@code port} at {@code offset}. */
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
