package dev.berth.engine;

import static dev.berth.engine.MacvlanNetworkTest.lanNetwork;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.engine.driver.ParentLinks;
import dev.berth.engine.model.Network;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Parents Berth makes: 802.1q sub-interfaces ({@code -o parent=lan0.20}) created with the first
 * network on them and removed with the last, never one Berth did not make; VLANs keep their networks
 * apart; a dummy parent for networks without {@code -o parent}. Needs CONFIG_VLAN_8021Q and
 * CONFIG_DUMMY: runs in the VM (vmtest).
 */
@Tag("vm")
@ExtendWith(LabExtension.class)
class LanParentsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The LAN side of the trunk: VLAN 20 and 30 on the switch's port, each with its gateway. */
    private static void trunk(LanLab l) {
        l.lan.ip("link", "set", "p-host", "nomaster");
        for (int vlan : new int[] {20, 30}) {
            l.lan.ip(
                    "link",
                    "add",
                    "link",
                    "p-host",
                    "name",
                    "p-host." + vlan,
                    "type",
                    "vlan",
                    "id",
                    Integer.toString(vlan));
            l.lan.ip("addr", "add", "192.168." + vlan + ".2/24", "dev", "p-host." + vlan);
            l.lan.ip("link", "set", "p-host." + vlan, "up");
        }
    }

    private static JsonNode link(LabHost h, String name) {
        try {
            return JSON.readTree(
                            h.run("ip", "-d", "-j", "link", "show", "dev", name).stdout())
                    .get(0);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean exists(LabHost h, String name) {
        return h.exec("ip", "link", "show", "dev", name).ok();
    }

    @Test
    void vlanParentsAreMadeSharedAndRemovedWithTheLastNetworkAndKeepVlansApart(Lab lab) {
        try (LanLab l = new LanLab(lab)) {
            trunk(l);
            Engine e = l.start();
            String clean = l.engine.kernelSnapshot();
            e.createNetwork(lanNetwork("v20", "macvlan", "192.168.20.0/24", "192.168.20.2", "parent", "lan0.20"));
            JsonNode v = link(l.host, "lan0.20");
            assertEquals("vlan", v.at("/linkinfo/info_kind").asText(), v.toString());
            assertEquals(20, v.at("/linkinfo/info_data/id").asInt(), v.toString());
            assertEquals("lan0", v.path("link").asText(), v.toString());
            assertTrue(v.path("flags").toString().contains("\"UP\""), v.toString());
            e.createNetwork(lanNetwork("v20b", "macvlan", "10.20.0.0/24", null, "parent", "lan0.20"));
            e.createNetwork(lanNetwork("v30", "macvlan", "192.168.30.0/24", "192.168.30.2", "parent", "lan0.30"));

            e.createSandbox(SandboxRequest.on("a20", "v20").withIp("192.168.20.10"));
            e.createSandbox(SandboxRequest.on("b20", "v20").withIp("192.168.20.11"));
            e.createSandbox(SandboxRequest.on("a30", "v30").withIp("192.168.30.10"));
            assertTrue(l.in("a20").ping("192.168.20.2"), "VLAN 20 reaches its gateway");
            assertTrue(l.in("a30").ping("192.168.30.2"), "VLAN 30 reaches its gateway");
            assertTrue(l.in("a20").ping("192.168.20.11"), "and containers of one VLAN each other");
            // Told that a30 is on its own link, a20 still cannot find it: VLAN 30 frames never reach VLAN 20.
            l.in("a20").run("ip", "route", "add", "192.168.30.10/32", "dev", "eth0");
            assertFalse(l.in("a20").ping("192.168.30.10"), "two VLANs are two LANs");
            l.in("a30").run("ip", "route", "add", "192.168.20.11/32", "dev", "eth0");
            assertFalse(l.in("a30").ping("192.168.20.11"));

            e.removeSandbox("a20");
            e.removeSandbox("b20");
            e.removeSandbox("a30");
            e.removeNetwork("v20");
            assertTrue(exists(l.host, "lan0.20"), "still used by v20b");
            e.removeNetwork("v20b");
            assertFalse(exists(l.host, "lan0.20"), "gone with the last network on it");
            e.removeNetwork("v30");
            assertFalse(exists(l.host, "lan0.30"));
            assertEquals(clean, l.engine.kernelSnapshot());

            l.host.ip("link", "add", "link", "lan0", "name", "lan0.40", "type", "vlan", "id", "40");
            e.createNetwork(lanNetwork("v40", "macvlan", "192.168.40.0/24", null, "parent", "lan0.40"));
            e.removeNetwork("v40");
            assertTrue(exists(l.host, "lan0.40"), "a sub-interface Berth did not make stays");
            assertTrue(new ParentLinks(e.host(), e.store()).owned().isEmpty(), "no ownership records left");
        }
    }

    @Test
    void aVanishedVlanParentIsRebuiltWithItsEndpointsAtStart(Lab lab) {
        try (LanLab l = new LanLab(lab)) {
            trunk(l);
            Engine e = l.start();
            e.createNetwork(lanNetwork("v20", "ipvlan", "192.168.20.0/24", "192.168.20.2", "parent", "lan0.20"));
            e.createSandbox(SandboxRequest.on("a20", "v20"));
            assertTrue(l.in("a20").ping("192.168.20.2"));
            String healthy = l.engine.kernelSnapshotWithSandboxes();
            l.host.ip("link", "del", "lan0.20"); // the kernel takes the container's ipvlan link with it
            assertFalse(l.in("a20").exec("ip", "link", "show", "eth0").ok());
            l.engine.restart();
            assertEquals(
                    healthy.replaceAll("\\d+: ", ""),
                    l.engine.kernelSnapshotWithSandboxes().replaceAll("\\d+: ", ""));
            assertTrue(l.in("a20").ping("192.168.20.2"), "parent and endpoint are back");
        }
    }

    @Test
    void withoutAParentANetworkGetsADummyOfItsOwn(Lab lab) {
        try (LanLab l = new LanLab(lab)) {
            Engine e = l.start();
            String clean = l.engine.kernelSnapshot();
            Network inner = e.createNetwork(lanNetwork("inner", "macvlan", "10.30.0.0/24", null));
            assertEquals("dm-" + inner.id().substring(0, 12), inner.device(), "named as Docker names it");
            JsonNode d = link(l.host, inner.device());
            assertEquals("dummy", d.at("/linkinfo/info_kind").asText());
            Network internal = e.createNetwork(new NetworkRequest(
                    "sealed", "ipvlan", List.of(), false, true, false, Map.of("parent", "lan0"), Map.of()));
            assertEquals(
                    ParentLinks.dummyName(internal.id()),
                    internal.device(),
                    "--internal: a dummy, whatever the parent (as Docker)");
            e.createSandbox(SandboxRequest.on("x", "inner"));
            e.createSandbox(SandboxRequest.on("y", "inner"));
            assertTrue(l.in("x").ping(LanLab.ip(e, "y")), "containers of the network reach each other");
            assertFalse(l.in("x").ping(LanLab.OUT), "and nothing else");
            e.removeSandbox("x");
            e.removeSandbox("y");
            e.removeNetwork("inner");
            e.removeNetwork("sealed");
            assertEquals(clean, l.engine.kernelSnapshot(), "the dummies went with their networks");
        }
    }
}
