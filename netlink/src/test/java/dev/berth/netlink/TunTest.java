package dev.berth.netlink;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.*;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabProcess;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.tun.TunDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A TUN device answers ping from user space: the packets really cross the kernel/Java boundary both ways. */
@ExtendWith(LabExtension.class)
class TunTest {

    @Test
    void echoRequestsReadFromTunAreAnsweredByWritingReplies(Lab lab) throws Exception {
        LabHost h = lab.host("h");
        try (NetnsHandle ns = Netns.open(h.name());
                TunDevice tun = TunDevice.open(ns, "btun0", false);
                Arena arena = Arena.ofConfined()) {
            assertEquals("btun0", tun.name());
            h.ip("addr", "add", "10.99.0.1/24", "dev", "btun0");
            h.ip("link", "set", "btun0", "up");
            assertTrue(
                    Oracle.link(h, "btun0").at("/linkinfo/info_kind").asText().equals("tun"));

            LabProcess ping = h.spawn("ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", "10.99.0.2");
            MemorySegment buf = arena.allocate(2048);
            int answered = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (answered < 3 && System.nanoTime() < deadline) {
                if (!tun.awaitReadable(500)) continue;
                int n = tun.read(buf);
                if (n < 28
                        || (buf.get(JAVA_BYTE, 0) >> 4) != 4
                        || buf.get(JAVA_BYTE, 9) != 1
                        || buf.get(JAVA_BYTE, 20) != 8)
                    continue; // not an IPv4 ICMP echo request (e.g. IPv6 router solicitations)
                turnIntoReply(buf, n);
                tun.write(buf, n);
                answered++;
            }
            assertEquals(3, answered);
            assertEquals(0, ping.waitFor(Duration.ofSeconds(10)), ping.output());
            assertTrue(ping.output().contains("3 received"), ping.output());
        }
    }

    @Test
    void persistentTunOutlivesItsDescriptorAndMultiQueueOpensSeveralQueues(Lab lab) {
        LabHost h = lab.host("h");
        try (NetnsHandle ns = Netns.open(h.name())) {
            try (TunDevice q0 = TunDevice.open(ns, "bmq0", true);
                    TunDevice q1 = TunDevice.open(ns, "bmq0", true)) {
                assertNotEquals(q0.fd(), q1.fd());
                assertEquals("bmq0", q1.name());
                q0.setPersistent(true);
            }
            assertTrue(Oracle.hasLink(h, "bmq0"), "persistent device survives its descriptors");
            assertTrue(
                    Oracle.link(h, "bmq0").at("/linkinfo/info_data/multi_queue").asBoolean());
            try (TunDevice q = TunDevice.open(ns, "bmq0", true)) {
                q.setPersistent(false);
            }
            assertFalse(Oracle.hasLink(h, "bmq0"));
        }
    }

    /** Swaps the addresses, makes the ICMP type 0 and fixes both checksums. */
    private static void turnIntoReply(MemorySegment p, int length) {
        int ihl = (p.get(JAVA_BYTE, 0) & 0x0f) * 4;
        for (int i = 0; i < 4; i++) {
            byte s = p.get(JAVA_BYTE, 12 + i);
            p.set(JAVA_BYTE, 12 + i, p.get(JAVA_BYTE, 16 + i));
            p.set(JAVA_BYTE, 16 + i, s);
        }
        p.set(JAVA_BYTE, ihl, (byte) 0);
        checksum(p, ihl, length - ihl, ihl + 2);
        checksum(p, 0, ihl, 10);
    }

    private static void checksum(MemorySegment p, int from, int len, int at) {
        p.set(JAVA_BYTE, at, (byte) 0);
        p.set(JAVA_BYTE, at + 1, (byte) 0);
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = p.get(JAVA_BYTE, from + i) & 0xff;
            int lo = i + 1 < len ? p.get(JAVA_BYTE, from + i + 1) & 0xff : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        int c = (int) (~sum & 0xffff);
        p.set(JAVA_BYTE, at, (byte) (c >> 8));
        p.set(JAVA_BYTE, at + 1, (byte) c);
    }
}
