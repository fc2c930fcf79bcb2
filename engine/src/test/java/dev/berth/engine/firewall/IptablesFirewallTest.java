package dev.berth.engine.firewall;

import static dev.berth.engine.firewall.Topology.EXT_IP;
import static dev.berth.engine.firewall.Topology.HOST_IP;
import static dev.berth.engine.firewall.Topology.br0;
import static dev.berth.engine.firewall.Topology.br1;
import static dev.berth.engine.firewall.Topology.port;
import static org.junit.jupiter.api.Assertions.*;

import dev.berth.lab.Commands;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.model.BerthException;
import dev.berth.model.Protocol;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The iptables driver in a lab: the same traffic checks, and the listing iptables users expect. */
@ExtendWith(LabExtension.class)
class IptablesFirewallTest {
    private static final PortRule WEB = port(Protocol.TCP, null, 8080, "10.0.0.2", 80);

    @Test
    void masqueradeDnatIsolationAndDockerLikeListing(Lab lab) {
        String rootBefore = rootTables();
        try (Topology t = Topology.build(lab);
                IptablesFirewall fw = new IptablesFirewall(t.hostNs)) {
            // Someone else's rule and table, to be left alone.
            t.host.run("iptables", "-A", "FORWARD", "-s", "198.51.100.7/32", "-j", "ACCEPT");
            t.host.run("nft", "add table inet other; add chain inet other c { type filter hook input priority 10; }");
            String others = othersRules(t);
            var other = Topology.table(t.host, "inet", "other");

            fw.init();
            fw.init(); // idempotent
            fw.addNetwork(br0(true, true, false));
            fw.addNetwork(br0(true, true, false)); // replaces, does not duplicate
            fw.addNetwork(br1(true, true, false));
            fw.addPorts(List.of(WEB, port(Protocol.UDP, null, 5353, "10.0.0.2", 53)));
            t.serveTcp(t.c1, 80);
            t.serveUdp(t.c1, 53);
            t.serveTcp(t.ext, 7000);
            t.ext.ip("route", "add", "10.0.0.0/24", "via", HOST_IP);

            assertEquals("peer=" + HOST_IP, t.tcp(t.c1, EXT_IP, 7000), "masquerade");
            assertEquals("peer=" + EXT_IP, t.tcp(t.ext, HOST_IP, 8080), "DNAT from ext");
            assertEquals("upeer=" + EXT_IP, t.udp(t.ext, HOST_IP, 5353), "UDP DNAT");
            assertEquals("peer=10.0.0.1", t.tcp(t.c2, HOST_IP, 8080), "hairpin");
            assertEquals("", t.tcp(t.c3, "10.0.0.2", 80), "br1 cannot reach br0");
            assertEquals("", t.tcp(t.ext, "10.0.0.2", 80), "an unpublished container port, even with a route");

            String nat = t.host.run("iptables", "-t", "nat", "-L", "-n").stdout();
            // iptables 1.8.9 prints protocol numbers with -n; older ones print names.
            assertTrue(
                    Pattern.compile(
                                    "DNAT\\s+(tcp|6)\\s+--\\s+0\\.0\\.0\\.0/0\\s+0\\.0\\.0\\.0/0\\s+tcp dpt:8080 to:10\\.0\\.0\\.2:80")
                            .matcher(nat)
                            .find(),
                    nat);
            assertTrue(
                    Pattern.compile("MASQUERADE\\s+(all|0)\\s+--\\s+10\\.0\\.0\\.0/24\\s+0\\.0\\.0\\.0/0")
                            .matcher(nat)
                            .find(),
                    nat);
            assertEquals(
                    1, count(t.host.run("iptables-save").stdout(), "-A BERTH-FORWARD -i br0 "), "one copy per network");

            var e = assertThrows(
                    BerthException.Conflict.class,
                    () -> fw.addPorts(List.of(port(Protocol.TCP, null, 8080, "10.0.0.3", 80))));
            assertTrue(e.getMessage().contains("tcp 0.0.0.0:8080"), e.getMessage());
            fw.removePorts(List.of(WEB));
            assertEquals("", t.tcp(t.ext, HOST_IP, 8080), "unpublished");

            fw.removeNetwork(br1(true, true, false));
            assertFalse(t.host.run("iptables-save").stdout().contains("br1"), "no rule of the removed network is left");
            fw.sync(List.of(br0(true, true, false)), List.of(WEB));
            assertEquals("peer=" + EXT_IP, t.tcp(t.ext, HOST_IP, 8080), "sync re-publishes");

            fw.removeAll();
            String after = t.host.run("iptables-save").stdout();
            assertFalse(after.contains("BERTH"), after);
            assertEquals(others, othersRules(t), "others' iptables rules are untouched");
            assertEquals(other, Topology.table(t.host, "inet", "other"), "others' nft table is untouched");
            fw.removeAll(); // again: no error
        }
        assertEquals(rootBefore, rootTables(), "iptables ran in the lab namespace, not the machine's own");
    }

    /** Read-only look at the root namespace's tables. */
    private static String rootTables() {
        return Commands.run(List.of("nft", "list", "tables")).stdout();
    }

    /** Rule lines (not chain declarations, which carry counters) that are not Berth's. */
    private static String othersRules(Topology t) {
        return String.join(
                "\n",
                t.host.run("iptables-save")
                        .stdout()
                        .lines()
                        .filter(l -> l.startsWith("-A ") && !l.contains("BERTH"))
                        .toList());
    }

    private static int count(String text, String needle) {
        return (int) text.lines().filter(l -> l.startsWith(needle)).count();
    }
}
