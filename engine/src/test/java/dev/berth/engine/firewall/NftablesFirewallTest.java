package dev.berth.engine.firewall;

import static dev.berth.engine.firewall.Topology.EXT_IP;
import static dev.berth.engine.firewall.Topology.HOST_IP;
import static dev.berth.engine.firewall.Topology.br0;
import static dev.berth.engine.firewall.Topology.br1;
import static dev.berth.engine.firewall.Topology.port;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.model.BerthException;
import dev.berth.model.Protocol;
import dev.berth.model.net.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The nftables driver in a lab, judged by real traffic and by {@code nft -j list ruleset}. */
@ExtendWith(LabExtension.class)
class NftablesFirewallTest {
    private static final PortRule WEB = port(Protocol.TCP, null, 8080, "10.0.0.2", 80);

    @Test
    void publishedPortsReachTheContainerFromOutsideTheHostAndOtherContainers(Lab lab) {
        try (Topology t = Topology.build(lab);
                NftablesFirewall fw = new NftablesFirewall(t.hostNs)) {
            // 127.0.0.1 -> container needs loopback-sourced packets routed out of the bridge.
            t.host.sysctl("net.ipv4.conf.br0.route_localnet", "1");
            fw.init();
            fw.addNetwork(br0(true, true, false));
            fw.addPorts(List.of(
                    WEB,
                    port(Protocol.UDP, null, 5353, "10.0.0.2", 53),
                    port(Protocol.TCP, "127.0.0.1", 9090, "10.0.0.3", 80),
                    port(Protocol.TCP, HOST_IP, 8081, "10.0.0.3", 80)));
            t.serveTcp(t.c1, 80);
            t.serveTcp(t.c2, 80);
            t.serveUdp(t.c1, 53);
            t.serveTcp(t.ext, 7000);

            assertEquals(
                    "peer=" + HOST_IP, t.tcp(t.c1, EXT_IP, 7000), "outbound traffic leaves with the host's address");
            assertEquals(
                    "peer=" + EXT_IP, t.tcp(t.ext, HOST_IP, 8080), "ext reaches c1:80 and c1 sees the real client");
            assertEquals("peer=" + EXT_IP, t.tcp(t.ext, HOST_IP, 8081), "a port bound to one host address");
            assertEquals("upeer=" + EXT_IP, t.udp(t.ext, HOST_IP, 5353), "UDP is published too");
            assertEquals("peer=" + HOST_IP, t.tcp(t.host, HOST_IP, 8080), "the host reaches its own address:8080");
            assertEquals("peer=10.0.0.1", t.tcp(t.host, "127.0.0.1", 8080), "the host reaches 127.0.0.1:8080");
            assertEquals("peer=10.0.0.1", t.tcp(t.host, "127.0.0.1", 9090), "a 127.0.0.1 port from the host");
            assertEquals("", t.tcp(t.ext, HOST_IP, 9090), "a 127.0.0.1 port is not reachable from ext");
            for (boolean brNetfilter : new boolean[] {false, true}) {
                t.brNetfilter(brNetfilter); // on, br_netfilter bridges the DNAT'd packet instead of routing it
                String mode = brNetfilter ? " (br_netfilter on)" : " (br_netfilter off)";
                assertEquals("peer=10.0.0.1", t.tcp(t.c2, HOST_IP, 8080), "hairpin: c2 -> host:8080 -> c1" + mode);
                assertEquals(
                        "peer=10.0.0.1", t.tcp(t.c1, HOST_IP, 8080), "hairpin to itself: c1 -> host:8080 -> c1" + mode);
                assertEquals("peer=" + EXT_IP, t.tcp(t.ext, HOST_IP, 8080), "from ext" + mode);
            }
            t.brNetfilter(false);

            JsonNode elems = Topology.normalise(t.host.run("nft", "-j", "list", "map", "inet", "berth", "ports4")
                            .stdout())
                    .findValue("elem");
            assertEquals(2, elems.size(), "8080/tcp and 5353/udp are elements of the wildcard map: " + elems);

            fw.removePorts(List.of(WEB));
            assertEquals("", t.tcp(t.ext, HOST_IP, 8080), "unpublished");
            assertEquals("peer=" + EXT_IP, t.tcp(t.ext, HOST_IP, 8081), "the other ports stay");
            fw.removePorts(List.of(WEB)); // removing again is no error
        }
    }

