package dev.berth.dns;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.dns.DnsLab.Answer;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.model.Sandbox;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Names that are not local go to the upstream resolvers, from the host namespace. */
@ExtendWith(LabExtension.class)
class ForwardingTest {

    @Test
    void forwardsOverUdpAndFetchesTruncatedAnswersOverTcp(Lab lab) {
        try (DnsLab l = new DnsLab(lab)) {
            l.startDns();
            l.engine.createNetwork(NetworkRequest.bridge("fwd", "10.89.20.0/24"));
            Sandbox s = l.run("s", "fwd");
            assertEquals(List.of("198.51.100.2"), l.dig(s, "www.example", "A").data());
            assertTrue(l.upstream1.asked.contains("udp www.example."), l.upstream1.asked.toString());
            assertEquals("NXDOMAIN", l.dig(s, "nowhere.test", "A").status(), "upstream's answer passes unchanged");
            assertEquals(
                    List.of("198.51.100.2"),
                    l.dig(s, "www.example", "A", "+tcp").data(),
                    "a TCP client is forwarded too");

            Answer mid = l.dig(s, "mid.example", "A", "+ignore");
            assertEquals(
                    3,
                    mid.data().size(),
                    "truncated over UDP upstream: the resolver fetched it over TCP: " + mid.raw());
            assertFalse(mid.flags().contains("tc"), "and the full answer fits the client's UDP: " + mid.flags());
            assertTrue(l.upstream1.asked.contains("tcp mid.example."), l.upstream1.asked.toString());

            Answer big = l.dig(s, "big.example", "A", "+noedns", "+ignore");
            assertTrue(
                    big.flags().contains("tc"),
                    "40 addresses do not fit 512 bytes: the client is told to use TCP: " + big.raw());
            assertEquals(
                    40,
                    l.dig(s, "big.example", "A", "+noedns").data().size(),
                    "dig retries over TCP and gets everything");
            assertTrue(l.dns.stats().tcpRefetches() >= 2, l.dns.stats().toString());
        }
    }

    @Test
    void aSandboxsOwnDnsServersOverrideTheHostsOnes(Lab lab) {
        try (DnsLab l = new DnsLab(lab)) {
            l.startDns();
            l.engine.createNetwork(NetworkRequest.bridge("fwd", "10.89.21.0/24"));
            Sandbox plain = l.run("plain", "fwd");
            Sandbox own = l.engine.createSandbox(SandboxRequest.on("own", "fwd"));
            l.dns.attach(own.id(), l.engine.netnsPath(own), List.of(DnsLab.UP2));
            l.refresh();
            assertEquals(
                    List.of("198.51.100.2"), l.dig(plain, "www.example", "A").data());
            assertEquals(List.of("198.51.100.3"), l.dig(own, "www.example", "A").data(), "--dns 192.0.2.3");
            assertEquals(
                    List.of(ScopeTest.ip(l, plain, "fwd")),
                    l.dig(own, "plain", "A").data(),
                    "local names still local");
        }
    }

    @Test
    void anUpstreamThatDoesNotAnswerGivesServfailWithinTheTimeoutAndTheNextOneIsTried(Lab lab) {
        try (DnsLab l = new DnsLab(lab)) {
            InetSocketAddress dead = new InetSocketAddress("192.0.2.9", 53); // on the wire, nobody there
            l.startDns(DnsConfig.of(l.hostNs, List.of(dead, DnsLab.UP1)).withUpstreamTimeout(Duration.ofMillis(400)));
            l.engine.createNetwork(NetworkRequest.bridge("fwd", "10.89.22.0/24"));
            Sandbox s = l.run("s", "fwd");
            long t0 = System.nanoTime();
            assertEquals(List.of("198.51.100.2"), l.dig(s, "www.example", "A").data(), "the second upstream answers");
            long took = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(took >= 350, "after the first one's timeout: " + took + " ms");

            t0 = System.nanoTime();
            Answer silent = l.dig(s, "silent.example", "A");
            took = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("SERVFAIL", silent.status(), silent.raw());
            assertTrue(took < 1500, "two upstreams x 400 ms, then SERVFAIL, not a hang: " + took + " ms");
            assertEquals(List.of("10.89.22.2"), l.dig(s, "s", "A").data(), "local names meanwhile unaffected");
            assertTrue(l.dns.stats().upstreamTimeouts() >= 3, l.dns.stats().toString());
        }
    }

    @Test
    void noUpstreamsAtAllIsServfailAtOnce(Lab lab) {
        try (DnsLab l = new DnsLab(lab)) {
            l.startDns(DnsConfig.of(l.hostNs, List.of()));
            l.engine.createNetwork(NetworkRequest.bridge("fwd", "10.89.23.0/24"));
            Sandbox s = l.run("s", "fwd");
            assertEquals("SERVFAIL", l.dig(s, "www.example", "A").status());
            assertEquals(List.of("10.89.23.2"), l.dig(s, "s", "A").data());
        }
    }
}
