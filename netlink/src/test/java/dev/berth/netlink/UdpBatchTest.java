package dev.berth.netlink;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.udp.ReceiveBatch;
import dev.berth.netlink.udp.SendBatch;
import dev.berth.netlink.udp.UdpSocket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Batched UDP over a lab namespace's loopback: one sendmmsg carries many datagrams gathered from pieces, a
 * segmented message is cut by the kernel (UDP_SEGMENT), and recvmmsg with UDP_GRO gives every datagram back.
 */
@ExtendWith(LabExtension.class)
class UdpBatchTest {
    private static final int N = 40, SEGMENTS = 5, SEGMENT = 1000;

    @Test
    void aBatchOfDatagramsAndASegmentedSendAllArriveOverLoopback(Lab lab) throws Exception {
        LabHost h = lab.host("h");
        h.ip("link", "set", "lo", "up");
        Inet4Address lo = (Inet4Address) InetAddress.getByName("127.0.0.1");
        try (NetnsHandle ns = Netns.open(h.name());
                UdpSocket rx = Netns.call(
                        ns,
                        () -> UdpSocket.open()
                                .reusePort()
                                .buffers(4 << 20)
                                .receiveCoalesced()
                                .receiveTimeout(Duration.ofMillis(500))
                                .bind(lo, 0));
                UdpSocket tx = Netns.call(ns, () -> UdpSocket.open().bind(lo, 0));
                Arena arena = Arena.ofConfined()) {
            int to = UdpSocket.ipv4(lo), port = rx.localPort();
            MemorySegment data = arena.allocate(64 * 1024);
            SendBatch batch = new SendBatch(arena, N + 1, 2 * N + 1);
            for (int i = 0; i < N; i++) {
                // "#" then the number, from two pieces: the tag byte and the number's bytes
                data.set(JAVA_BYTE, 2L * i, (byte) '#');
                data.set(JAVA_BYTE, 2L * i + 1, (byte) i);
                batch.add(to, port, 0);
                batch.gather(data, 2L * i, 1);
                batch.gather(data, 2L * i + 1, 1);
            }
            long big = 4096;
            for (int s = 0; s < SEGMENTS; s++)
                for (int j = 0; j < SEGMENT; j++) data.set(JAVA_BYTE, big + (long) s * SEGMENT + j, (byte) ('A' + s));
            batch.add(to, port, SEGMENT);
            batch.gather(data, big, SEGMENTS * SEGMENT);
            assertEquals(N + 1, batch.size());
            assertEquals(0, batch.send(tx), "no message refused");
            assertFalse(batch.segmentationRefused());

            ReceiveBatch in = new ReceiveBatch(arena, 16, 65_536);
            List<String> got = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (got.size() < N + SEGMENTS && System.nanoTime() < deadline) {
                int n = in.receive(rx);
                for (int i = 0; i < n; i++) {
                    assertFalse(in.truncated(i));
                    assertEquals(to, in.sourceIp(i));
                    assertEquals(tx.localPort(), in.sourcePort(i));
                    int len = in.length(i), seg = in.segmentSize(i);
                    for (long at = in.offset(i), end = at + len; at < end; at += seg)
                        got.add(describe(in.buffers(), at, (int) Math.min(seg, end - at)));
                }
            }
            TreeSet<String> expected = new TreeSet<>();
            for (int i = 0; i < N; i++) expected.add("#" + i);
            for (int s = 0; s < SEGMENTS; s++) expected.add((char) ('A' + s) + "x" + SEGMENT);
            assertEquals(N + SEGMENTS, got.size(), "every datagram once: " + got);
            assertEquals(expected, new TreeSet<>(got));
        }
    }

    @Test
    void aConnectedSocketSendsWithoutAnAddress(Lab lab) throws Exception {
        LabHost h = lab.host("h");
        h.ip("link", "set", "lo", "up");
        Inet4Address lo = (Inet4Address) InetAddress.getByName("127.0.0.1");
        try (NetnsHandle ns = Netns.open(h.name());
                UdpSocket rx = Netns.call(
                        ns,
                        () -> UdpSocket.open()
                                .receiveTimeout(Duration.ofMillis(500))
                                .bind(lo, 0));
                UdpSocket tx = Netns.call(ns, () -> UdpSocket.open().bind(lo, 0).connect(lo, rx.localPort()));
                Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocateFrom("hello");
            SendBatch batch = new SendBatch(arena, 1, 1);
            batch.add(0, 0, 0);
            batch.gather(data, 0, 5);
            assertEquals(0, batch.send(tx));
            ReceiveBatch in = new ReceiveBatch(arena, 4, 2048);
            int n = 0;
            for (int tries = 0; n == 0 && tries < 20; tries++) n = in.receive(rx);
            assertEquals(1, n);
            assertEquals("hello", in.buffers().getString(in.offset(0)).substring(0, in.length(0)));
            assertTrue(in.segmentSize(0) == 5, "one datagram: its own length");
        }
    }

    private static String describe(MemorySegment s, long at, int len) {
        byte first = s.get(JAVA_BYTE, at);
        if (first == '#' && len == 2) return "#" + s.get(JAVA_BYTE, at + 1);
        for (int j = 1; j < len; j++) if (s.get(JAVA_BYTE, at + j) != first) return "mixed segment of " + len;
        return (char) first + "x" + len;
    }
}
