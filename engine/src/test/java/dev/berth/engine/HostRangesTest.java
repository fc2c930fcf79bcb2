package dev.berth.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.model.SubnetConfig;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The host's ranges are kept in memory from rtnetlink's notifications (HostRanges), not read per create:
 * an address or route a user adds by hand just before a create is still avoided, and one removed (also a
 * route the kernel flushes without a notification when its link goes down) is free again.
 */
@ExtendWith(LabExtension.class)
class HostRangesTest {
    @Test
    void rangesChangedByHandAreSeenAtTheNextCreate(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start(); // the default bridge takes 172.17.0.0/16
            assertEquals("172.18.0.0/16", pick(e, "a"));

            l.host.run("ip", "link", "add", "hr0", "up", "type", "veth", "peer", "name", "hr1");
            l.host.run("ip", "addr", "add", "172.19.0.1/16", "dev", "hr0");
            l.host.run("ip", "route", "add", "172.20.0.0/16", "dev", "hr0");
            assertEquals("172.21.0.0/16", pick(e, "b"), "an address and a route added a moment ago are avoided");

            l.host.run("ip", "route", "del", "172.20.0.0/16", "dev", "hr0");
            assertEquals("172.20.0.0/16", pick(e, "c"), "a deleted route frees its range");
            l.host.run("ip", "link", "del", "hr0");
            assertEquals("172.19.0.0/16", pick(e, "d"), "the address went with its link");

            l.host.run("ip", "link", "add", "hr2", "up", "type", "veth", "peer", "name", "hr3");
            l.host.run("ip", "route", "add", "172.22.0.0/16", "dev", "hr2");
            assertEquals("172.23.0.0/16", pick(e, "e"));
            l.host.run("ip", "link", "set", "hr2", "down"); // IPv4 flushes the route, without a notification
            assertEquals(
                    "",
                    l.host.run("ip", "route", "show", "172.22.0.0/16").stdout().strip());
            assertEquals("172.22.0.0/16", pick(e, "f"), "a route flushed silently frees its range");

            e.removeNetwork("a");
            assertEquals("172.18.0.0/16", pick(e, "g"), "a removed network's subnet is free again");
        }
    }

    private static String pick(Engine e, String name) {
        return e.createNetwork(NetworkRequest.bridge(name)).subnets().stream()
                .filter(SubnetConfig::isIpv4)
                .findFirst()
                .orElseThrow()
                .subnet()
                .toString();
    }
}
