package dev.berth.cluster;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabProcess;
import dev.berth.model.Sandbox;
import dev.berth.netlink.ns.Netns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The udp backend's wire format between two hosts: bulk TCP crosses as chunks the kernel cuts and
 * coalesces (no IP fragment on the underlay, far fewer socket deliveries than datagrams) and arrives
 * intact; a whole super-datagram as an older Berth host sent it (IP-fragmented) is still delivered.
 */
@ExtendWith(LabExtension.class)
class UdpWireTest {
    private static final int BYTES = 24 << 20;

    @Test
    void bulkTcpCrossesAsCoalescedChunksAndAnOlderHostsSuperDatagramIsAccepted(Lab lab) throws Exception {
        Path dir = Files.createTempDirectory("berth-udp-wire-");
        try (ClusterLab cl = new ClusterLab(lab, 2)) {
            cl.startEtcd(1);
            cl.putConfig("{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"udp\"}}");
            cl.startAll(o -> o);
            ClusterLab.Node n1 = cl.nodes.get(0), n2 = cl.nodes.get(1);
            Sandbox a = n1.run("a"), b = n2.run("b");
            String ipA = n1.ipOf(a), ipB = n2.ipOf(b);
            assertTrue(n1.in(a).ping(ipB), "the tunnel is up");

            Path in = dir.resolve("in"), out = dir.resolve("out");
            byte[] data = new byte[BYTES];
            new Random(14).nextBytes(data);
            Files.write(in, data);
            Map<String, Long> before = snmp(n2);
            try (LabProcess srv = n2.in(b).spawn("socat", "-u", "TCP-LISTEN:7100,reuseaddr", "CREATE:" + out)) {
                n1.in(a).run("socat", "-u", "FILE:" + in, "TCP:" + ipB + ":7100,retry=50,interval=0.1");
                assertEquals(0, srv.waitFor(Duration.ofSeconds(60)), "the receiver got end of file");
            }
            Map<String, Long> after = snmp(n2);
            assertEquals(-1, Files.mismatch(in, out), "24 MB crossed intact");
            assertEquals(
                    0,
                    after.get("Ip:ReasmReqds") - before.get("Ip:ReasmReqds"),
                    "no IP fragment reached h2's underlay");
            long deliveries = after.get("Udp:InDatagrams") - before.get("Udp:InDatagrams");
            assertTrue(
                    deliveries < BYTES / 1434 / 4,
                    "chunks arrive coalesced: " + deliveries + " socket deliveries for " + BYTES / 1434
                            + " datagrams' worth");

            // An older Berth host: a virtio-net header of zeros, then one 3028-byte IPv4/UDP packet, in one datagram
            // the kernel fragments.
            try (LabProcess sink = n2.in(b).spawn("socat", "-u", "UDP-RECV:7200", "CREATE:" + dir.resolve("udp"))) {
                Thread.sleep(300);
                byte[] payload = new byte[3000];
                Arrays.fill(payload, (byte) 'x');
                ByteBuffer datagram = ByteBuffer.allocate(10 + 28 + payload.length);
                datagram.put(new byte[10])
                        .put(ipv4Udp(InetAddress.getByName(ipA), InetAddress.getByName(ipB), 7200, payload))
                        .flip();
                Netns.run(n1.ns, () -> {
                    try (DatagramChannel ch = DatagramChannel.open()) {
                        ch.send(datagram, new InetSocketAddress(n2.ip, 8285));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                long deadline = System.nanoTime() + 5_000_000_000L;
                while ((!Files.exists(dir.resolve("udp")) || Files.size(dir.resolve("udp")) < payload.length)
                        && System.nanoTime() < deadline) Thread.sleep(50);
                assertArrayEquals(
                        payload,
                        Files.readAllBytes(dir.resolve("udp")),
                        "the whole super-datagram reached the container");
            }
            assertTrue(
                    after.get("Ip:ReasmReqds") < snmp(n2).get("Ip:ReasmReqds"),
                    "that one was IP-fragmented on the underlay");
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** Counters of /proc/net/snmp in the node's namespace as "Ip:ReasmReqds" -> value. */
    private static Map<String, Long> snmp(ClusterLab.Node n) {
        String[] lines = n.host.run("cat", "/proc/net/snmp").stdout().split("\n");
        Map<String, Long> m = new TreeMap<>();
        for (int i = 0; i + 1 < lines.length; i += 2) {
            String[] k = lines[i].trim().split("\\s+"), v = lines[i + 1].trim().split("\\s+");
            for (int j = 1; j < k.length && j < v.length; j++) m.put(k[0] + k[j], Long.parseLong(v[j]));
        }
        return m;
    }

    /** An IPv4 packet (no DF, header checksum set) carrying one UDP datagram without checksum. */
    private static byte[] ipv4Udp(InetAddress src, InetAddress dst, int port, byte[] payload) {
        ByteBuffer p = ByteBuffer.allocate(28 + payload.length);
        p.put((byte) 0x45)
                .put((byte) 0)
                .putShort((short) p.capacity())
                .putShort((short) 0x1234)
                .putShort((short) 0)
                .put((byte) 64)
                .put((byte) 17)
                .putShort((short) 0)
                .put(src.getAddress())
                .put(dst.getAddress());
        int sum = 0;
        for (int i = 0; i < 20; i += 2) sum += p.getShort(i) & 0xffff;
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
        p.putShort(10, (short) ~sum);
        p.putShort((short) 40000)
                .putShort((short) port)
                .putShort((short) (8 + payload.length))
                .putShort((short) 0)
                .put(payload);
        return p.array();
    }
}
