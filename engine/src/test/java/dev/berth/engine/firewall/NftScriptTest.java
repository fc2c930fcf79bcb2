package dev.berth.engine.firewall;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.model.BerthException;
import dev.berth.model.Protocol;
import dev.berth.model.net.Cidr;
import dev.berth.model.net.MacAddress;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Script text and input checks, without a kernel. */
class NftScriptTest {
    private static final NetworkRules NET = new NetworkRules(
            "1a2b3c4d5e6f",
            "br-1a2b3c4d5e6f",
            List.of(Cidr.parse("172.18.0.0/16", "s"), Cidr.parse("fd00:1::/64", "s")),
            true,
            false,
            false);

    @Test
    void aNetworkIsOnlyElements() {
        assertEquals("""
                add element inet berth bridges { "br-1a2b3c4d5e6f" }
                add element inet berth loops { "br-1a2b3c4d5e6f" . "br-1a2b3c4d5e6f" }
                add element inet berth subnets4 { 172.18.0.0/16 }
                add element inet berth masq4 { 172.18.0.0/16 }
                add element bridge berth no_icc4 { 172.18.0.0/16 }
                add element inet berth subnets6 { fd00:1::/64 }
                add element inet berth masq6 { fd00:1::/64 }
                add element bridge berth no_icc6 { fd00:1::/64 }
                """, NftScript.addNetwork(NET));
        String internal = NftScript.addNetwork(
                new NetworkRules("k", "br0", List.of(Cidr.parse("10.0.0.0/24", "s")), true, true, true));
        assertTrue(internal.contains("internal { \"br0\" }"));
        assertFalse(internal.contains("masq4"), "internal networks are never masqueraded");
    }

    @Test
    void removingAddsFirstSoAMissingElementIsNoError() {
        String s = NftScript.removeNetwork(NET);
        assertTrue(
                s.startsWith("add element inet berth bridges { \"br-1a2b3c4d5e6f\" }\n"
                        + "delete element inet berth bridges { \"br-1a2b3c4d5e6f\" }\n"),
                s);
    }

    @Test
    void portsAreMapElementsKeyedByProtocolAndPort() {
        assertEquals(
                "create element inet berth ports4 { tcp . 8080 : 172.18.0.2 . 80 }\n",
                NftScript.addPorts(List.of(Topology.port(Protocol.TCP, null, 8080, "172.18.0.2", 80))));
        assertEquals(
                "create element inet berth ports4_ip { 127.0.0.1 . udp . 53 : 172.18.0.2 . 5353 }\n",
                NftScript.addPorts(List.of(Topology.port(Protocol.UDP, "127.0.0.1", 53, "172.18.0.2", 5353))));
        assertEquals(
                "create element inet berth ports6 { sctp . 9 : fd00:1::2 . 9 }\n",
                NftScript.addPorts(List.of(Topology.port(Protocol.SCTP, null, 9, "fd00:1::2", 9))));
        assertEquals(
                "add element inet berth ports4 { tcp . 8080 : 172.18.0.2 . 80 }\ndelete element inet berth ports4 { tcp . 8080 }\n",
                NftScript.removePorts(List.of(Topology.port(Protocol.TCP, null, 8080, "172.18.0.2", 80))));
    }

    @Test
    void aGuardIsOnlyElementsKeyedByItsPort() throws Exception {
        EndpointGuard g = new EndpointGuard(
                "veth1a2b3c4",
                MacAddress.parse("02:42:ac:12:00:02"),
                InetAddress.getByName("172.18.0.2"),
                InetAddress.getByName("fd00:1::2"));
        assertEquals("""
                add element bridge berth guarded { "veth1a2b3c4" }
                add element bridge berth guard_mac { "veth1a2b3c4" . 02:42:ac:12:00:02 }
                add element bridge berth guard4 { "veth1a2b3c4" . 172.18.0.2 }
                add element bridge berth guard6 { "veth1a2b3c4" . fd00:1::2 }
                add element bridge berth guard6 { "veth1a2b3c4" . fe80::42:acff:fe12:2 }
                """, NftScript.addGuards(List.of(g)), "the link-local address is the kernel's EUI-64 of the MAC");
        assertTrue(NftScript.removeGuards(List.of(g))
                .contains("delete element bridge berth guard4 { \"veth1a2b3c4\" . 172.18.0.2 }"));
        assertThrows(
                BerthException.InvalidRequest.class, () -> new EndpointGuard("veth\" accept", g.mac(), null, null));
        String rules = NftScript.init() + NftScript.guardInit();
        for (String line : rules.split("\n")) assertFalse(line.contains("veth"), "no rule names an endpoint: " + line);
    }

    @Test
    void syncDeletesAndRecreatesOnlyBerthsTables() {
        String s = NftScript.sync(List.of(NET), List.of());
        assertTrue(
                s.startsWith(
                        "add table inet berth\ndelete table inet berth\nadd table bridge berth\ndelete table bridge berth\n"),
                s);
        assertFalse(s.contains("flush ruleset"));
        for (String line : s.split("\n"))
            if (line.startsWith("table ") || line.startsWith("add table") || line.startsWith("delete table"))
                assertTrue(line.contains(" berth"), line);
    }

    @Test
    void inputsThatWouldBreakAScriptAreRefused() {
        assertThrows(
                BerthException.InvalidRequest.class,
                () -> new NetworkRules("k", "br0\" accept", List.of(), true, true, false));
        assertThrows(
                BerthException.InvalidRequest.class,
                () -> new NetworkRules("k k", "br0", List.of(), true, true, false));
        assertThrows(
                BerthException.InvalidRequest.class,
                () -> new NetworkRules("k", "a-name-longer-than-15", List.of(), true, true, false));
        assertThrows(BerthException.InvalidRequest.class, () -> Topology.port(Protocol.TCP, null, 0, "10.0.0.2", 80));
        assertThrows(BerthException.InvalidRequest.class, () -> Topology.port(Protocol.TCP, "::1", 80, "10.0.0.2", 80));
        var e = assertThrows(
                BerthException.Conflict.class,
                () -> PortRule.requireDistinct(List.of(
                        Topology.port(Protocol.TCP, null, 80, "10.0.0.2", 80),
                        Topology.port(Protocol.TCP, null, 80, "10.0.0.3", 80))));
        assertTrue(e.getMessage().contains("tcp 0.0.0.0:80"), e.getMessage());
    }
}