    @Test
    void onlyPublishedPortsEnterEvenWhenExtRoutesToTheContainersOrToLoopback(Lab lab) {
        try (Topology t = Topology.build(lab);
                NftablesFirewall fw = new NftablesFirewall(t.hostNs)) {
            fw.init();
            fw.addNetwork(br0(true, true, false));
            fw.addPorts(List.of(WEB, port(Protocol.TCP, "127.0.0.1", 9090, "10.0.0.3", 80)));
            t.serveTcp(t.c1, 80);
            t.serveTcp(t.c2, 80);
            t.host.spawn("socat", "TCP-LISTEN:5555,bind=127.0.0.1,fork,reuseaddr", "SYSTEM:echo peer=$SOCAT_PEERADDR");
            t.ext.ip("route", "add", "10.0.0.0/24", "via", HOST_IP);
            // Worst case: loopback routing allowed everywhere on the host (as kube-proxy does), and ext sends
            // 127.0.0.1 to the host instead of to itself.
            t.host.sysctl("net.ipv4.conf.all.route_localnet", "1");
            t.ext.sysctl("net.ipv4.conf.all.route_localnet", "1");
            t.ext.ip("rule", "add", "pref", "100", "to", "127.0.0.1/32", "lookup", "100");
            t.ext.ip("rule", "del", "pref", "0");
            t.ext.ip("rule", "add", "pref", "1000", "lookup", "local");
            t.ext.ip("route", "add", "127.0.0.1/32", "via", HOST_IP, "table", "100");

            assertEquals("peer=" + EXT_IP, t.tcp(t.ext, HOST_IP, 8080), "the published port works");
            assertEquals("", t.tcp(t.ext, "10.0.0.2", 80), "the container's port itself is not published");
            assertEquals("", t.tcp(t.ext, "10.0.0.3", 80), "nor is c2's");
            assertFalse(t.ping(t.ext, "10.0.0.2"), "no new connection of any kind enters the bridge");
            assertEquals("", t.tcp(t.ext, "127.0.0.1", 9090), "a 127.0.0.1 port is not reachable from ext");
            assertEquals("", t.tcp(t.ext, "127.0.0.1", 5555), "nor is the host's own loopback service");
            assertEquals("peer=10.0.0.1", t.tcp(t.host, "127.0.0.1", 9090), "the host reaches its 127.0.0.1 port");
            t.serveTcp(t.ext, 7000);
            assertEquals("peer=" + HOST_IP, t.tcp(t.c1, EXT_IP, 7000), "outbound still masqueraded");
        }
    }

    @Test
    void masqueradeOnlyWhenAskedAndInternalNetworksStayInside(Lab lab) {
        try (Topology t = Topology.build(lab);
                NftablesFirewall fw = new NftablesFirewall(t.hostNs)) {
            fw.init();
            fw.addNetwork(br0(false, true, false));
            fw.addNetwork(br1(true, true, true));
            t.serveTcp(t.ext, 7000);
            t.serveTcp(t.c3, 80);
            t.ext.ip("route", "add", "10.0.0.0/24", "via", HOST_IP);
            t.ext.ip("route", "add", "10.1.0.0/24", "via", HOST_IP);

            assertEquals("peer=10.0.0.2", t.tcp(t.c1, EXT_IP, 7000), "masquerade=false: routed with its own address");
            assertEquals("", t.tcp(t.c3, EXT_IP, 7000), "an internal network cannot reach ext");
            assertEquals("", t.tcp(t.ext, "10.1.0.2", 80), "nor be reached from ext");
            assertEquals("", t.tcp(t.c1, "10.1.0.2", 80), "nor from another bridge");
            assertEquals("peer=10.1.0.3", t.tcp(t.c4, "10.1.0.2", 80), "its containers talk to each other");
            assertTrue(t.ping(t.c3, "10.1.0.1"), "and reach their gateway");
        }
    }

