package dev.berth.netlink;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.LinkType;
import dev.berth.netlink.route.Links;
import dev.berth.netlink.route.NewLink;
import dev.berth.netlink.route.Rtnl;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The kernel's refusals arrive as typed exceptions that say what was asked and why it failed. */
@ExtendWith(LabExtension.class)
class ErrorsTest {

    @Test
    void refusalsAreTypedAndTheSocketStaysUsable(Lab lab) {
        LabHost h = lab.host("h");
        try (NetnsHandle ns = Netns.open(h.name());
                Rtnl rt = Netns.rtnl(ns)) {
            rt.links().create(NewLink.of("br0", new LinkType.Bridge()));
            NetlinkException exists = assertThrows(
                    NetlinkException.Exists.class, () -> rt.links().create(NewLink.of("br0", new LinkType.Bridge())));
            assertTrue(exists.getMessage().startsWith("create link br0 (bridge): EEXIST"), exists.getMessage());

            NetlinkException missing = assertThrows(
                    NetlinkException.NotFound.class, () -> rt.links().get("nope0"));
            assertTrue(missing.getMessage().contains("get link nope0"), missing.getMessage());
            assertThrows(NetlinkException.NotFound.class, () -> rt.links().delete("nope0"));
            assertTrue(rt.links().find("nope0").isEmpty());

            // a parent that does not exist: the kernel names the problem in its extended ack
            NetlinkException badParent = assertThrows(
                    NetlinkException.class,
                    () -> rt.links()
                            .create(NewLink.of("mv0", new LinkType.Macvlan(LinkType.MacvlanMode.BRIDGE))
                                    .withParent(9999)));
            assertTrue(badParent.getMessage().contains("create link mv0 (macvlan)"), badParent.getMessage());

            // after all those errors the same socket still answers in step
            assertEquals("br0", rt.links().get("br0").name());
            assertEquals(2, rt.links().list().size());
        }
    }

    @Test
    void batchedRequestsReportTheFirstFailureAfterAllAnswers(Lab lab) {
        LabHost h = lab.host("h");
        try (NetnsHandle ns = Netns.open(h.name());
                Rtnl rt = Netns.rtnl(ns)) {
            var ok1 = new NetlinkSocket.Request(
                    Links.createMessage(NewLink.of("b1", new LinkType.Bridge())), "create b1");
            var dup = new NetlinkSocket.Request(
                    Links.createMessage(NewLink.of("b1", new LinkType.Bridge())), "create b1 again");
            var ok2 = new NetlinkSocket.Request(
                    Links.createMessage(NewLink.of("b2", new LinkType.Bridge())), "create b2");
            NetlinkException e = assertThrows(
                    NetlinkException.Exists.class, () -> rt.socket().requestAll(List.of(ok1, dup, ok2)));
            assertTrue(e.getMessage().startsWith("create b1 again"), e.getMessage());
            assertTrue(Oracle.hasLink(h, "b1"));
            assertTrue(Oracle.hasLink(h, "b2"), "the kernel carried on after the failed one");
            assertEquals("b2", rt.links().get("b2").name(), "answers stayed in step");
        }
    }

    @Test
    void aDumpStillInterruptedAfterTheRetriesIsAnErrorNotAPartialAnswer(Lab lab) {
        LabHost h = lab.host("h");
        try (NetnsHandle ns = Netns.open(h.name());
                Rtnl rt = Netns.rtnl(ns)) {
            NetlinkSocket.simulateInterruptedDumps("list links"::equals);
            try {
                var e = assertThrows(
                        NetlinkException.DumpInterrupted.class, () -> rt.links().list());
                assertEquals(6, e.attempts(), "the first dump and five retries");
                assertTrue(e.getMessage().startsWith("list links: the table changed"), e.getMessage());
                assertDoesNotThrow(() -> rt.addresses().list(), "other dumps are not affected");
            } finally {
                NetlinkSocket.simulateInterruptedDumps(null);
            }
            assertEquals(1, rt.links().list().size(), "a dump that is not interrupted answers again");
        }
    }
}
