package dev.berth.cluster.backend.udp;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.berth.netlink.MessageWriter;
import dev.berth.netlink.route.LinkNames;
import dev.berth.netlink.route.Rt;
import dev.berth.netlink.route.Rtnl;
import dev.berth.netlink.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Queues of a multi-queue TUN device with a virtio-net header in front of every packet and TCP
 * segmentation offload on: the kernel hands over whole TSO super-packets (up to ~64 KB) instead of
 * MTU-sized segments, and accepts them back, so the tunnel makes one system call per super-packet
 * rather than per 1.4 KB segment. The 10-byte header travels with the packet to the peer.
 */
final class OffloadTun {
    static final int VNET_HDR = 10;
    /** Largest packet the kernel may hand over; with the header it must fit one UDP datagram (65507 bytes). */
    static final int GSO_MAX = 65000;
    private static final long TUNSETIFF = 0x400454caL, TUNSETOFFLOAD = 0x400454d0L;
    private static final short IFF_TUN = 0x0001, IFF_MULTI_QUEUE = 0x0100, IFF_NO_PI = 0x1000, IFF_VNET_HDR = 0x4000;
    private static final int TUN_F_CSUM = 0x01, TUN_F_TSO4 = 0x02, TUN_F_TSO6 = 0x04;
    private static final int IFLA_GSO_MAX_SIZE = 41;

    private OffloadTun() {}

    /** Opens one queue of {@code name} in the calling thread's namespace (the device is made by the first). */
    static int openQueue(String name) {
        LinkNames.check(name);
        int fd = Libc.open("/dev/net/tun", Libc.O_RDWR | Libc.O_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(40, 8);
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

    /** Caps the super-packets the kernel builds for the device, so header and packet fit one datagram. */
    static void capGso(Rtnl rtnl, int index) {
        MessageWriter w = new MessageWriter(Rt.RTM_NEWLINK, 0).u8(0).u8(0).u16(0).u32(index).u32(0).u32(0)
                .attrU32(IFLA_GSO_MAX_SIZE, GSO_MAX);
        rtnl.socket().request(w, "set gso_max_size " + GSO_MAX + " on link #" + index);
    }
}
