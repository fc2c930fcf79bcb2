package dev.berth.netlink;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.model.net.IpPrefix;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.Address;
import dev.berth.netlink.route.Route;
import dev.berth.netlink.route.Rt;
import dev.berth.netlink.route.Rtnl;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LabExtension.class)
class AddressesRoutesTest {

    private static InetAddress ip(String s) {
        return IpPrefix.literal(s, s);
    }

    private static boolean hasAddr(JsonNode addrs, String local, int prefix) {
        for (JsonNode l : addrs)
            for (JsonNode a : l.path("addr_info"))
                if (a.get("local").asText().equals(local) && a.get("prefixlen").asInt() == prefix) return true;
        return false;
    }

    @Test
    void ipv4AndIpv6AddressesAddListDelete(Lab lab) {
        LabHost h = lab.host("h");
        h.ip("link", "add", "e0", "type", "veth", "peer", "name", "e1");
        h.ip("link", "set", "e0", "up");
        try (NetnsHandle ns = Netns.open(h.name());
                Rtnl rt = Netns.rtnl(ns)) {
            int e0 = rt.links().get("e0").index();
            rt.addresses().add(e0, IpPrefix.parse("10.1.2.3/24"));
            rt.addresses().add(e0, IpPrefix.parse("fd00:1::3/64"));

            JsonNode oracle = Oracle.ip(h, "addr", "show", "dev", "e0");
            assertTrue(hasAddr(oracle, "10.1.2.3", 24), oracle.toString());
            assertTrue(hasAddr(oracle, "fd00:1::3", 64), oracle.toString());

            List<Address> mine = rt.addresses().list(e0);
            assertTrue(mine.stream().anyMatch(a -> a.prefix().equals(IpPrefix.parse("10.1.2.3/24"))), mine.toString());
            assertTrue(mine.stream().anyMatch(a -> a.prefix().equals(IpPrefix.parse("fd00:1::3/64"))), mine.toString());
            assertTrue(
                    mine.stream()
                            .filter(a -> !a.prefix().isIpv4()
                                    && a.prefix().length() == 64
                                    && a.prefix().address().getHostAddress().startsWith("fd00"))
                            .allMatch(a -> (a.flags() & Rt.IFA_F_NODAD) != 0),
                    "container IPv6 addresses skip duplicate address detection");

            assertThrows(NetlinkException.Exists.class, () -> rt.addresses().add(e0, IpPrefix.parse("10.1.2.3/24")));

            rt.addresses().delete(e0, IpPrefix.parse("10.1.2.3/24"));
            rt.addresses().delete(e0, IpPrefix.parse("fd00:1::3/64"));
            oracle = Oracle.ip(h, "addr", "show", "dev", "e0");
            assertFalse(hasAddr(oracle, "10.1.2.3", 24));
            assertFalse(hasAddr(oracle, "fd00:1::3", 64));
        }
    }

    @Test
    void routesAddReplaceDeleteWithGatewayOnlinkTableMetricScope(Lab lab) {
        LabHost h = lab.host("h");
        h.ip("link", "add", "e0", "type", "veth", "peer", "name", "e1");
        h.ip("link", "set", "e0", "up");
        h.ip("link", "set", "e1", "up");
        h.ip("addr", "add", "10.9.0.1/24", "dev", "e0");
        try (NetnsHandle ns = Netns.open(h.name());
                Rtnl rt = Netns.rtnl(ns)) {
            int e0 = rt.links().get("e0").index();
            rt.routes().add(Route.defaultVia(ip("10.9.0.254"), e0));
            rt.routes()
                    .add(Route.to(IpPrefix.parse("10.50.0.0/16"), ip("10.9.0.2"), e0)
                            .withMetric(100));
            rt.routes()
                    .add(Route.to(IpPrefix.parse("10.244.3.0/24"), ip("172.31.5.5"), e0)
                            .withOnlink());
            rt.routes().add(Route.to(IpPrefix.parse("10.60.0.0/16"), null, e0).withTable(1000));
            rt.routes().add(Route.to(IpPrefix.parse("fd00:9::/64"), null, e0));

            JsonNode main = Oracle.ip(h, "route", "show");
            assertTrue(main.toString().contains("\"dst\":\"default\",\"gateway\":\"10.9.0.254\""), main.toString());
            JsonNode metric = Oracle.ip(h, "route", "show", "10.50.0.0/16");
            assertEquals("10.9.0.2", metric.get(0).get("gateway").asText());
            assertEquals(100, metric.get(0).get("metric").asInt());
            JsonNode onlink = Oracle.ip(h, "route", "show", "10.244.3.0/24");
            assertEquals("172.31.5.5", onlink.get(0).get("gateway").asText());
            assertTrue(onlink.get(0).get("flags").toString().contains("onlink"));
            JsonNode table = Oracle.ip(h, "route", "show", "table", "1000");
            assertEquals("10.60.0.0/16", table.get(0).get("dst").asText());
            assertEquals("link", table.get(0).get("scope").asText());
            assertEquals(1, Oracle.ip(h, "-6", "route", "show", "fd00:9::/64").size());

            List<Route> dumped = rt.routes().list();
            assertTrue(dumped.stream()
                    .anyMatch(
                            r -> r.isDefault() && !r.ipv6() && ip("10.9.0.254").equals(r.gateway())));
            assertTrue(dumped.stream()
                    .anyMatch(r -> r.table() == 1000 && r.destination().equals(IpPrefix.parse("10.60.0.0/16"))));
            assertTrue(dumped.stream()
                    .anyMatch(r -> r.onlink() && IpPrefix.parse("10.244.3.0/24").equals(r.destination())));

            assertThrows(NetlinkException.Exists.class, () -> rt.routes().add(Route.defaultVia(ip("10.9.0.254"), e0)));
            rt.routes().replace(Route.defaultVia(ip("10.9.0.253"), e0));
            assertEquals(
                    "10.9.0.253",
                    Oracle.ip(h, "route", "show", "default")
                            .get(0)
                            .get("gateway")
                            .asText());

            rt.routes().delete(Route.defaultVia(ip("10.9.0.253"), e0));
            rt.routes()
                    .delete(Route.to(IpPrefix.parse("10.60.0.0/16"), null, e0).withTable(1000));
            assertEquals(0, Oracle.ip(h, "route", "show", "default").size());
            assertEquals(0, Oracle.ip(h, "route", "show", "table", "1000").size());
        }
    }

    @Test
    void unreachableGatewayIsRefusedWithTheKernelsReason(Lab lab) {
        LabHost h = lab.host("h");
        h.ip("link", "add", "e0", "type", "veth", "peer", "name", "e1");
        h.ip("link", "set", "e0", "up");
        try (NetnsHandle ns = Netns.open(h.name());
                Rtnl rt = Netns.rtnl(ns)) {
            int e0 = rt.links().get("e0").index();
            NetlinkException e =
                    assertThrows(NetlinkException.class, () -> rt.routes().add(Route.defaultVia(ip("10.77.0.1"), e0)));
            assertTrue(e.getMessage().startsWith("add route default via 10.77.0.1"), e.getMessage());
            assertNotNull(e.extack(), "the kernel explains the refusal: " + e.getMessage());
        }
    }
}