    @Test
    void iccOffSeparatesContainersOfABridgeAndBridgesAreIsolated(Lab lab) {
        try (Topology t = Topology.build(lab);
                NftablesFirewall fw = new NftablesFirewall(t.hostNs)) {
            fw.init();
            fw.addNetwork(br0(true, false, false));
            fw.addNetwork(br1(true, true, false));
            fw.addPorts(List.of(WEB));
            t.serveTcp(t.c1, 80);
            for (boolean brNetfilter : new boolean[] {false, true}) {
                t.brNetfilter(brNetfilter);
                String mode = brNetfilter ? " (br_netfilter on)" : " (br_netfilter off)";
                assertFalse(t.ping(t.c1, "10.0.0.3"), "icc=false: c1 cannot ping c2" + mode);
                assertEquals("", t.tcp(t.c2, "10.0.0.2", 80), "icc=false: c2 cannot connect to c1" + mode);
                assertTrue(t.ping(t.c1, "10.0.0.1"), "c1 pings its gateway" + mode);
                assertTrue(t.ping(t.c2, "10.0.0.1"), "c2 pings its gateway" + mode);
                assertTrue(t.ping(t.c3, "10.1.0.3"), "icc=true: c3 pings c4" + mode);
                assertFalse(t.ping(t.c3, "10.0.0.2"), "br1 cannot reach br0" + mode);
                assertFalse(t.ping(t.c1, "10.1.0.2"), "br0 cannot reach br1" + mode);
            }
            t.brNetfilter(false);
            // Routed through the host, a published port stays reachable from the same bridge (as with Docker,
            // br_netfilter would bridge it instead and icc=false would drop it).
            assertEquals("peer=10.0.0.1", t.tcp(t.c2, HOST_IP, 8080), "c2 reaches c1's published port");
            assertEquals("peer=10.0.0.1", t.tcp(t.c3, HOST_IP, 8080), "so does c3 on the other bridge");

            fw.removeNetwork(br0(true, false, false));
            fw.addNetwork(br0(true, true, false));
            assertTrue(t.ping(t.c1, "10.0.0.3"), "icc=true: c1 pings c2");
        }
    }

    @Test
    void ipv6PortsAndMasqueradeWork(Lab lab) {
        try (Topology t = Topology.build(lab);
                NftablesFirewall fw = new NftablesFirewall(t.hostNs)) {
            t.host.sysctl("net.ipv6.conf.all.forwarding", "1");
            t.host.ip("addr", "add", "fd00:b::1/64", "dev", "br0", "nodad");
            t.c1.ip("addr", "add", "fd00:b::2/64", "dev", "eth0", "nodad");
            t.c1.ip("-6", "route", "add", "default", "via", "fd00:b::1");
            t.host.ip("addr", "add", "2001:db8::1/64", "dev", "ext0", "nodad");
            t.ext.ip("addr", "add", "2001:db8::2/64", "dev", "eth0", "nodad");
            fw.init();
            fw.addNetwork(new NetworkRules(
                    "net0",
                    "br0",
                    List.of(Cidr.parse("10.0.0.0/24", "s"), Cidr.parse("fd00:b::/64", "s")),
                    true,
                    true,
                    false));
            fw.addPorts(List.of(port(Protocol.TCP, null, 8080, "fd00:b::2", 80)));
            t.serveTcp6(t.c1, 80);
            t.serveTcp6(t.ext, 7000);
            t.awaitIpv6(t.host, t.c1, t.ext); // neighbour discovery waits for the link-local addresses' DAD

            // socat prints IPv6 peers in full.
            assertEquals(
                    "peer=[2001:0db8:0000:0000:0000:0000:0000:0002]",
                    t.tcp(t.ext, "[2001:db8::1]", 8080),
                    "ext reaches c1 over IPv6");
            assertEquals(
                    "peer=[2001:0db8:0000:0000:0000:0000:0000:0001]",
                    t.tcp(t.c1, "[2001:db8::2]", 7000),
                    "IPv6 leaves masqueraded");
            t.ext.ip("-6", "route", "add", "fd00:b::/64", "via", "2001:db8::1");
            assertEquals("", t.tcp(t.ext, "[fd00:b::2]", 80), "an unpublished IPv6 container port stays closed");
        }
    }

    @Test
    void aPortPublishedTwiceIsAConflictAndChangesNothing(Lab lab) {
        try (Topology t = Topology.build(lab);
                NftablesFirewall fw = new NftablesFirewall(t.hostNs)) {
            fw.init();
            fw.addNetwork(br0(true, true, false));
            fw.addPorts(List.of(WEB, port(Protocol.TCP, HOST_IP, 8081, "10.0.0.2", 81)));
            JsonNode before = Topology.ruleset(t.host);

            var e = assertThrows(
                    BerthException.Conflict.class,
                    () -> fw.addPorts(List.of(
                            port(Protocol.TCP, null, 9000, "10.0.0.3", 90),
                            port(Protocol.TCP, null, 8080, "10.0.0.3", 80))));
            assertTrue(e.getMessage().startsWith("tcp 0.0.0.0:8080 is already published"), e.getMessage());
            e = assertThrows(
                    BerthException.Conflict.class,
                    () -> fw.addPorts(List.of(port(Protocol.TCP, HOST_IP, 8081, "10.0.0.3", 80))));
            assertTrue(e.getMessage().contains("tcp 192.0.2.1:8081"), e.getMessage());
            e = assertThrows(
                    BerthException.Conflict.class,
                    () -> fw.addPorts(List.of(
                            port(Protocol.UDP, null, 7, "10.0.0.3", 7), port(Protocol.UDP, null, 7, "10.0.0.2", 7))));
            assertTrue(e.getMessage().contains("udp 0.0.0.0:7"), e.getMessage());
            assertThrows(
                    BerthException.Failed.class,
                    () -> fw.removePorts(List.of(port(Protocol.TCP, null, 8080, "10.0.0.9", 80))),
                    "unpublishing a key that leads elsewhere");
            assertEquals(before, Topology.ruleset(t.host), "a refused request changed nothing");

            // Other protocols and other host addresses are other keys.
            fw.addPorts(List.of(
                    port(Protocol.UDP, null, 8080, "10.0.0.2", 80),
                    port(Protocol.SCTP, null, 8080, "10.0.0.2", 80),
                    port(Protocol.TCP, HOST_IP, 8080, "10.0.0.3", 80)));
        }
    }

