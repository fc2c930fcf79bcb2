package dev.berth.cluster.backend.udp;

import dev.berth.netlink.route.Rtnl;
import dev.berth.netlink.tun.TunDevice;

/**
 * Queues of a multi-queue TUN device with a virtio-net header in front of every packet and TCP
 * segmentation offload on: the kernel hands over whole TSO super-packets (up to ~64 KB) instead of
 * MTU-sized segments, and accepts them back, so the tunnel makes one system call per super-packet
 * rather than per 1.4 KB segment. The 10-byte header travels with the packet to the peer ({@link Wire}).
 */
final class OffloadTun {
    static final int VNET_HDR = TunDevice.VNET_HDR_SIZE;
    /** Largest packet the kernel may hand over; with the header and its chunk headers it must fit one UDP send (65507 bytes). */
    static final int GSO_MAX = 65000;

    private OffloadTun() {}

    /** Caps the super-packets the kernel builds for the device, so header and packet fit one datagram. */
    static void capGso(Rtnl rtnl, int index, int max) {
        rtnl.links().setGsoMaxSize(index, max);
    }
}
