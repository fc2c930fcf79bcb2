package dev.berth.netlink;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.Rtnl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LabExtension.class)
class SmokeTest {
    @Test
    void listsLinksOfALabHost(Lab lab) {
        LabHost h = lab.host("h1");
        try (NetnsHandle ns = Netns.open(h.name()); Rtnl rt = Netns.rtnl(ns)) {
            var links = rt.links().list();
            assertEquals(1, links.size(), links.toString());
            assertEquals("lo", links.getFirst().name());
        }
    }
}
