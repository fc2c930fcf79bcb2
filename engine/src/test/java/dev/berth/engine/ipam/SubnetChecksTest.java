package dev.berth.engine.ipam;

import static dev.berth.engine.ipam.Ips.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.model.SubnetConfig;
import dev.berth.model.BerthException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The IPAM.Config validation table: each bad entry is refused naming its field. */
class SubnetChecksTest {

    /** subnet, ip-range, gateway, aux (name=address), expected field, expected message. */
    static Stream<Arguments> badEntries() {
        return Stream.of(
                bad("10.2.0.0/16", null, "10.1.0.1", null, "Gateway", "10.1.0.1 is not in subnet 10.2.0.0/16"),
                bad("10.2.0.0/16", null, "10.2.0.0", null, "Gateway", "10.2.0.0 is the network address of 10.2.0.0/16"),
                bad(
                        "10.2.0.0/16",
                        null,
                        "10.2.255.255",
                        null,
                        "Gateway",
                        "10.2.255.255 is the broadcast address of 10.2.0.0/16"),
                bad(
                        "fd00:2::/64",
                        null,
                        "fd00:2::",
                        null,
                        "Gateway",
                        "fd00:2:: is the subnet-router anycast address of fd00:2::/64"),
                bad("10.2.0.0/16", null, "fd00::1", null, "Gateway", "fd00::1 is IPv6 but subnet 10.2.0.0/16 is IPv4"),
                bad(
                        "fd00:2::/64",
                        null,
                        "10.2.0.1",
                        null,
                        "Gateway",
                        "10.2.0.1 is IPv4 but subnet fd00:2::/64 is IPv6"),
                bad("10.2.0.0/16", null, "10.2.0.999", null, "Gateway", "'10.2.0.999': 999 is not an octet (0..255)"),
                bad(
                        "10.2.0.0/16",
                        "10.3.0.0/24",
                        "10.2.0.1",
                        null,
                        "IPRange",
                        "10.3.0.0/24 is not inside subnet 10.2.0.0/16"),
                bad(
                        "10.2.0.0/24",
                        "10.2.0.0/16",
                        "10.2.0.1",
                        null,
                        "IPRange",
                        "10.2.0.0/16 is not inside subnet 10.2.0.0/24"),
                bad(
                        "10.2.0.0/16",
                        "fd00::/120",
                        "10.2.0.1",
                        null,
                        "IPRange",
                        "fd00::/120 is IPv6 but subnet 10.2.0.0/16 is IPv4"),
                bad(
                        "10.2.0.0/16",
                        "10.2.0.1/24",
                        "10.2.0.1",
                        null,
                        "IPRange",
                        "'10.2.0.1/24' has host bits set; the network is 10.2.0.0/24"),
                bad(
                        "10.2.0.0/16",
                        null,
                        "10.2.0.1",
                        "nas=10.3.0.5",
                        "AuxiliaryAddresses[nas]",
                        "10.3.0.5 is not in subnet 10.2.0.0/16"),
                bad(
                        "10.2.0.0/16",
                        null,
                        "10.2.0.1",
                        "nas=10.2.0.1",
                        "AuxiliaryAddresses[nas]",
                        "10.2.0.1 is the gateway of 10.2.0.0/16"),
                bad(
                        "10.2.0.0/16",
                        null,
                        "10.2.0.1",
                        "nas=fd00::5",
                        "AuxiliaryAddresses[nas]",
                        "fd00::5 is IPv6 but subnet 10.2.0.0/16 is IPv4"),
                bad(
                        "10.2.0.0/31",
                        null,
                        null,
                        null,
                        "Subnet",
                        "10.2.0.0/31 is too small to hold a gateway and a container; use /30 or shorter"),
                bad(
                        "10.2.0.1/32",
                        null,
                        null,
                        null,
                        "Subnet",
                        "10.2.0.1/32 is too small to hold a gateway and a container; use /30 or shorter"),
                bad(
                        "fd00::/127",
                        null,
                        null,
                        null,
                        "Subnet",
                        "fd00::/127 is too small to hold a gateway and a container; use /126 or shorter"),
                bad(
                        "fd00::1/128",
                        null,
                        null,
                        null,
                        "Subnet",
                        "fd00::1/128 is too small to hold a gateway and a container; use /126 or shorter"),
                bad(
                        "10.2.0.0",
                        null,
                        null,
                        null,
                        "Subnet",
                        "'10.2.0.0' is not a CIDR; write it as address/prefix, e.g. 172.20.0.0/16"),
                bad(null, null, "10.2.0.1", null, "Subnet", "a subnet is required when Gateway is given"));
    }

