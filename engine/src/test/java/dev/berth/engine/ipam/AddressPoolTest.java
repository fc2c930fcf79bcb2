package dev.berth.engine.ipam;

import static dev.berth.engine.ipam.Ips.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.berth.model.BerthException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Allocation order, reserved addresses, ip-range, cursor, static addresses and restore. */
class AddressPoolTest {

    @Test
    void allocatesInOrderAfterTheGateway() {
        AddressPool pool = new AddressPool(subnet("172.18.0.0/16", "172.18.0.1"));
        assertEquals("172.18.0.2", text(pool.allocate()));
        assertEquals("172.18.0.3", text(pool.allocate()));
        assertEquals("172.18.0.4", text(pool.allocate()));
        assertEquals(3, pool.allocatedCount());
        assertEquals(List.of(ip("172.18.0.2"), ip("172.18.0.3"), ip("172.18.0.4")), pool.allocated());
    }

    @Test
    void withoutGatewayTheFirstHostAddressIsUsable() {
        AddressPool pool = new AddressPool(subnet("10.9.0.0/24", null));
        assertEquals("10.9.0.1", text(pool.allocate()));
    }

    @Test
    void aSlash29IsExhaustedAfterFiveAndNamesTheSubnet() {
        AddressPool pool = new AddressPool(subnet("10.0.0.0/29", "10.0.0.1"));
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) got.add(text(pool.allocate()));
        assertEquals(List.of("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"), got);
        var e = assertThrows(BerthException.Conflict.class, pool::allocate);
        assertEquals("no free address left in 10.0.0.0/29", e.getMessage());

