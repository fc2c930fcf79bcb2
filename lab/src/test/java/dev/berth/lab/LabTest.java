package dev.berth.lab;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabTest {

    private static List<String> netns() {
        return LabSweeper.namespaces();
    }

    @Test
    void hostsLinkedBySwitchAndVethPingAndEverythingGoesOnClose() {
        String prefix;
        String rootLinksBefore = Commands.run(List.of("ip", "-o", "link")).stdout();
        try (Lab lab = Lab.create()) {
            prefix = Lab.PREFIX + lab.runId() + "-";
            LabHost a = lab.host("a");
            LabHost b = lab.host("b");
            LabHost c = lab.host("c");
            lab.plug(a, "eth0", "192.0.2.1/24");
            lab.plug(b, "eth0", "192.0.2.2/24");
            lab.connect(a, "toc", "198.51.100.1/30", c, "toa", "198.51.100.2/30");
            assertTrue(a.ping("192.0.2.2"), "a reaches b through the underlay switch");
            assertTrue(c.ping("198.51.100.1"), "c reaches a over their direct link");
            assertFalse(c.ping("192.0.2.2"), "c has no route to b");
            assertEquals(4, netns().stream().filter(n -> n.startsWith(prefix)).count());
            assertThrows(LabException.class, () -> lab.host("a"), "roles are unique");
            assertThrows(LabException.class, () -> lab.host("Bad_Role"));
        }
        String p = prefix;
        assertTrue(netns().stream().noneMatch(n -> n.startsWith(p)), "close deletes every namespace of the run");
        assertEquals(
                rootLinksBefore,
                Commands.run(List.of("ip", "-o", "link")).stdout(),
                "the machine's own links never changed");
    }

    @Test
    void processesAreStoppedByPidWhenTheLabCloses() {
        LabProcess p;
        try (Lab lab = Lab.create()) {
            p = lab.host("h").spawn("sleep", "300");
            assertTrue(p.isAlive());
        }
        assertFalse(p.isAlive());
    }

    @Test
    void labsOfDeadRunsAreSweptButLiveOnesAreNot() throws Exception {
        // a stale run: namespace and a record whose owner PID is not alive
        String staleNs = Lab.PREFIX + "dead00-x";
        Commands.run(List.of("ip", "netns", "add", staleNs)).check();
        Files.createDirectories(Lab.REGISTRY);
        Files.writeString(Lab.REGISTRY.resolve("dead00"), "owner 999999999 1\n");
        try (Lab live = Lab.create();
                Lab another = Lab.create()) {
            live.host("h");
            assertFalse(netns().contains(staleNs), "the dead run's namespace is swept");
            assertFalse(Files.exists(Lab.REGISTRY.resolve("dead00")));
            another.host("h");
            assertTrue(
                    netns().contains(Lab.PREFIX + live.runId() + "-h"),
                    "a live run's namespaces survive another lab starting");
        } finally {
            Commands.run(List.of("ip", "netns", "del", staleNs));
        }
    }
}
