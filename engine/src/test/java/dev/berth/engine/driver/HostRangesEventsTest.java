package dev.berth.engine.driver;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.model.Cidr;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.RouteEvents;
import dev.berth.netlink.route.Rtnl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link HostRanges} reads the tables once and follows changes from notifications: an address or route
 * added or removed by hand costs no dump; a link going down (IPv4 flushes its routes without a notification)
 * costs one dump of the routes.
 */
@ExtendWith(LabExtension.class)
class HostRangesEventsTest {
    @Test
    void changesArriveAsNotificationsNotDumps(Lab lab) {
        LabHost h = lab.host("h");
        h.run("ip", "link", "add", "hr0", "up", "type", "veth", "peer", "name", "hr1");
        try (NetnsHandle ns = Netns.open(h.name());
                Rtnl rtnl = Netns.rtnl(ns);
                HostRanges ranges = new HostRanges(rtnl, Netns.call(ns, RouteEvents::open))) {
            assertFalse(ranges.current().contains(cidr("10.9.0.0/16")));
            int dumps = ranges.dumps();
            h.run("ip", "addr", "add", "10.9.0.1/16", "dev", "hr0");
            h.run("ip", "route", "add", "10.10.0.0/16", "dev", "hr0");
            h.run("ip", "-6", "addr", "add", "fd00:9::1/64", "dev", "hr0", "nodad");
            assertTrue(ranges.current().contains(cidr("10.9.0.0/16")), "address added by hand");
            assertTrue(ranges.current().contains(cidr("10.10.0.0/16")), "route added by hand");
            assertTrue(ranges.current().contains(cidr("fd00:9::/64")), "IPv6 address added by hand");
            h.run("ip", "route", "del", "10.10.0.0/16", "dev", "hr0");
            assertFalse(ranges.current().contains(cidr("10.10.0.0/16")), "route deleted by hand");
            assertEquals(dumps, ranges.dumps(), "all of it from notifications");

            h.run("ip", "route", "add", "10.11.0.0/16", "dev", "hr0");
            assertTrue(ranges.current().contains(cidr("10.11.0.0/16")));
            h.run("ip", "link", "set", "hr0", "down");
            assertFalse(ranges.current().contains(cidr("10.11.0.0/16")), "the route went with the link, untold");
            assertTrue(ranges.dumps() > dumps, "a link that went down is a reason to read the routes again");
            assertTrue(ranges.current().contains(cidr("10.9.0.0/16")), "the address stays on a link that is down");
            h.run("ip", "link", "del", "hr0");
            assertFalse(ranges.current().contains(cidr("10.9.0.0/16")), "the address went with the link");
        }
    }

    private static Cidr cidr(String s) {
        return Cidr.parse(s, "test");
    }
}
