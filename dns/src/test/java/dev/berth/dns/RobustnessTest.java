package dev.berth.dns;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.request.NetworkRequest;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.model.Sandbox;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** Garbage, oversized packets and floods from a sandbox leave the resolver answering. */
@ExtendWith(LabExtension.class)
class RobustnessTest {
    private static final InetSocketAddress RESOLVER = new InetSocketAddress("127.0.0.11", 53);

    @Test
    void aFuzzCorpusOfMalformedPacketsLeavesTheServerAnswering(Lab lab) throws Exception {
        try (DnsLab l = new DnsLab(lab)) {
            l.startDns();
            l.engine.createNetwork(NetworkRequest.bridge("fuzz", "10.89.30.0/24"));
            Sandbox s = l.run("s", "fuzz");
            l.run("t", "fuzz");
            List<byte[]> corpus = corpus(new Random(5));
            try (NetnsHandle ns = Netns.open(l.engine.netnsPath(s));
                    DatagramChannel ch =
                            Netns.call(ns, () -> DatagramChannel.open().connect(RESOLVER))) {
                for (byte[] p : corpus) ch.write(ByteBuffer.wrap(p));
                // TCP: an absurd length, a half-sent query, a connection that only idles, one of garbage
                List<SocketChannel> held = new ArrayList<>();
                for (int i = 0; i < 4; i++) held.add(Netns.call(ns, () -> SocketChannel.open(RESOLVER)));
                held.get(0).write(ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xff, 1, 2, 3}));
                held.get(1).write(ByteBuffer.wrap(new byte[] {0, 40, 1, 2}));
                byte[] junk = new byte[300];
                new Random(9).nextBytes(junk);
                junk[0] = 1;
                junk[1] = 0x2a;
                held.get(3).write(ByteBuffer.wrap(junk));
                assertEquals(List.of("10.89.30.3"), l.dig(s, "t", "A").data(), "still answering over UDP");
                assertEquals(List.of("10.89.30.3"), l.dig(s, "t", "A", "+tcp").data(), "and over TCP");
                for (SocketChannel c : held) c.close();
            }
            DnsStats st = l.dns.stats();
            assertTrue(st.malformed() > 100, "malformed packets were seen and counted: " + st);
            assertEquals(List.of("198.51.100.2"), l.dig(s, "www.example", "A").data(), "and forwarding still works");
        }
    }

    @Test
    void aFloodOfForwardsToADeadUpstreamIsBoundedAndLocalNamesStillAnswer(Lab lab) throws Exception {
        try (DnsLab l = new DnsLab(lab)) {
            InetSocketAddress dead = new InetSocketAddress("192.0.2.9", 53);
            l.startDns(DnsConfig.of(l.hostNs, List.of(dead))
                    .withUpstreamTimeout(Duration.ofMillis(300))
                    .withMaxInFlight(64));
            l.engine.createNetwork(NetworkRequest.bridge("flood", "10.89.31.0/24"));
            Sandbox s = l.run("s", "flood");
            try (NetnsHandle ns = Netns.open(l.engine.netnsPath(s));
                    DatagramChannel ch =
                            Netns.call(ns, () -> DatagramChannel.open().connect(RESOLVER))) {
                ch.configureBlocking(false);
                ByteBuffer drain = ByteBuffer.allocate(4096);
                for (int i = 0; i < 3000; i++) {
                    Message q = Message.newQuery(
                            Record.newRecord(Name.fromString("n" + i + ".example."), Type.A, DClass.IN));
                    ch.write(ByteBuffer.wrap(q.toWire()));
                    while (ch.read(drain.clear()) > 0) {
                        // replies (SERVFAIL for the overflow) are not what this test reads
                    }
                }
                // the kernel drops what does not fit the socket's buffer during a flood: a client retries, as glibc
                // does
                DnsLab.Answer during = l.dig(s, "s", "A", "+tries=3");
                assertEquals(
                        List.of("10.89.31.2"),
                        during.data(),
                        "local names answer during the flood: " + during.raw() + l.dns.stats());
            }
            DnsStats st = l.dns.stats();
            assertTrue(st.overloaded() > 0, "beyond 64 in flight: SERVFAIL at once, nothing queued: " + st);
            Thread.sleep(700);
            assertEquals(
                    "SERVFAIL",
                    l.dig(s, "again.example", "A").status(),
                    "slots came back: a new forward is tried and times out");
        }
    }

    /** Malformed packets of every kind, plus a valid query mangled byte by byte. */
    static List<byte[]> corpus(Random r) throws IOException {
        List<byte[]> out = new ArrayList<>();
        byte[] valid = Message.newQuery(Record.newRecord(Name.fromString("t."), Type.A, DClass.IN))
                .toWire();
        out.add(new byte[0]);
        for (int n = 1; n < valid.length; n++) out.add(Arrays.copyOf(valid, n)); // every truncation
        for (int i = 0; i < 1500; i++) { // bit flips
            byte[] b = valid.clone();
            int flips = 1 + r.nextInt(4);
            for (int f = 0; f < flips; f++) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            out.add(b);
        }
        for (int i = 0; i < 300; i++) { // random garbage
            byte[] b = new byte[r.nextInt(1500)];
            r.nextBytes(b);
            out.add(b);
        }
        byte[] answer = valid.clone();
        answer[2] |= (byte) 0x80; // a response: must never be answered
        out.add(answer);
        byte[] manyQuestions = valid.clone();
        manyQuestions[4] = (byte) 0xff;
        manyQuestions[5] = (byte) 0xff;
        out.add(manyQuestions);
        byte[] loop = {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xc0, 0x0c, 0, 1, 0, 1
        }; // name points at itself
        out.add(loop);
        byte[] longLabel = new byte[12 + 1 + 70 + 5];
        longLabel[5] = 1;
        longLabel[12] = 70;
        out.add(longLabel);
        byte[] update = valid.clone();
        update[2] = (byte) (5 << 3); // opcode UPDATE
        out.add(update);
        out.add(new byte[60000]); // oversized
        return out;
    }
}
