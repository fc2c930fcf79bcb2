package dev.berth.engine;

import static dev.berth.engine.LanLab.GATEWAY;
import static dev.berth.engine.LanLab.OUT;
import static dev.berth.engine.LanLab.SUBNET;
import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.model.Network;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.engine.request.SubnetRequest;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.model.BerthException;
import dev.berth.model.Endpoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Seed 002 on a lab LAN: containers on a macvlan network sit directly on the LAN next to its
 * gateway and an outside machine, with addresses of the LAN's subnet, and the host configures
 * nothing of that subnet on itself.
 */
@ExtendWith(LabExtension.class)
class MacvlanNetworkTest {

    /** {@code docker network create -d DRIVER --subnet SUBNET --gateway GATEWAY -o k=v ... NAME}. */
    static NetworkRequest lanNetwork(String name, String driver, String subnet, String gateway, String... options) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < options.length; i += 2) o.put(options[i], options[i + 1]);
        List<SubnetRequest> subnets =
                subnet == null ? List.of() : List.of(new SubnetRequest(subnet, gateway, null, null));
        return new NetworkRequest(name, driver, subnets, false, false, false, o, Map.of());
    }

    @Test
    void containersSitOnTheLanNextToTheGatewayAndOutsideHosts(Lab lab) {
        try (LanLab l = new LanLab(lab)) {
            Engine e = l.start();
            String hostBefore = l.engine.kernelSnapshot();
            Network subway = e.createNetwork(lanNetwork("subway", "macvlan", SUBNET, GATEWAY, "parent", "lan0"));
            assertEquals("lan0", subway.device());
            assertEquals(
                    hostBefore,
                    l.engine.kernelSnapshot(),
                    "creating a macvlan network on an existing parent changes nothing on the host");

            e.createSandbox(SandboxRequest.on("milk", "subway").withIp("192.168.241.10"));
            e.createSandbox(SandboxRequest.on("bread", "subway"));
            String bread = LanLab.ip(e, "bread");
            assertEquals("192.168.241.1", bread, "allocated from the subnet, the gateway .2 is reserved");

            String link = l.in("milk").run("ip", "-d", "link", "show", "eth0").stdout();
            assertTrue(link.contains("macvlan mode bridge"), link);
            assertTrue(
                    link.contains(
                            e.endpointsOf(e.sandbox("milk")).getFirst().mac().toString()),
                    "the endpoint's MAC: " + link);
            assertTrue(l.in("milk")
                    .run("ip", "route", "show", "default")
                    .stdout()
                    .contains("default via " + GATEWAY + " dev eth0"));

            assertTrue(l.in("milk").ping(bread), "containers reach each other");
            assertTrue(l.in("milk").ping(GATEWAY), "and the gateway on the LAN");
            assertTrue(l.in("bread").ping(OUT), "and an outside host");
            assertTrue(l.out.ping("192.168.241.10"), "the outside host reaches a container directly by its IP");
            assertTrue(l.out.ping(bread));

            String host = l.engine.kernelSnapshot();
            assertFalse(
                    host.contains("192.168.241"),
                    "no address or route of the LAN subnet on the host (gateway is on the LAN):\n" + host);
            assertEquals(
                    hostBefore.lines().filter(x -> x.startsWith("link ")).toList(),
                    host.lines().filter(x -> x.startsWith("link ")).toList(),
                    "the endpoints' links live only in the sandboxes");

            e.disconnect("bread", "subway", false);
            assertFalse(l.in("bread").exec("ip", "link", "show", "eth0").ok(), "disconnect deletes the link");
            e.removeSandbox("milk");
            e.removeSandbox("bread");
            e.removeNetwork("subway");
            assertTrue(l.host.exec("ip", "link", "show", "lan0").ok(), "a parent Berth did not create stays");
            assertEquals(hostBefore, l.engine.kernelSnapshot());
        }
    }

    @Test
    void privateModeKeepsContainersApartButNotFromTheLan(Lab lab) {
        try (LanLab l = new LanLab(lab)) {
            Engine e = l.start();
            e.createNetwork(
                    lanNetwork("priv", "macvlan", SUBNET, GATEWAY, "parent", "lan0", "macvlan_mode", "private"));
            e.createSandbox(SandboxRequest.on("a", "priv"));
            e.createSandbox(SandboxRequest.on("b", "priv"));
            assertTrue(
                    l.in("a").run("ip", "-d", "link", "show", "eth0").stdout().contains("macvlan mode private"));
            l.hairpin(
                    "p-host",
                    true); // even a switch that reflects frames cannot join them: private drops them on return
            assertFalse(l.in("a").ping(LanLab.ip(e, "b")), "private: containers on one parent cannot talk");
            assertTrue(l.in("a").ping(OUT));
            assertTrue(l.in("b").ping(GATEWAY));
        }
    }

    @Test
    void vepaModeNeedsASwitchThatSendsFramesBack(Lab lab) {
        try (LanLab l = new LanLab(lab)) {
            Engine e = l.start();
            e.createNetwork(lanNetwork("vepa", "macvlan", SUBNET, GATEWAY, "parent", "lan0", "macvlan_mode", "vepa"));
            e.createSandbox(SandboxRequest.on("a", "vepa"));
            e.createSandbox(SandboxRequest.on("b", "vepa"));
            String b = LanLab.ip(e, "b");
            assertTrue(l.in("a").ping(OUT));
            assertFalse(
                    l.in("a").ping(b),
                    "vepa: frames between containers go out to the switch, which does not send them back");
            l.hairpin("p-host", true);
            // a's neighbour entry for b failed a moment ago: the kernel resolves it again on the next tries
            boolean met = false;
            for (int i = 0; i < 3 && !met; i++) met = l.in("a").ping(b);
            assertTrue(met, "with hairpin on the switch port (a VEPA-capable switch) they meet");
        }
    }

    @Test
    void passthruGivesTheParentToOneContainer(Lab lab) {
        try (LanLab l = new LanLab(lab)) {
            l.nic("lan1", "p-host1");
            Engine e = l.start();
            e.createNetwork(lanNetwork("pt", "macvlan", SUBNET, GATEWAY, "parent", "lan1", "macvlan_mode", "passthru"));
            var other = assertThrows(
                    BerthException.Conflict.class,
                    () -> e.createNetwork(lanNetwork("pt2", "macvlan", "10.99.0.0/24", null, "parent", "lan1")));
            assertTrue(
                    other.getMessage().contains("passthru")
                            && other.getMessage().contains("pt"),
                    other.getMessage());
            var second = assertThrows(
                    BerthException.Conflict.class,
                    () -> e.createNetwork(lanNetwork(
                                    "pt3",
                                    "macvlan",
                                    "10.98.0.0/24",
                                    null,
                                    "parent",
                                    "lan0",
                                    "macvlan_mode",
                                    "passthru"))
                            .name()
                            .concat(e.createNetwork(lanNetwork(
                                            "pt4",
                                            "macvlan",
                                            "10.97.0.0/24",
                                            null,
                                            "parent",
                                            "lan0",
                                            "macvlan_mode",
                                            "passthru"))
                                    .name()));
            assertTrue(second.getMessage().contains("lan0"), second.getMessage());

            String parentMac =
                    l.host.run("cat", "/sys/class/net/lan1/address").stdout().strip();
            Endpoint ep = e.endpointsOf(e.createSandbox(SandboxRequest.on("solo", "pt")))
                    .getFirst();
            assertEquals(
                    parentMac, ep.mac().toString(), "passthru: the container's interface is the parent, MAC and all");
            assertTrue(l.in("solo")
                    .run("ip", "-d", "link", "show", "eth0")
                    .stdout()
                    .contains("macvlan mode passthru"));
            assertTrue(l.in("solo").ping(OUT));
            var busy =
                    assertThrows(BerthException.Conflict.class, () -> e.createSandbox(SandboxRequest.on("duo", "pt")));
            assertTrue(busy.getMessage().contains("passthru"), busy.getMessage());
            assertThrows(
                    BerthException.NotFound.class, () -> e.sandbox("duo"), "nothing is left of the refused sandbox");
        }
    }

    @Test
    void publishedPortsAreIgnoredAndRestartRepairsALostLink(Lab lab) {
        try (LanLab l = new LanLab(lab)) {
            Engine e = l.start();
            e.createNetwork(lanNetwork("subway", "macvlan", SUBNET, GATEWAY, "parent", "lan0"));
            var s = e.createSandbox(SandboxRequest.on("web", "subway").publishing("8080:80"));
            assertTrue(s.ports().isEmpty(), "Docker ignores -p on macvlan networks; so does Berth");
            assertFalse(l.host.run("nft", "list", "ruleset").stdout().contains("8080"), "no DNAT rule");
            String healthy = l.engine.kernelSnapshot();

            l.in("web").run("ip", "link", "del", "eth0");
            Engine again = l.engine.restart();
            assertEquals(healthy, l.engine.kernelSnapshot());
            assertTrue(l.in("web").ping(GATEWAY), "the endpoint's link is back after a restart");
            assertTrue(
                    l.in("web").run("ip", "route", "show", "default").stdout().contains("via " + GATEWAY));
            assertEquals(1, again.endpointsOf(again.sandbox("web")).size());

            Engine third = l.engine.restart();
            assertTrue(l.in("web").ping(OUT), "a restart leaves a healthy sandbox alone");
            third.connect("web", "bridge", EndpointRequest.DEFAULT);
            assertTrue(l.in("web").ping(OUT), "the LAN network keeps the default route");
        }
    }

    private record Bad(String what, Consumer<Engine> request, Class<? extends BerthException> type, String mentions) {}

    @Test
    void badRequestsAreRefusedWithClearErrorsAndNoChange(Lab lab) {
        List<Bad> cases = List.of(
                new Bad(
                        "parent missing",
                        e -> e.createNetwork(lanNetwork("n", "macvlan", "10.1.0.0/24", null, "parent", "ens33")),
                        BerthException.InvalidRequest.class,
                        "Options.parent: parent interface ens33 does not exist"),
                new Bad(
                        "vlan on a missing link",
                        e -> e.createNetwork(lanNetwork("n", "macvlan", "10.1.0.0/24", null, "parent", "ens33.20")),
                        BerthException.InvalidRequest.class,
                        "neither does ens33"),
                new Bad(
                        "vlan id 0",
                        e -> e.createNetwork(lanNetwork("n", "macvlan", "10.1.0.0/24", null, "parent", "lan0.0")),
                        BerthException.InvalidRequest.class,
                        "1..4094"),
                new Bad(
                        "vlan id 4095",
                        e -> e.createNetwork(lanNetwork("n", "macvlan", "10.1.0.0/24", null, "parent", "lan0.4095")),
                        BerthException.InvalidRequest.class,
                        "1..4094"),
                new Bad(
                        "bad macvlan mode",
                        e -> e.createNetwork(lanNetwork(
                                "n", "macvlan", "10.1.0.0/24", null, "parent", "lan0", "macvlan_mode", "l3")),
                        BerthException.InvalidRequest.class,
                        "bridge, passthru, private, vepa"),
                new Bad(
                        "bad ipvlan mode",
                        e -> e.createNetwork(
                                lanNetwork("n", "ipvlan", "10.1.0.0/24", null, "parent", "lan0", "ipvlan_mode", "l4")),
                        BerthException.InvalidRequest.class,
                        "l2, l3, l3s"),
                new Bad(
                        "bad ipvlan flag",
                        e -> e.createNetwork(lanNetwork(
                                "n", "ipvlan", "10.1.0.0/24", null, "parent", "lan0", "ipvlan_flag", "open")),
                        BerthException.InvalidRequest.class,
                        "bridge, private, vepa"),
                new Bad(
                        "bridge option on macvlan",
                        e -> e.createNetwork(
                                lanNetwork("n", "macvlan", "10.1.0.0/24", null, "com.docker.network.bridge.name", "x")),
                        BerthException.InvalidRequest.class,
                        "known: com.docker.network.driver.mtu, macvlan_mode, parent"),
                new Bad(
                        "subnet of another network",
                        e -> e.createNetwork(lanNetwork("n", "macvlan", "192.168.241.128/25", null, "parent", "lan0")),
                        BerthException.Conflict.class,
                        "of network subway"),
                new Bad(
                        "ipvlan on a macvlan parent",
                        e -> e.createNetwork(lanNetwork("n", "ipvlan", "10.1.0.0/24", null, "parent", "lan0")),
                        BerthException.Conflict.class,
                        "already carries macvlan network subway"),
                new Bad(
                        "passthru on a used parent",
                        e -> e.createNetwork(lanNetwork(
                                "n", "macvlan", "10.1.0.0/24", null, "parent", "lan0", "macvlan_mode", "passthru")),
                        BerthException.Conflict.class,
                        "cannot use mode passthru"),
                new Bad(
                        "static ip outside",
                        e -> e.createSandbox(SandboxRequest.on("s", "subway").withIp("10.9.0.5")),
                        BerthException.InvalidRequest.class,
                        "IPv4Address"),
                new Bad(
                        "static ip is the LAN gateway",
                        e -> e.createSandbox(SandboxRequest.on("s", "subway").withIp(GATEWAY)),
                        BerthException.InvalidRequest.class,
                        "gateway"));
        try (LanLab l = new LanLab(lab)) {
            Engine e = l.start();
            e.createNetwork(lanNetwork("subway", "macvlan", SUBNET, GATEWAY, "parent", "lan0"));
            String before = l.engine.kernelSnapshotWithSandboxes();
            for (Bad c : cases) {
                BerthException err = assertThrows(BerthException.class, () -> c.request.accept(e), c.what);
                assertInstanceOf(c.type, err, c.what + ": " + err.getMessage());
                assertTrue(
                        err.getMessage().contains(c.mentions),
                        c.what + ": the message should mention '" + c.mentions + "': " + err.getMessage());
                assertEquals(before, l.engine.kernelSnapshotWithSandboxes(), c.what + " changed the kernel");
                assertEquals(1, e.networks().stream().filter(n -> n.isLan()).count(), c.what);
                assertTrue(e.sandboxes().isEmpty(), c.what);
            }
        }
    }
}
