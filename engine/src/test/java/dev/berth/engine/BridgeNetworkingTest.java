package dev.berth.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.model.Network;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.model.BerthException;
import dev.berth.model.Endpoint;
import dev.berth.model.Sandbox;
import dev.berth.model.net.IpPrefix;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The seeds' walkthrough on one host: default bridge, user networks, ports, modes. */
@ExtendWith(LabExtension.class)
class BridgeNetworkingTest {

    @Test
    void defaultBridgeLikeDocker0WithContainersThatPingEachOtherAndTheOutside(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            Network bridge = e.network("bridge");
            assertEquals("berth0", bridge.device());
            assertEquals("172.17.0.0/16", bridge.ipv4().subnet().toString());
            assertEquals("172.17.0.1", IpPrefix.format(bridge.ipv4().gateway()));
            assertTrue(l.host.run("ip", "-o", "addr", "show", "dev", "berth0")
                    .stdout()
                    .contains("172.17.0.1/16"));

            Sandbox milk = e.createSandbox(SandboxRequest.on("milk", "bridge"));
            Sandbox bread = e.createSandbox(SandboxRequest.on("bread", "bridge"));
            Endpoint milkEp = e.endpointsOf(milk).getFirst();
            assertEquals("172.17.0.2", IpPrefix.format(milkEp.ipv4()));
            assertEquals(
                    "172.17.0.3",
                    IpPrefix.format(e.endpointsOf(bread).getFirst().ipv4()));
            assertEquals("eth0", milkEp.ifName());
            assertTrue(milkEp.hostIfName().matches("veth[0-9a-f]{7}"));
            assertEquals(0x02, milkEp.mac().bytes()[0] & 0x03, "random, locally administered unicast MAC");

            LabHost m = l.in(milk);
            assertTrue(m.ping("172.17.0.3"), "milk reaches bread");
            assertTrue(m.ping("172.17.0.1"), "milk reaches the gateway");
            assertTrue(m.run("ip", "-o", "link", "show", "eth0")
                    .stdout()
                    .contains(milkEp.mac().toString()));
            assertTrue(l.host.run("ip", "-o", "link", "show", milkEp.hostIfName())
                    .stdout()
                    .contains("master berth0"));
            assertTrue(l.host.run("ip", "-d", "link", "show", milkEp.hostIfName())
                    .stdout()
                    .contains("hairpin on"));

            // outbound: ext has no route to 172.17/16, so a reply can only come back through masquerade
            l.ext.serveTcp(9000, "ext");
            assertEquals("ext from 192.0.2.1", m.tcp("192.0.2.2", 9000), "ext sees the host's address, not milk's");
        }
    }

    @Test
    void ipv6LinkLocalOnlyOnEndpointsThatHaveIpv6(Lab lab) throws InterruptedException {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            e.createNetwork(NetworkRequest.bridge("dual", "10.60.0.0/24", "fd00:60::/64")
                    .withIpv6());
            Sandbox four = e.createSandbox(SandboxRequest.on("four", "bridge"));
            Sandbox dual = e.createSandbox(SandboxRequest.on("dual", "dual"));
            // The kernel adds a link-local address once the link has carrier, which it learns asynchronously.
            String dualAddrs = "";
            for (int i = 0; i < 50 && !dualAddrs.contains("fe80"); i++) {
                Thread.sleep(100);
                dualAddrs = l.in(dual)
                        .run("ip", "-6", "-o", "addr", "show", "dev", "eth0")
                        .stdout();
            }
            assertTrue(
                    dualAddrs.contains("fd00:60::") && dualAddrs.contains("fe80"),
                    "an IPv6 endpoint keeps its link-local address: " + dualAddrs);
            assertTrue(l.in(four).ping("172.17.0.1"), "four's link is up");
            assertEquals(
                    "",
                    l.in(four)
                            .run("ip", "-6", "-o", "addr", "show", "dev", "eth0")
                            .stdout(),
                    "no IPv6 address at all on an IPv4-only network's interface, as with Docker");
            for (Sandbox s : List.of(four, dual))
                assertEquals(
                        "",
                        l.host.run(
                                        "ip",
                                        "-6",
                                        "-o",
                                        "addr",
                                        "show",
                                        "dev",
                                        e.endpointsOf(s).getFirst().hostIfName())
                                .stdout(),
                        "a bridge port has no IPv6 address");
        }
    }

    @Test
    void publishedPortAnswersFromOutsideFromTheHostAndFromOtherContainers(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            Sandbox coffee =
                    e.createSandbox(SandboxRequest.on("coffee", "bridge").publishing("8080:80"));
            Sandbox milk = e.createSandbox(SandboxRequest.on("milk", "bridge"));
            assertEquals("0.0.0.0:8080->80/tcp", coffee.ports().getFirst().toString());
            l.in(coffee).serveTcp(80, "coffee");

            String fromExt = l.ext.tcp("192.0.2.1", 8080);
            assertNotNull(fromExt, "ext reaches the published port");
            assertTrue(fromExt.startsWith("coffee from "), fromExt);
            assertTrue(l.host.tcp("192.0.2.1", 8080).startsWith("coffee"), "the host reaches its own published port");
            assertTrue(
                    l.in(milk).tcp("192.0.2.1", 8080).startsWith("coffee"), "another container reaches it (hairpin)");
            assertTrue(
                    l.in(coffee).tcp("192.0.2.1", 8080).startsWith("coffee"),
                    "coffee reaches itself through the host port");

            // Docker 28: an unpublished port is not reachable by routing to the container's IP
            l.in(coffee).serveTcp(81, "secret");
            l.ext.ip("route", "add", "172.17.0.0/16", "via", "192.0.2.1");
            assertNull(
                    l.ext.tcp(IpPrefix.format(e.endpointsOf(coffee).getFirst().ipv4()), 81));
        }
    }

    @Test
    void localhostBindingIsReachableFromTheHostOnly(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            Sandbox s = e.createSandbox(SandboxRequest.on("web", "bridge").publishing("127.0.0.1:8081:80"));
            l.in(s).serveTcp(80, "web");
            assertNotNull(l.host.tcp("127.0.0.1", 8081), "the host reaches 127.0.0.1:8081");
            l.ext.ip("route", "add", "127.0.0.0/8", "via", "192.0.2.1");
            assertNull(l.ext.tcp("192.0.2.1", 8081), "not via the host's LAN address");
        }
    }

    @Test
    void publishAllPicksDistinctEphemeralPortsAndConflictsAreRefused(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            Sandbox a = e.createSandbox(SandboxRequest.on("a", "bridge").publishingAll("80/tcp", "443/tcp", "53/udp"));
            Set<Integer> ports = new HashSet<>();
            for (var p : a.ports()) {
                assertTrue(p.hostPort() >= 32768 && p.hostPort() <= 60999, p.toString());
                ports.add(p.hostPort());
            }
            assertEquals(3, ports.size());
            l.in(a).serveUdp(53, "dns");
            int udp = a.ports().stream()
                    .filter(p -> p.containerPort() == 53)
                    .findFirst()
                    .orElseThrow()
                    .hostPort();
            assertNotNull(l.ext.udp("192.0.2.1", udp, "q"), "UDP publishing works");

            e.createSandbox(SandboxRequest.on("b", "bridge").publishing("9090:80"));
            String before = l.kernelSnapshot();
            var conflict = assertThrows(
                    BerthException.Conflict.class,
                    () -> e.createSandbox(SandboxRequest.on("xc", "bridge").publishing("9090:80")));
            assertTrue(conflict.getMessage().contains("9090"), conflict.getMessage());
            assertEquals(before, l.kernelSnapshot(), "a refused request changes nothing");
            // ("xc", not "c": a lookup also takes id prefixes, and ids are hex)
            assertThrows(BerthException.NotFound.class, () -> e.sandbox("xc"));
            e.createSandbox(SandboxRequest.on("xc", "bridge").publishing("9090:80/udp"));
        }
    }

    @Test
    void userNetworksHaveTheirOwnSubnetsAndAreIsolatedFromEachOther(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            Network greatwall = e.createNetwork(NetworkRequest.bridge("greatwall", "10.10.0.0/24"));
            Network auto = e.createNetwork(NetworkRequest.bridge("auto"));
            assertEquals("172.18.0.0/16", auto.ipv4().subnet().toString(), "the next default pool after berth0's");
            assertTrue(greatwall.device().startsWith("br-"));
            Sandbox beijing =
                    e.createSandbox(SandboxRequest.on("beijing", "greatwall").withIp("10.10.0.100"));
            Sandbox shenzhen = e.createSandbox(SandboxRequest.on("shenzhen", "greatwall"));
            Sandbox milk = e.createSandbox(SandboxRequest.on("milk", "bridge"));
            assertEquals(
                    "10.10.0.100",
                    IpPrefix.format(e.endpointsOf(beijing).getFirst().ipv4()));
            String shenzhenIp =
                    IpPrefix.format(e.endpointsOf(shenzhen).getFirst().ipv4());
            assertTrue(l.in(beijing).ping(shenzhenIp));
            assertFalse(l.in(milk).ping(shenzhenIp), "the default bridge cannot reach greatwall");
            assertFalse(
                    l.in(beijing)
                            .ping(IpPrefix.format(e.endpointsOf(milk).getFirst().ipv4())),
                    "nor the other way");

            // connect milk to greatwall too: now it reaches shenzhen on its second interface
            Endpoint second = e.connect("milk", "greatwall", EndpointRequest.DEFAULT);
            assertEquals("eth1", second.ifName());
            assertTrue(l.in(milk).ping(shenzhenIp));
            e.disconnect("milk", "greatwall", false);
            assertFalse(l.in(milk).ping(shenzhenIp));
            assertFalse(l.in(milk).run("ip", "-o", "link").stdout().contains("eth1"));
        }
    }

    @Test
    void iccOffAndInternalNetworks(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            e.createNetwork(NetworkRequest.bridge("quiet", "10.20.0.0/24")
                    .withOptions(Map.of("com.docker.network.bridge.enable_icc", "false")));
            Sandbox a = e.createSandbox(SandboxRequest.on("qa", "quiet"));
            Sandbox b = e.createSandbox(SandboxRequest.on("qb", "quiet"));
            assertFalse(
                    l.in(a).ping(IpPrefix.format(e.endpointsOf(b).getFirst().ipv4())),
                    "icc off: no container to container");
            assertTrue(l.in(a).ping("10.20.0.1"), "but the gateway answers");

            e.createNetwork(NetworkRequest.bridge("vault", "10.30.0.0/24").withInternal());
            Sandbox v1 = e.createSandbox(SandboxRequest.on("v1", "vault"));
            Sandbox v2 = e.createSandbox(SandboxRequest.on("v2", "vault"));
            assertTrue(
                    l.in(v1).ping(IpPrefix.format(e.endpointsOf(v2).getFirst().ipv4())), "internal: containers talk");
            assertFalse(l.in(v1).ping("192.0.2.2"), "internal: no way out");
        }
    }

    @Test
    void noneHostAndContainerModes(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            Sandbox none = e.createSandbox(SandboxRequest.on("lonely", "none"));
            String links = l.in(none).run("ip", "-o", "link").stdout();
            assertEquals(1, links.lines().count(), links);
            assertTrue(links.contains("lo:") && links.contains("UP"), links);
            assertTrue(e.endpointsOf(none).isEmpty());

            Sandbox hostMode = e.createSandbox(SandboxRequest.on("hosty", "host"));
            assertEquals(Path.of("/proc/self/ns/net"), e.netnsPath(hostMode));
            assertTrue(e.endpointsOf(hostMode).isEmpty());

            Sandbox web = e.createSandbox(SandboxRequest.on("web", "bridge"));
            Sandbox side = e.createSandbox(SandboxRequest.on("side", "container:web"));
            assertEquals(e.netnsPath(web), e.netnsPath(side), "container: mode shares the namespace");
            l.in(web).serveTcp(7000, "web-lo");
            assertNotNull(l.in(side).tcp("127.0.0.1", 7000), "and its lo");
            var err = assertThrows(
                    BerthException.Conflict.class, () -> e.connect("side", "bridge", EndpointRequest.DEFAULT));
            assertTrue(err.getMessage().contains("shares another namespace"));
        }
    }

    @Test
    void removalLeavesTheKernelExactlyAsBefore(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            String before = l.kernelSnapshot();
            e.createNetwork(NetworkRequest.bridge("tmp", "10.40.0.0/24"));
            e.createSandbox(SandboxRequest.on("t1", "tmp").publishing("8088:80"));
            e.createSandbox(SandboxRequest.on("t2", "bridge").publishing("127.0.0.1:8089:80/udp"));
            e.connect("t2", "tmp", EndpointRequest.DEFAULT);
            assertNotEquals(before, l.kernelSnapshot());
            e.disconnect("t2", "tmp", false);
            e.removeSandbox("t1");
            e.removeSandbox("t2");
            e.removeNetwork("tmp");
            assertEquals(before, l.kernelSnapshot());
            assertEquals(
                    List.of("bridge", "host", "none"),
                    e.networks().stream().map(Network::name).sorted().toList());
        }
    }
}