    private static Arguments bad(
            String subnet, String range, String gateway, String aux, String field, String message) {
        Map<String, String> auxMap = aux == null ? Map.of() : Map.of(aux.split("=")[0], aux.split("=")[1]);
        return Arguments.of(subnet, range, gateway, auxMap, "IPAM.Config[3]." + field, message);
    }

    @ParameterizedTest(name = "{5}")
    @MethodSource("badEntries")
    void badEntriesNameTheirField(
            String subnet, String range, String gateway, Map<String, String> aux, String field, String message) {
        var e = assertThrows(
                BerthException.InvalidRequest.class, () -> SubnetChecks.parse(3, subnet, range, gateway, aux));
        assertEquals(field, e.field());
        assertEquals(field + ": " + message, e.getMessage());
    }

    @Test
    void goodEntriesParse() {
        SubnetConfig c = SubnetChecks.parse(0, "10.2.0.0/16", "10.2.5.0/24", "10.2.0.1", Map.of("nas", "10.2.0.9"));
        assertEquals(cidr("10.2.0.0/16"), c.subnet());
        assertEquals(cidr("10.2.5.0/24"), c.ipRange());
        assertEquals(ip("10.2.0.1"), c.gateway());
        assertEquals(Map.of("nas", ip("10.2.0.9")), c.auxAddresses());
        assertNull(SubnetChecks.parse(0, "fd00::/64", "", null, null).gateway());
        assertDoesNotThrow(() -> SubnetChecks.parse(0, "10.2.0.0/30", null, "10.2.0.1", null));
        assertDoesNotThrow(() -> SubnetChecks.parse(0, "fd00::/126", null, "fd00::3", null), "IPv6 has no broadcast");
        assertDoesNotThrow(() -> SubnetChecks.parse(0, "10.2.0.0/16", "10.2.0.0/16", null, null));
    }

    @Test
    void subnetsOfOneRequestMustNotOverlap() {
        List<SubnetConfig> configs = List.of(
                subnet("10.2.0.0/16", "10.2.0.1"),
                subnet("fd00::/64", "fd00::1"),
                subnet("10.2.128.0/24", "10.2.128.1"));
        var e = assertThrows(BerthException.InvalidRequest.class, () -> SubnetChecks.checkAll(configs, List.of()));
        assertEquals("IPAM.Config[2].Subnet", e.field());
        assertEquals("IPAM.Config[2].Subnet: 10.2.128.0/24 overlaps IPAM.Config[0].Subnet 10.2.0.0/16", e.getMessage());
    }

    @Test
    void subnetsOverlappingOtherNetworksConflictWithDockersText() {
        List<SubnetConfig> configs = List.of(subnet("10.2.0.0/16", "10.2.0.1"), subnet("fd00::/64", "fd00::1"));
        var e = assertThrows(
                BerthException.Conflict.class,
                () -> SubnetChecks.checkAll(configs, List.of(cidr("172.17.0.0/16"), cidr("10.0.0.0/8"))));
        assertEquals("Pool overlaps with other one on this address space", e.getMessage());
        assertDoesNotThrow(
                () -> SubnetChecks.checkAll(configs, List.of(cidr("172.17.0.0/16"), cidr("fd00:0:0:1::/64"))));
    }

    @Test
    void checkAllChecksEachEntryWithItsIndex() {
        List<SubnetConfig> configs = List.of(subnet("10.2.0.0/16", "10.2.0.1"), subnet("10.3.0.0/16", "10.2.0.1"));
        var e = assertThrows(BerthException.InvalidRequest.class, () -> SubnetChecks.checkAll(configs, List.of()));
        assertEquals("IPAM.Config[1].Gateway: 10.2.0.1 is not in subnet 10.3.0.0/16", e.getMessage());
    }
}
