package dev.berth.engine.ipam;

import static dev.berth.engine.ipam.Ips.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.berth.model.BerthException;
import dev.berth.model.net.Cidr;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Docker's default pools in order, overlap skipping, the default bridge and the ULA prefix. */
class SubnetPlannerTest {

    @Test
    void ipv4FollowsDockersDefaultOrder() {
        SubnetPlanner planner = new SubnetPlanner("host-1");
        List<Cidr> taken = new ArrayList<>();
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            Cidr c = planner.nextIpv4(taken);
            taken.add(c);
            got.add(c.toString());
        }
        List<String> expected = new ArrayList<>();
        for (int second = 17; second <= 31; second++) expected.add("172." + second + ".0.0/16");
        expected.add("192.168.0.0/20");
        expected.add("192.168.16.0/20");
        assertEquals(expected, got);

        for (int i = 0; i < 14; i++) taken.add(planner.nextIpv4(taken));
        assertEquals(cidr("192.168.240.0/20"), taken.getLast(), "31 pools: 15 /16s and 16 /20s");
        var e = assertThrows(BerthException.Conflict.class, () -> planner.nextIpv4(taken));
        assertEquals(
                "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network",
                e.getMessage());
    }

    @Test
    void hostRoutesAndOtherFamiliesAreConsidered() {
        SubnetPlanner planner = new SubnetPlanner("host-1");
        assertEquals(
                cidr("192.168.0.0/20"),
                planner.nextIpv4(List.of(cidr("172.16.0.0/12"))),
                "a /12 route covers all 172 pools");
        assertEquals(cidr("192.168.16.0/20"), planner.nextIpv4(List.of(cidr("172.16.0.0/12"), cidr("192.168.1.0/24"))));
        assertEquals(cidr("172.20.0.0/16"), planner.nextIpv4(List.of(cidr("172.17.0.0/16"), cidr("172.18.0.0/15"))));
        assertEquals(cidr("172.22.0.0/16"), planner.nextIpv4(List.of(cidr("172.16.0.0/14"), cidr("172.20.0.0/15"))));
        assertEquals(cidr("172.17.0.0/16"), planner.nextIpv4(List.of(cidr("fd00::/8"), cidr("10.0.0.0/8"))));
        assertThrows(BerthException.Conflict.class, () -> planner.nextIpv4(List.of(cidr("128.0.0.0/1"))));
    }

    @Test
    void defaultBridgeIs17UnlessTheHostUsesIt() {
        assertEquals(cidr("172.17.0.0/16"), SubnetPlanner.defaultBridge(List.of()));
        assertEquals(cidr("172.17.0.0/16"), SubnetPlanner.defaultBridge(List.of(cidr("192.168.1.0/24"))));
        assertEquals(cidr("172.18.0.0/16"), SubnetPlanner.defaultBridge(List.of(Cidr.of(ip("172.17.5.1"), 24))));
    }

    @Test
    void customPoolsAreCarvedInOrder() {
        SubnetPlanner planner = new SubnetPlanner(
                List.of(
                        SubnetPlanner.Pool.of("10.10.0.0/22", 24),
                        SubnetPlanner.Pool.of("10.20.0.0/16", 24),
                        SubnetPlanner.Pool.of("fd99::/56", 64)),
                "host-1");
        assertEquals(cidr("10.10.0.0/24"), planner.nextIpv4(List.of()));
        assertEquals(cidr("10.10.2.0/24"), planner.nextIpv4(List.of(cidr("10.10.0.0/23"))));
        assertEquals(cidr("10.20.0.0/24"), planner.nextIpv4(List.of(cidr("10.10.0.0/22"))));
        assertEquals(cidr("10.20.1.0/24"), planner.nextIpv4(List.of(cidr("10.10.0.0/22"), cidr("10.20.0.128/25"))));
        SubnetPlanner wide = new SubnetPlanner(List.of(SubnetPlanner.Pool.of("10.0.0.0/16", 24)), "host-1");
        assertEquals(
                cidr("10.0.6.0/24"),
                wide.nextIpv4(
                        List.of(cidr("10.0.5.0/24"), cidr("10.0.0.0/22"), cidr("10.0.1.0/24"), cidr("10.0.4.0/24"))),
                "taken in any order, nested and adjacent");
        assertEquals(cidr("fd99::/64"), planner.nextIpv6(List.of()));
        assertEquals(cidr("fd99:0:0:1::/64"), planner.nextIpv6(List.of(cidr("fd99::/64"))));
        var e = assertThrows(BerthException.InvalidRequest.class, () -> SubnetPlanner.Pool.of("10.0.0.0/16", 8));
        assertEquals("default-address-pools", e.field());
    }

    @Test
    void aLargePoolWithManyTakenSubnetsIsSkippedByJumps() {
        SubnetPlanner planner = new SubnetPlanner(List.of(SubnetPlanner.Pool.of("10.0.0.0/8", 24)), "h");
        List<Cidr> taken = new ArrayList<>();
        taken.add(cidr("10.0.0.0/9"));
        for (int i = 0; i < 1000; i++) taken.add(cidr("10." + (128 + i / 256) + "." + i % 256 + ".0/24"));
        long start = System.nanoTime();
        assertEquals(cidr("10.131.232.0/24"), planner.nextIpv4(taken));
        assertTrue(System.nanoTime() - start < 2_000_000_000L);
    }

    @Test
    void ipv6UlaIsDeterministicPerSeedAndCarvedIntoSlash64s() {
        Cidr a = SubnetPlanner.ula("host-1");
        assertEquals(a, SubnetPlanner.ula("host-1"), "same seed, same prefix");
        assertNotEquals(a, SubnetPlanner.ula("host-2"));
        assertEquals(48, a.prefix());
        assertTrue(cidr("fd00::/8").contains(a), a.toString());

        SubnetPlanner planner = new SubnetPlanner("host-1");
        Cidr first = planner.nextIpv6(List.of());
        assertEquals(Cidr.of(a.network(), 64), first);
        Cidr second = planner.nextIpv6(List.of(first, cidr("172.17.0.0/16")));
        assertEquals(64, second.prefix());
        assertTrue(a.contains(second));
        assertEquals(a.address(BigInteger.ONE.shiftLeft(64)), second.network());
        assertEquals(List.of(new SubnetPlanner.Pool(a, 64)), planner.ipv6Pools());

        var e = assertThrows(BerthException.Conflict.class, () -> planner.nextIpv6(List.of(a)));
        assertEquals(
                "could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network",
                e.getMessage());
    }
}
