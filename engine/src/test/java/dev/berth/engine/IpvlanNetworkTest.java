package dev.berth.engine;

import static dev.berth.engine.LanLab.GATEWAY;
import static dev.berth.engine.LanLab.OUT;
import static dev.berth.engine.LanLab.SUBNET;
import static dev.berth.engine.MacvlanNetworkTest.lanNetwork;
import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.model.Network;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.engine.request.SubnetRequest;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seed 002's ipvlan networks: L2 (one MAC, many IPs, on the LAN like macvlan) and L3/L3S (several
 * subnets in one network, routed through the parent, no gateway; the outside reaches them by static
 * routes via the host). Needs CONFIG_IPVLAN: runs in the VM (vmtest).
 */
@Tag("vm")
@ExtendWith(LabExtension.class)
class IpvlanNetworkTest {

    @Test
    void l2ContainersShareTheParentsMacAndSitOnTheLan(Lab lab) {
        try (LanLab l = new LanLab(lab)) {
            Engine e = l.start();
            e.createNetwork(lanNetwork("ipv", "ipvlan", SUBNET, GATEWAY, "parent", "lan0", "ipvlan_mode", "l2"));
            e.createSandbox(SandboxRequest.on("a", "ipv").withIp("192.168.241.10"));
            e.createSandbox(SandboxRequest.on("b", "ipv"));
            String b = LanLab.ip(e, "b");
            String parentMac =
                    l.host.run("cat", "/sys/class/net/lan0/address").stdout().strip();
            String link = l.in("a").run("ip", "-d", "link", "show", "eth0").stdout();
            assertTrue(link.contains("ipvlan  mode l2 bridge") || link.contains("ipvlan mode l2 bridge"), link);
            assertTrue(link.contains("link/ether " + parentMac), "one MAC for all: " + link);
            assertEquals(
                    parentMac, e.endpointsOf(e.sandbox("b")).getFirst().mac().toString());
            assertTrue(l.in("a")
                    .run("ip", "route", "show", "default")
                    .stdout()
                    .contains("default via " + GATEWAY + " dev eth0"));
            assertTrue(l.in("a").ping(b), "containers reach each other");
            assertTrue(l.in("a").ping(GATEWAY), "and the gateway");
            assertTrue(l.in("b").ping(OUT), "and the outside host");
            assertTrue(l.out.ping("192.168.241.10"), "which reaches them directly");
            e.disconnect("b", "ipv", false);
            assertFalse(l.in("b").exec("ip", "link", "show", "eth0").ok(), "disconnect deletes the link");
        }
    }

    @Test
    void l2PrivateFlagKeepsContainersApart(Lab lab) {
        try (LanLab l = new LanLab(lab)) {
            Engine e = l.start();
            e.createNetwork(lanNetwork("ipv", "ipvlan", SUBNET, GATEWAY, "parent", "lan0", "ipvlan_flag", "private"));
            e.createSandbox(SandboxRequest.on("a", "ipv"));
            e.createSandbox(SandboxRequest.on("b", "ipv"));
            assertTrue(
                    l.in("a").run("ip", "-d", "link", "show", "eth0").stdout().contains("private"));
            assertFalse(l.in("a").ping(LanLab.ip(e, "b")), "private: no traffic between the parent's ipvlan links");
            assertTrue(l.in("a").ping(OUT));
        }
    }

    /** The seed's L3 network: two subnets in one network, containers of both reach each other and the routed outside. */
    @ParameterizedTest(name = "ipvlan {0}")
    @ValueSource(strings = {"l3", "l3s"})
    void l3RoutesSeveralSubnetsThroughTheParent(String mode, Lab lab) {
        try (LanLab l = new LanLab(lab)) {
            // The host's own address on the LAN, and the outside's static routes to the container subnets via it.
            l.host.ip("addr", "add", "172.31.0.1/24", "dev", "lan0");
            l.lan.ip("addr", "add", "172.31.0.2/24", "dev", "br0");
            l.lan.ip("route", "add", "192.168.214.0/24", "via", "172.31.0.1");
            l.lan.ip("route", "add", "10.1.214.0/24", "via", "172.31.0.1");
            Engine e = l.start();
            Network n = e.createNetwork(new NetworkRequest(
                    "ipvl3",
                    "ipvlan",
                    List.of(SubnetRequest.of("192.168.214.0/24"), SubnetRequest.of("10.1.214.0/24")),
                    false,
                    false,
                    false,
                    Map.of("parent", "lan0", "ipvlan_mode", mode),
                    Map.of()));
            assertNull(n.subnets().get(0).gateway(), "L3 has no gateway");
            e.createSandbox(SandboxRequest.on("web", "ipvl3").withIp("192.168.214.10"));
            e.createSandbox(SandboxRequest.on("db", "ipvl3").withIp("10.1.214.10"));
            e.createSandbox(SandboxRequest.on("app", "ipvl3"));
            assertTrue(LanLab.ip(e, "app").startsWith("192.168.214."), "allocated from the first subnet");

            assertTrue(
                    l.in("web").run("ip", "-d", "link", "show", "eth0").stdout().contains("mode " + mode));
            String route = l.in("web").run("ip", "route", "show", "default").stdout();
            assertTrue(
                    route.contains("default dev eth0") && !route.contains("via"),
                    "default route via the interface, no gateway: " + route);
            assertTrue(l.in("web").ping("10.1.214.10"), "another subnet of the network, through the parent");
            assertTrue(l.in("db").ping(LanLab.ip(e, "app")));
            assertTrue(l.in("db").ping("172.31.0.2"), "the LAN, routed by the host");
            assertTrue(l.lan.ping("192.168.214.10"), "the outside reaches containers by its static routes");
            assertTrue(l.lan.ping("10.1.214.10"));
            String host = l.engine.kernelSnapshot();
            assertFalse(host.contains("214"), "nothing of the container subnets on the host:\n" + host);
        }
    }
}