    @Test
    void removeNetworkRestoresTheRulesetAndSyncRepairsADeletedTable(Lab lab) {
        try (Topology t = Topology.build(lab);
                NftablesFirewall fw = new NftablesFirewall(t.hostNs)) {
            fw.init();
            fw.init(); // idempotent
            JsonNode empty = Topology.ruleset(t.host);
            fw.addNetwork(br0(true, false, false));
            fw.addNetwork(br0(true, false, false)); // idempotent
            fw.addNetwork(br1(true, true, true));
            assertNotEquals(empty, Topology.ruleset(t.host));
            fw.removeNetwork(br0(true, false, false));
            fw.removeNetwork(br1(true, true, true));
            assertEquals(empty, Topology.ruleset(t.host), "removeNetwork undoes addNetwork exactly");
            fw.removeNetwork(br1(true, true, true)); // removing again is no error

            fw.addNetwork(br0(true, true, false));
            fw.addPorts(List.of(WEB));
            t.serveTcp(t.c1, 80);
            assertEquals("peer=" + EXT_IP, t.tcp(t.ext, HOST_IP, 8080));
            JsonNode working = Topology.ruleset(t.host);

            t.host.run("nft", "delete", "table", "inet", "berth");
            assertEquals("", t.tcp(t.ext, HOST_IP, 8080), "without Berth's table there is no DNAT");
            var e = assertThrows(
                    BerthException.Failed.class,
                    () -> fw.addPorts(List.of(port(Protocol.TCP, null, 1, "10.0.0.2", 1))));
            assertTrue(e.getMessage().contains("sync()"), e.getMessage());

            fw.sync(List.of(br0(true, true, false)), List.of(WEB));
            assertEquals(working, Topology.ruleset(t.host), "sync writes exactly the same ruleset");
            assertEquals("peer=" + EXT_IP, t.tcp(t.ext, HOST_IP, 8080), "and traffic flows again");
            fw.sync(List.of(), List.of());
            assertEquals(empty, Topology.ruleset(t.host), "sync replaces, never merges");
        }
    }

    @Test
    void otherTablesAreNeverTouched(Lab lab) {
        try (Topology t = Topology.build(lab);
                NftablesFirewall fw = new NftablesFirewall(t.hostNs)) {
            t.host.run("nft", """
                    table ip filter {
                    	chain forward {
                    		type filter hook forward priority filter; policy accept;
                    		ip saddr 198.51.100.7 accept
                    	}
                    }
                    table inet other {
                    	set admins { type ipv4_addr; elements = { 198.51.100.9 } }
                    	chain input {
                    		type filter hook input priority 10; policy accept;
                    		tcp dport 22 ip saddr @admins accept
                    	}
                    }
                    """);
            List<JsonNode> filter = Topology.table(t.host, "ip", "filter"),
                    other = Topology.table(t.host, "inet", "other");
            Runnable untouched = () -> {
                assertEquals(filter, Topology.table(t.host, "ip", "filter"), "someone else's ip filter");
                assertEquals(other, Topology.table(t.host, "inet", "other"), "someone else's inet other");
            };
            fw.init();
            untouched.run();
            fw.addNetwork(br0(true, false, false));
            fw.addPorts(List.of(WEB));
            untouched.run();
            t.serveTcp(t.c1, 80);
            assertEquals("peer=" + EXT_IP, t.tcp(t.ext, HOST_IP, 8080), "Berth works beside them");
            fw.removePorts(List.of(WEB));
            fw.sync(List.of(br0(true, true, false)), List.of(WEB));
            untouched.run();
            fw.removeNetwork(br0(true, true, false));
            fw.removeAll();
            untouched.run();
            assertEquals(
                    List.of("ip filter", "inet other"),
                    Topology.tables(t.host),
                    "removeAll leaves only the others' tables");
            fw.removeAll(); // again: no error
        }
    }
}
