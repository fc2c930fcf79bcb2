package dev.berth.netlink.udp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.berth.netlink.sys.CallState;
import dev.berth.netlink.sys.Libc;
import dev.berth.netlink.sys.SystemCallException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.Inet4Address;
import java.time.Duration;

/**
 * An IPv4 UDP socket for batched traffic ({@link SendBatch}, {@link ReceiveBatch}), made in the calling
 * thread's network namespace. Set its options, then {@link #bind} (and optionally {@link #connect}).
 * Equivalent to: {@code socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)} and the setsockopt calls named below.
 */
public final class UdpSocket implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle CONNECT = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("connect"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.captureCallState("errno"));

    private final int fd;
    private volatile boolean closed;

    private UdpSocket(int fd) {
        this.fd = fd;
    }

    /** A new unbound socket in the calling thread's namespace. */
    public static UdpSocket open() {
        return new UdpSocket(Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0));
    }

    /** Several sockets may bind the same address and port; the kernel spreads datagrams over them (SO_REUSEADDR, SO_REUSEPORT). */
    public UdpSocket reusePort() {
        Libc.setsockoptInt(fd, Mmsg.SOL_SOCKET, Mmsg.SO_REUSEADDR, 1);
        Libc.setsockoptInt(fd, Mmsg.SOL_SOCKET, Mmsg.SO_REUSEPORT, 1);
        return this;
    }

    /** Send and receive buffers of {@code bytes} each, above the sysctl limits (SO_SNDBUFFORCE, SO_RCVBUFFORCE). */
    public UdpSocket buffers(int bytes) {
        Libc.setsockoptInt(fd, Mmsg.SOL_SOCKET, Mmsg.SO_RCVBUFFORCE, bytes);
        Libc.setsockoptInt(fd, Mmsg.SOL_SOCKET, Mmsg.SO_SNDBUFFORCE, bytes);
        return this;
    }

    /** Datagrams bigger than the path MTU are fragmented by the kernel, not refused (IP_MTU_DISCOVER = IP_PMTUDISC_DONT). */
    public UdpSocket fragmentLarge() {
        Libc.setsockoptInt(fd, Mmsg.IPPROTO_IP, Mmsg.IP_MTU_DISCOVER, Mmsg.IP_PMTUDISC_DONT);
        return this;
    }

    /**
     * Datagrams of one flow the kernel coalesced (or a peer's segmented send it left whole) arrive as one buffer,
     * with their segment size in {@link ReceiveBatch#segmentSize} (UDP_GRO).
     */
    public UdpSocket receiveCoalesced() {
        Libc.setsockoptInt(fd, Mmsg.SOL_UDP, Mmsg.UDP_GRO, 1);
        return this;
    }

    /** A receive that waits longer than {@code timeout} returns no datagram (SO_RCVTIMEO). */
    public UdpSocket receiveTimeout(Duration timeout) {
        long millis = timeout.toMillis();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment tv = a.allocate(16, 8);
            tv.set(JAVA_LONG, 0, millis / 1000);
            tv.set(JAVA_LONG, 8, (millis % 1000) * 1000L);
            Libc.setsockopt(fd, Mmsg.SOL_SOCKET, Mmsg.SO_RCVTIMEO, tv);
        }
        return this;
    }

    /** Binds to {@code address:port} (port 0: the kernel picks one, see {@link #localPort}). */
    public UdpSocket bind(Inet4Address address, int port) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(Mmsg.SOCKADDR_IN, 4);
            Mmsg.sockaddr(sa, 0, ipv4(address), port);
            try {
                Libc.bind(fd, sa);
            } catch (SystemCallException e) {
                throw new SystemCallException("bind", address.getHostAddress() + ":" + port, e.errno());
            }
        }
        return this;
    }

    /** Sends without a destination go to {@code address:port}, and only its datagrams are received. */
    public UdpSocket connect(Inet4Address address, int port) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = CallState.allocate(a);
            MemorySegment sa = a.allocate(Mmsg.SOCKADDR_IN, 4);
            Mmsg.sockaddr(sa, 0, ipv4(address), port);
            if ((int) CONNECT.invokeExact(st, fd, sa, (int) Mmsg.SOCKADDR_IN) < 0)
                throw new SystemCallException("connect", address.getHostAddress() + ":" + port, CallState.errno(st));
        } catch (Throwable t) {
            throw CallState.rethrow(t);
        }
        return this;
    }

    /** The port the socket is bound to. */
    public int localPort() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(Mmsg.SOCKADDR_IN, 4);
            MemorySegment len = a.allocateFrom(JAVA_INT, (int) Mmsg.SOCKADDR_IN);
            Libc.getsockname(fd, sa, len);
            return (sa.get(JAVA_BYTE, 2) & 0xff) << 8 | sa.get(JAVA_BYTE, 3) & 0xff;
        }
    }

    int fd() {
        return fd;
    }

    /** An IPv4 address as the int (host order) the batches take. */
    public static int ipv4(Inet4Address address) {
        byte[] b = address.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | b[3] & 0xff;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Libc.close(fd);
    }
}
