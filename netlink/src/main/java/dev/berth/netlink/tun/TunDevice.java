package dev.berth.netlink.tun;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.LinkNames;
import dev.berth.netlink.sys.Errno;
import dev.berth.netlink.sys.Libc;
import dev.berth.netlink.sys.SystemCallException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * One queue of a TUN device (layer 3, no packet-information header): read returns one IP packet,
 * write sends one. With multi-queue, open the same name once per queue and give each its own thread.
 * The device is created in the namespace of the thread that opens it.
 */
public final class TunDevice implements AutoCloseable {
    private static final long TUNSETIFF = 0x400454caL, TUNSETPERSIST = 0x400454cbL, TUNSETOFFLOAD = 0x400454d0L;
    private static final short IFF_TUN = 0x0001, IFF_MULTI_QUEUE = 0x0100, IFF_NO_PI = 0x1000, IFF_VNET_HDR = 0x4000;
    private static final int TUN_F_CSUM = 0x01, TUN_F_TSO4 = 0x02, TUN_F_TSO6 = 0x04;
    /** The size of the virtio_net_hdr in front of every packet of an {@link #openOffloadQueue offload queue}. */
    public static final int VNET_HDR_SIZE = 10;

    private static final int IFREQ_SIZE = 40;

    private final int fd;
    private final String name;
    private volatile boolean closed;

    private TunDevice(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    /**
     * Opens one queue (creating the device if needed) of multi-queue TUN device {@code name} in the
     * calling thread's namespace, with a virtio_net_hdr of {@link #VNET_HDR_SIZE} bytes in front of
     * every packet and checksum and TSO offload on, so packets may be super-packets of up to ~64 KB.
     * Returns the queue's descriptor, which the caller reads, writes and closes.
     */
    public static int openOffloadQueue(String name) {
        LinkNames.check(name);
        int fd = Libc.open("/dev/net/tun", Libc.O_RDWR | Libc.O_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(IFREQ_SIZE, 8);
            byte[] raw = name.getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(raw, 0, ifr, JAVA_BYTE, 0, raw.length);
            ifr.set(JAVA_SHORT, 16, (short) (IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_VNET_HDR));
            Libc.ioctl(fd, TUNSETIFF, ifr);
            Libc.ioctl(fd, TUNSETOFFLOAD, (long) (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6));
            return fd;
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /** Opens (creating if needed) TUN device {@code name} in the calling thread's namespace. */
    public static TunDevice open(String name, boolean multiQueue) {
        LinkNames.check(name);
        int fd;
        try {
            fd = Libc.open("/dev/net/tun", Libc.O_RDWR | Libc.O_CLOEXEC, 0);
        } catch (SystemCallException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENODEV)
                throw new IllegalStateException(
                        "no /dev/net/tun: this kernel lacks CONFIG_TUN or the tun module is not loaded", e);
            throw e;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(IFREQ_SIZE, 8);
            byte[] raw = name.getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(raw, 0, ifr, JAVA_BYTE, 0, raw.length);
            ifr.set(JAVA_SHORT, 16, (short) (IFF_TUN | IFF_NO_PI | (multiQueue ? IFF_MULTI_QUEUE : 0)));
            Libc.ioctl(fd, TUNSETIFF, ifr);
            String actual = ifr.asSlice(0, 16).getString(0, StandardCharsets.UTF_8);
            return new TunDevice(fd, actual);
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /** Opens the device inside {@code ns}; the descriptor then works from any thread. */
    public static TunDevice open(NetnsHandle ns, String name, boolean multiQueue) {
        return Netns.call(ns, () -> open(name, multiQueue));
    }

    public String name() {
        return name;
    }

    public int fd() {
        return fd;
    }

    /** Keeps the device after its last descriptor closes (what {@code ip tuntap add} does), or not. */
    public void setPersistent(boolean persistent) {
        Libc.ioctl(fd, TUNSETPERSIST, persistent ? 1L : 0L);
    }

    /** Waits up to {@code timeoutMillis} for a packet; true when one can be read. */
    public boolean awaitReadable(int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pfd = arena.allocate(8, 4);
            pfd.set(JAVA_INT, 0, fd);
            pfd.set(JAVA_SHORT, 4, Libc.POLLIN);
            return Libc.poll(pfd, 1, timeoutMillis) > 0;
        }
    }

    /** Reads one packet into {@code buf}; returns its length. Blocks until one arrives. */
    public int read(MemorySegment buf) {
        return (int) Libc.read(fd, buf, buf.byteSize());
    }

    /** Writes one packet of {@code length} bytes from {@code buf}. */
    public void write(MemorySegment buf, int length) {
        Libc.write(fd, buf, length);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Libc.close(fd);
    }
}
