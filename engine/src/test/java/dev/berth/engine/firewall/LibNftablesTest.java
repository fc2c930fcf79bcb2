package dev.berth.engine.firewall;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.lab.Commands;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The FFM binding: which namespace a context acts in, and what comes back. */
@ExtendWith(LabExtension.class)
class LibNftablesTest {

    @Test
    void aContextActsInTheNamespaceItWasCreatedInWhicheverThreadRunsIt(Lab lab) {
        String rootBefore = rootTables();
        LabHost a = lab.host("a"), b = lab.host("b");
        try (NetnsHandle na = Netns.open(a.name());
                NetnsHandle nb = Netns.open(b.name());
                LibNftables.Context ctx =
                        Netns.call(na, () -> LibNftables.load().open())) {
            // Run from a thread in b: the socket was opened in a, so the table lands in a.
            LibNftables.Result r = Netns.call(nb, () -> ctx.run("add table inet probe"));
            assertTrue(r.ok(), r.error());
            assertTrue(
                    Topology.tables(a).contains("inet probe"), "the table is in the namespace the context was made in");
            assertFalse(Topology.tables(b).contains("inet probe"), "not in the calling thread's namespace");

            LibNftables.Result list = Netns.call(na, () -> ctx.run("list tables"));
            assertTrue(list.ok());
            assertEquals("table inet probe", list.output().strip(), "output is buffered and returned");
        }
        assertEquals(rootBefore, rootTables(), "the machine's own namespace is untouched");
    }

    @Test
    void failuresReturnNftsMessageAndApplyNothing(Lab lab) {
        LabHost a = lab.host("a");
        try (NetnsHandle na = Netns.open(a.name());
                LibNftables.Context ctx =
                        Netns.call(na, () -> LibNftables.load().open())) {
            LibNftables.Result r = Netns.call(na, () -> ctx.run("add table inet half\nadd chain inet nosuch c\n"));
            assertFalse(r.ok());
            assertTrue(r.error().contains("No such file or directory"), r.error());
            assertFalse(Topology.tables(a).contains("inet half"), "the batch is one transaction: nothing was added");
            r = Netns.call(na, () -> ctx.run("this is not nft"));
            assertFalse(r.ok());
            assertTrue(r.error().contains("syntax error"), r.error());
        }
    }

    /** Read-only look at the root namespace's tables (nft list tables, never a change). */
    private static String rootTables() {
        return Commands.run(List.of("nft", "list", "tables")).stdout();
    }
}