        AddressPool named = new AddressPool(subnet("10.0.0.0/30", "10.0.0.1"), "backend");
        named.allocate();
        var e2 = assertThrows(BerthException.Conflict.class, named::allocate);
        assertEquals("no free address left in 10.0.0.0/30 on network backend", e2.getMessage());
    }

    @Test
    void gatewayBroadcastNetworkAndAuxAreNeverGiven() {
        AddressPool pool = new AddressPool(
                subnet("10.0.0.0/28", "10.0.0.9", null, Map.of("router", "10.0.0.2", "printer", "10.0.0.14")));
        Set<String> got = new HashSet<>();
        while (true) {
            try {
                got.add(text(pool.allocate()));
            } catch (BerthException.Conflict full) {
                break;
            }
        }
        assertEquals(16 - 5, got.size(), "16 addresses less network, broadcast, gateway and two aux");
        for (String never : List.of("10.0.0.0", "10.0.0.15", "10.0.0.9", "10.0.0.2", "10.0.0.14"))
            assertFalse(got.contains(never), never);
        for (String never : List.of("10.0.0.0", "10.0.0.15", "10.0.0.9", "10.0.0.2"))
            assertFalse(pool.isAllocated(ip(never)), never);
    }

    @Test
    void ipv6NeverGivesTheSubnetRouterAnycastButMayGiveTheLastAddress() {
        AddressPool pool = new AddressPool(subnet("fd00:1::/126", "fd00:1::1"));
        assertEquals("fd00:1::2", text(pool.allocate()));
        assertEquals("fd00:1::3", text(pool.allocate()), "IPv6 has no broadcast address");
        assertThrows(BerthException.Conflict.class, pool::allocate);
        var e = assertThrows(
                BerthException.InvalidRequest.class,
                () -> pool.allocate(ip("fd00:1::"), "EndpointConfig.IPAMConfig.IPv6Address"));
        assertEquals(
                "EndpointConfig.IPAMConfig.IPv6Address: fd00:1:: is the subnet-router anycast address of fd00:1::/126",
                e.getMessage());
    }

    @Test
    void tooSmallSubnetsHaveNothingToGive() {
        for (String s : List.of("10.0.0.0/31", "10.0.0.0/32", "fd00::/128")) {
            AddressPool pool = new AddressPool(subnet(s, null));
            assertThrows(BerthException.Conflict.class, pool::allocate, s);
        }
        AddressPool single = new AddressPool(subnet("10.0.0.0/24", "10.0.0.1", "10.0.0.255/32", Map.of()));
        assertThrows(BerthException.Conflict.class, single::allocate, "an ip-range of just the broadcast address");
    }

    @Test
    void ipRangeLimitsDynamicButNotStaticAllocation() {
        AddressPool pool = new AddressPool(subnet("172.20.0.0/16", "172.20.0.1", "172.20.5.0/30", Map.of()));
        assertEquals("172.20.5.0", text(pool.allocate()), "inside the subnet, .5.0 is an ordinary host address");
        assertEquals("172.20.5.1", text(pool.allocate()));
        assertEquals("172.20.5.2", text(pool.allocate()));
        assertEquals("172.20.5.3", text(pool.allocate()));
        var e = assertThrows(BerthException.Conflict.class, pool::allocate);
        assertEquals("no free address left in ip-range 172.20.5.0/30 of 172.20.0.0/16", e.getMessage());

        pool.allocate(ip("172.20.9.9"), "IPv4Address");
        assertTrue(pool.isAllocated(ip("172.20.9.9")));
        assertEquals(5, pool.allocatedCount());
    }

    @Test
    void ipRangeAtTheStartOfTheSubnetSkipsTheNetworkAddress() {
        AddressPool pool = new AddressPool(subnet("172.20.0.0/16", "172.20.0.1", "172.20.0.0/24", Map.of()));
        assertEquals("172.20.0.2", text(pool.allocate()));
    }

    @Test
    void nextFitContinuesAfterTheCursorAndReusesOnlyAfterWrapping() {
        AddressPool pool = new AddressPool(subnet("10.0.0.0/29", "10.0.0.1"));
        for (int i = 0; i < 4; i++) pool.allocate(); // .2 .3 .4 .5
        assertTrue(pool.release(ip("10.0.0.3")));
        assertEquals("10.0.0.6", text(pool.allocate()), "continues after the cursor, not at the hole");
        assertEquals("10.0.0.3", text(pool.allocate()), "wraps around to the hole");
        assertThrows(BerthException.Conflict.class, pool::allocate);
        assertTrue(pool.release(ip("10.0.0.5")));
        assertTrue(pool.release(ip("10.0.0.2")));
        assertEquals("10.0.0.5", text(pool.allocate()), "after .3 the cursor moves on to .5 before .2");
        assertEquals("10.0.0.2", text(pool.allocate()));
    }

    @Test
    void staticAllocationDoesNotMoveTheCursor() {
        AddressPool pool = new AddressPool(subnet("10.0.0.0/24", "10.0.0.1"));
        pool.allocate(ip("10.0.0.100"), "IPv4Address");
        assertEquals("10.0.0.2", text(pool.allocate()));
        pool.allocate(ip("10.0.0.3"), "IPv4Address");
        assertEquals("10.0.0.4", text(pool.allocate()), "skips the static address");
    }

    @Test
    void staticErrorsNameTheFieldAndTheAddress() {
        String field = "EndpointConfig.IPAMConfig.IPv4Address";
        AddressPool pool =
                new AddressPool(subnet("172.18.0.0/16", "172.18.0.1", null, Map.of("dns", "172.18.0.53")), "web");
        pool.allocate(ip("172.18.0.5"), field);

        var inUse = assertThrows(BerthException.Conflict.class, () -> pool.allocate(ip("172.18.0.5"), field));
        assertEquals("address 172.18.0.5 is already in use on network web", inUse.getMessage());
        assertEquals(1, pool.allocatedCount());

        assertInvalid(pool, "172.18.0.1", field + ": 172.18.0.1 is the gateway of 172.18.0.0/16");
        assertInvalid(pool, "172.18.0.0", field + ": 172.18.0.0 is the network address of 172.18.0.0/16");
        assertInvalid(pool, "172.18.255.255", field + ": 172.18.255.255 is the broadcast address of 172.18.0.0/16");
        assertInvalid(
                pool, "172.18.0.53", field + ": 172.18.0.53 is reserved as auxiliary address 'dns' of 172.18.0.0/16");
        assertInvalid(pool, "172.19.0.5", field + ": 172.19.0.5 is not in subnet 172.18.0.0/16");
        assertInvalid(pool, "fd00::5", field + ": fd00::5 is not in subnet 172.18.0.0/16");

        AddressPool unnamed = new AddressPool(subnet("172.18.0.0/16", "172.18.0.1"));
        unnamed.allocate(ip("172.18.0.5"), field);
        var e = assertThrows(BerthException.Conflict.class, () -> unnamed.allocate(ip("172.18.0.5"), field));
        assertEquals("address 172.18.0.5 is already in use in 172.18.0.0/16", e.getMessage());
    }

    private static void assertInvalid(AddressPool pool, String address, String message) {
        var e = assertThrows(
                BerthException.InvalidRequest.class,
                () -> pool.allocate(ip(address), "EndpointConfig.IPAMConfig.IPv4Address"));
        assertEquals("EndpointConfig.IPAMConfig.IPv4Address", e.field());
        assertEquals(message, e.getMessage());
    }

    @Test
    void releaseFreesOnlyWhatWasAllocated() {
        AddressPool pool = new AddressPool(subnet("10.0.0.0/24", "10.0.0.1", null, Map.of("x", "10.0.0.7")));
        InetAddress a = pool.allocate();
        assertTrue(pool.release(a));
        assertFalse(pool.release(a), "twice");
        assertFalse(pool.release(ip("10.0.0.1")), "the gateway stays reserved");
        assertFalse(pool.release(ip("10.0.0.7")), "aux addresses stay reserved");
        assertFalse(pool.release(ip("10.9.0.9")), "outside the subnet");
        assertEquals(0, pool.allocatedCount());
        assertThrows(BerthException.InvalidRequest.class, () -> pool.allocate(ip("10.0.0.1"), "f"));
    }

    @Test
    void restoreMarksUsedIdempotentlyWithoutMovingTheCursor() {
        AddressPool pool = new AddressPool(subnet("10.0.0.0/24", "10.0.0.1"));
        assertTrue(pool.restore(ip("10.0.0.3")));
        assertTrue(pool.restore(ip("10.0.0.50")));
        assertFalse(pool.restore(ip("10.0.0.3")), "idempotent");
        assertEquals(2, pool.allocatedCount());
        assertEquals("10.0.0.2", text(pool.allocate()), "the cursor is still at the start");
        assertEquals("10.0.0.4", text(pool.allocate()));
        assertTrue(pool.isAllocated(ip("10.0.0.50")));
        var e = assertThrows(IllegalArgumentException.class, () -> pool.restore(ip("10.0.0.1")));
        assertTrue(e.getMessage().contains("10.0.0.1 is the gateway"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pool.restore(ip("10.1.0.1")));
    }

    @Test
    void configOutsideTheSubnetIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> new AddressPool(subnet("10.0.0.0/24", "10.1.0.1")));
        assertThrows(
                IllegalArgumentException.class,
                () -> new AddressPool(subnet("10.0.0.0/24", "10.0.0.1", "10.1.0.0/24", Map.of())));
        assertThrows(
                IllegalArgumentException.class,
                () -> new AddressPool(subnet("10.0.0.0/24", "10.0.0.1", null, Map.of("a", "10.1.0.1"))));
    }

    @Test
    void cursorWrapsAtTheEndOfALargeIpv6Range() {
        AddressPool pool = new AddressPool(subnet("fd00::/64", "fd00::1", "fd00::ffff:ffff:ffff:fffc/126", Map.of()));
        assertEquals("fd00::ffff:ffff:ffff:fffc", text(pool.allocate()));
        assertEquals("fd00::ffff:ffff:ffff:fffd", text(pool.allocate()));
        assertEquals("fd00::ffff:ffff:ffff:fffe", text(pool.allocate()));
        pool.release(ip("fd00::ffff:ffff:ffff:fffd"));
        assertEquals("fd00::ffff:ffff:ffff:ffff", text(pool.allocate()), "the last IPv6 address is a host address");
        assertEquals("fd00::ffff:ffff:ffff:fffd", text(pool.allocate()), "then wraps");
        assertThrows(BerthException.Conflict.class, pool::allocate);
    }
}
