package dev.berth.dns;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.dns.DnsLab.Answer;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.model.Endpoint;
import dev.berth.model.Sandbox;
import dev.berth.model.net.IpPrefix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Sandboxes on a user-defined network find each other by every name they are known by, from inside. */
@ExtendWith(LabExtension.class)
class NamesTest {

    @Test
    void nameShortIdHostnameAliasAndPointer(Lab lab) {
        try (DnsLab l = new DnsLab(lab)) {
            l.startDns();
            l.engine.createNetwork(NetworkRequest.bridge("berth-net", "10.89.0.0/24"));
            Sandbox beijing = l.run("beijing", "berth-net");
            Sandbox shenzhen = l.run(new SandboxRequest(
                    "shenzhen",
                    "sz-host",
                    "berth-net",
                    new EndpointRequest(null, null, null, List.of("web")),
                    List.of(),
                    false,
                    List.of()));
            String ip =
                    IpPrefix.format(l.engine.endpointsOf(shenzhen).getFirst().ipv4());

            for (String name : List.of(
                    "shenzhen", "SHENZHEN.", shenzhen.id().substring(0, 12), "sz-host", "web", "shenzhen.berth-net")) {
                Answer a = l.dig(beijing, name, "A");
                assertEquals("NOERROR", a.status(), name + ": " + a.raw());
                assertEquals(List.of(ip), a.data(), name);
                assertTrue(a.flags().contains("aa"), "local answers are authoritative: " + a.flags());
            }
            assertTrue(l.dig(beijing, "shenzhen", "A").raw().contains("\t60\tIN\tA"), "TTL 60");
            Answer aaaa = l.dig(beijing, "shenzhen", "AAAA");
            assertEquals("NOERROR", aaaa.status(), "an IPv4-only name has no AAAA, and is not sent upstream");
            assertEquals(List.of(), aaaa.data());
            Answer ptr = l.dig(beijing, ip, "PTR", "-x");
            assertEquals(List.of("shenzhen.berth-net."), ptr.data(), ptr.raw());
            assertEquals(
                    List.of(IpPrefix.format(
                            l.engine.endpointsOf(beijing).getFirst().ipv4())),
                    l.dig(shenzhen, "beijing", "A").data(),
                    "and the other way");
            assertEquals(List.of(ip), l.dig(shenzhen, "shenzhen", "A").data(), "a sandbox resolves its own name");
            assertEquals(List.of(ip), l.dig(beijing, "shenzhen", "A", "+tcp").data(), "over TCP too");
            assertFalse(l.upstream1.wasAsked("shenzhen."), "local names never go upstream: " + l.upstream1.asked);
            assertTrue(l.dns.stats().local() >= 10, l.dns.stats().toString());
        }
    }

    @Test
    void beijingPingsShenzhenByNameThroughItsResolvConf(Lab lab) throws Exception {
        try (DnsLab l = new DnsLab(lab)) {
            l.startDns();
            l.engine.createNetwork(NetworkRequest.bridge("seeds", "10.89.3.0/24"));
            Sandbox beijing = l.run("beijing", "seeds");
            Sandbox shenzhen = l.run("shenzhen", "seeds");
            // ip netns exec mounts /etc/netns/NS/resolv.conf over /etc/resolv.conf, as a container's file would be
            Path etc = Path.of(
                    "/etc/netns", l.engine.netnsPath(beijing).getFileName().toString());
            Files.createDirectories(etc);
            try {
                Files.writeString(
                        etc.resolve("resolv.conf"),
                        ResolvConf.forSandbox("search corp.test\n", DnsConfig.DEFAULT_LISTEN));
                Files.writeString(etc.resolve("hosts"), HostsFile.forSandbox(beijing, l.engine.endpointsOf(beijing)));
                String ip = IpPrefix.format(
                        l.engine.endpointsOf(shenzhen).getFirst().ipv4());
                assertTrue(
                        l.in(beijing)
                                .run("getent", "hosts", "shenzhen")
                                .stdout()
                                .startsWith(ip),
                        "glibc finds it via 127.0.0.11");
                assertTrue(
                        l.in(beijing)
                                .exec("ping", "-n", "-c", "1", "-W", "2", "shenzhen")
                                .ok(),
                        "ping shenzhen from beijing");
                assertTrue(
                        l.in(beijing)
                                .run("getent", "hosts", beijing.hostname())
                                .stdout()
                                .startsWith(IpPrefix.format(
                                        l.engine.endpointsOf(beijing).getFirst().ipv4())),
                        "its own name from /etc/hosts");
            } finally {
                try (var files = Files.walk(etc)) {
                    files.sorted(Comparator.reverseOrder())
                            .forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    @Test
    void sandboxesSharingAnAliasAreAnsweredInTurn(Lab lab) {
        try (DnsLab l = new DnsLab(lab)) {
            l.startDns();
            l.engine.createNetwork(NetworkRequest.bridge("pool-net", "10.89.1.0/24"));
            Sandbox client = l.run("client", "pool-net");
            Set<String> ips = new HashSet<>();
            for (String n : List.of("w1", "w2", "w3")) {
                Sandbox s = l.run(n, "pool-net", "workers");
                ips.add(IpPrefix.format(l.engine.endpointsOf(s).getFirst().ipv4()));
            }
            Set<String> firsts = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                Answer a = l.dig(client, "workers", "A");
                assertEquals(ips, new HashSet<>(a.data()), "every sandbox with the alias, each time");
                firsts.add(a.data().getFirst());
            }
            assertEquals(ips, firsts, "each one comes first in turn");
        }
    }

    @Test
    void dualStackNetworksHaveAaaaAndIpv6Pointers(Lab lab) {
        try (DnsLab l = new DnsLab(lab)) {
            l.startDns();
            l.engine.createNetwork(NetworkRequest.bridge("dual", "10.89.2.0/24").withIpv6());
            Sandbox a = l.run("a6", "dual");
            Sandbox b = l.run("b6", "dual");
            Endpoint eb = l.engine.endpointsOf(b).getFirst();
            String v6 = IpPrefix.format(eb.ipv6());
            assertEquals(List.of(v6), l.dig(a, "b6", "AAAA").data());
            assertEquals(
                    List.of(IpPrefix.format(eb.ipv4())), l.dig(a, "b6", "A").data());
            assertEquals(List.of("b6.dual."), l.dig(a, v6, "PTR", "-x").data());
        }
    }
}
