package dev.berth.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.firewall.Firewall;
import dev.berth.engine.firewall.IptablesFirewall;
import dev.berth.engine.firewall.NftablesFirewall;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.engine.tx.Faults;
import dev.berth.engine.tx.SimulatedCrash;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.model.Endpoint;
import dev.berth.model.Sandbox;
import dev.berth.model.net.IpPrefix;
import dev.berth.netlink.ns.NetnsHandle;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A container that holds NET_ADMIN (a root namespace here) adds a second address, or forges its MAC,
 * and sends to a neighbour on the same bridge: the bridge drops it, with either firewall driver, and
 * the neighbour's own counters (/proc/net/snmp) prove nothing arrived. Its legitimate traffic, ARP
 * probes and IPv6 neighbour discovery still work; a network with {@code berth.anti_spoofing=false}
 * lets the forged traffic through; the elements go with the endpoint, and with a crash.
 */
@ExtendWith(LabExtension.class)
class AntiSpoofingTest {
    private static final String FORGED_MAC = "02:00:00:00:0b:ad";

    @Test
    void nftablesDropsForgedAddressesAndMacs(Lab lab) {
        forgedTrafficIsDropped(lab, NftablesFirewall::new);
    }

    @Test
    void iptablesDropsForgedAddressesAndMacs(Lab lab) {
        forgedTrafficIsDropped(lab, IptablesFirewall::new);
    }

    private static void forgedTrafficIsDropped(Lab lab, Function<NetnsHandle, Firewall> driver) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start(config(l, lab, driver));
            e.createNetwork(NetworkRequest.bridge("guarded", "10.91.0.0/24"));
            int rules = ruleCount(l);
            assertTrue(rules >= 10, "the fixed anti-spoofing rules are there: " + rules);
            Sandbox mallory = e.createSandbox(SandboxRequest.on("mallory", "guarded"));
            Sandbox alice = e.createSandbox(SandboxRequest.on("alice", "guarded"));
            LabHost m = l.in(mallory), a = l.in(alice);
            String aliceIp = ip4(e, alice), malloryIp = ip4(e, mallory);

            assertTrue(m.ping(aliceIp) && a.ping(malloryIp), "legitimate traffic passes both ways");
            assertTrue(m.ping("10.91.0.1"), "and to the gateway");
            assertTrue(
                    m.exec("busybox", "arping", "-D", "-c", "1", "-w", "2", "-I", "eth0", aliceIp)
                            .stdout()
                            .contains("Received 1 response"),
                    "an ARP probe (sender 0.0.0.0) is answered");

            // A second address on eth0, then traffic from it: alice's neighbour entry for mallory exists,
            // so the IPv4 check is what stops it.
            m.ip("addr", "add", "10.91.0.200/24", "dev", "eth0");
            long echoes = counter(a, "Icmp", "InEchos"), datagrams = counter(a, "Udp", "InDatagrams");
            a.serveUdp(7000, "alice");
            assertFalse(
                    m.exec("ping", "-n", "-q", "-c", "2", "-W", "1", "-I", "10.91.0.200", aliceIp)
                            .ok(),
                    "ping from a forged address");
            m.exec("sh", "-c", "printf x | socat -T1 - UDP:" + aliceIp + ":7000,bind=10.91.0.200");
            m.exec("busybox", "arping", "-c", "2", "-w", "2", "-s", "10.91.0.200", "-I", "eth0", aliceIp);
            assertEquals(echoes, counter(a, "Icmp", "InEchos"), "no echo request reached alice");
            assertEquals(datagrams, counter(a, "Udp", "InDatagrams"), "no datagram reached alice");
            assertFalse(
                    a.run("ip", "neigh", "show").stdout().contains("10.91.0.200"),
                    "alice never heard of the forged address");
            assertTrue(m.ping(aliceIp), "mallory's own address still works");
            m.ip("addr", "del", "10.91.0.200/24", "dev", "eth0");

            // A forged source MAC: dropped whatever the addresses say.
            String mac = e.endpointsOf(mallory).getFirst().mac().toString();
            m.ip("link", "set", "eth0", "address", FORGED_MAC);
            echoes = counter(a, "Icmp", "InEchos");
            assertFalse(
                    m.exec("ping", "-n", "-q", "-c", "2", "-W", "1", aliceIp).ok(), "ping with a forged MAC");
            assertEquals(echoes, counter(a, "Icmp", "InEchos"), "no echo request with a forged MAC reached alice");
            m.ip("link", "set", "eth0", "address", mac);
            assertTrue(m.ping(aliceIp), "the real MAC works again");

            // The same forgery on a network that turned anti-spoofing off goes through, as with Docker.
            e.createNetwork(
                    NetworkRequest.bridge("open", "10.92.0.0/24").withOptions(Map.of("berth.anti_spoofing", "false")));
            Sandbox trent = e.createSandbox(SandboxRequest.on("trent", "open")),
                    bob = e.createSandbox(SandboxRequest.on("bob", "open"));
            LabHost t = l.in(trent), b = l.in(bob);
            t.ip("addr", "add", "10.92.0.200/24", "dev", "eth0");
            echoes = counter(b, "Icmp", "InEchos");
            assertTrue(
                    t.exec("ping", "-n", "-q", "-c", "1", "-W", "2", "-I", "10.92.0.200", ip4(e, bob))
                            .ok(),
                    "forged address passes with the option off");
            assertTrue(counter(b, "Icmp", "InEchos") > echoes);
            assertFalse(
                    guarded(l).contains(e.endpointsOf(trent).getFirst().hostIfName()),
                    "no elements for an unguarded network");

            assertEquals(rules, ruleCount(l), "endpoints later, not one rule more (" + rules + ")");

            // Elements come and go with the endpoint.
            String port = e.endpointsOf(mallory).getFirst().hostIfName();
            assertTrue(guarded(l).contains(port));
            Endpoint second = e.connect("alice", "bridge", EndpointRequest.DEFAULT);
            assertTrue(guarded(l).contains(second.hostIfName()), "a connect guards the new port");
            e.disconnect("alice", "bridge", false);
            assertFalse(guarded(l).contains(second.hostIfName()), "a disconnect removes its elements");
            e.removeSandbox("mallory");
            assertFalse(guards(l).contains(port), "nothing of mallory is left");
        }
    }

    @Test
    void ipv6NeighbourDiscoveryWorksAndForgedIpv6IsDropped(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            e.createNetwork(NetworkRequest.bridge("dual", "10.93.0.0/24").withIpv6());
            Sandbox mallory = e.createSandbox(SandboxRequest.on("mallory", "dual")),
                    alice = e.createSandbox(SandboxRequest.on("alice", "dual"));
            LabHost m = l.in(mallory), a = l.in(alice);
            String aliceV6 = IpPrefix.format(e.endpointsOf(alice).getFirst().ipv6());
            String malloryV6 = IpPrefix.format(e.endpointsOf(mallory).getFirst().ipv6());
            assertTrue(
                    m.exec("ping", "-6", "-c", "1", "-W", "3", aliceV6).ok()
                            && a.exec("ping", "-6", "-c", "1", "-W", "3", malloryV6)
                                    .ok(),
                    "IPv6 with neighbour discovery both ways");
            String linkLocal = a.run("ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "link")
                    .stdout()
                    .split("\\s+")[3]
                    .split("/")[0];
            assertTrue(
                    m.exec("ping", "-6", "-c", "1", "-W", "3", linkLocal + "%eth0")
                            .ok(),
                    "link-local addresses derived from the MACs work");

            String forged = malloryV6.substring(0, malloryV6.lastIndexOf(':') + 1) + "bad";
            m.ip("-6", "addr", "add", forged + "/64", "dev", "eth0", "nodad");
            long echoes = counter6(a, "Icmp6InEchos");
            assertFalse(
                    m.exec("ping", "-6", "-c", "2", "-W", "1", "-I", forged, aliceV6)
                            .ok(),
                    "ping from a forged IPv6 address");
            assertEquals(echoes, counter6(a, "Icmp6InEchos"), "no IPv6 echo request reached alice");
            m.ip("-6", "addr", "add", "fe80::bad/64", "dev", "eth0", "nodad");
            assertFalse(
                    m.exec("ping", "-6", "-c", "2", "-W", "1", "-I", "fe80::bad", linkLocal + "%eth0")
                            .ok(),
                    "nor from a link-local address not its MAC's");
            assertEquals(echoes, counter6(a, "Icmp6InEchos"));
            m.ip("-6", "addr", "del", forged + "/64", "dev", "eth0");
            assertTrue(m.exec("ping", "-6", "-c", "1", "-W", "3", aliceV6).ok(), "its own address still works");
        }
    }

    @Test
    void aCrashLeavesNoElementBehindWithNftables(Lab lab) {
        crashLeavesNoElementBehind(lab, NftablesFirewall::new);
    }

    @Test
    void aCrashLeavesNoElementBehindWithIptables(Lab lab) {
        crashLeavesNoElementBehind(lab, IptablesFirewall::new);
    }

    private static void crashLeavesNoElementBehind(Lab lab, Function<NetnsHandle, Firewall> driver) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start(config(l, lab, driver));
            e.createSandbox(SandboxRequest.on("keep", "bridge"));
            String before = guards(l);
            // killed after the guard's elements were added, before the endpoint was finished
            Engine crashing = l.start(config(l, lab, driver).withFaults(p -> {
                if (p.equals("create-sandbox:veth")) throw new SimulatedCrash(p);
            }));
            assertThrows(SimulatedCrash.class, () -> crashing.createSandbox(SandboxRequest.on("lost", "bridge")));
            assertNotEquals(before, guards(l), "the crash left elements");
            Engine revived = l.start(config(l, lab, driver).withFaults(Faults.NONE));
            assertEquals(before, guards(l), "reconcile removed them");
            // a removal killed after the veth went, before its elements did
            String port =
                    revived.endpointsOf(revived.sandbox("keep")).getFirst().hostIfName();
            Engine crashing2 = l.start(config(l, lab, driver).withFaults(p -> {
                if (p.equals("remove-sandbox:unguard")) throw new SimulatedCrash(p);
            }));
            assertThrows(SimulatedCrash.class, () -> crashing2.removeSandbox("keep"));
            assertTrue(guards(l).contains(port));
            l.start(config(l, lab, driver).withFaults(Faults.NONE));
            assertFalse(guards(l).contains(port), "reconcile finished the removal");
        }
    }

    private static EngineConfig config(EngineLab l, Lab lab, Function<NetnsHandle, Firewall> driver) {
        return EngineConfig.of(l.stateDir, l.hostNs, driver).withNetnsPrefix(lab.prefix("sb-"));
    }

    private static String ip4(Engine e, Sandbox s) {
        return IpPrefix.format(e.endpointsOf(s).getFirst().ipv4());
    }

    private static int ruleCount(EngineLab l) {
        String json =
                l.host.run("nft", "-j", "list", "table", "bridge", "berth").stdout();
        return json.split("\"rule\":").length - 1;
    }

    /** The anti-spoofing sets with their elements. */
    private static String guards(EngineLab l) {
        StringBuilder s = new StringBuilder();
        for (String set : List.of("guarded", "guard_mac", "guard4", "guard6"))
            s.append(l.host.run("nft", "list", "set", "bridge", "berth", set).stdout());
        return s.toString();
    }

    private static String guarded(EngineLab l) {
        return l.host.run("nft", "list", "set", "bridge", "berth", "guarded").stdout();
    }

    /** A counter of /proc/net/snmp in the host's namespace, e.g. Icmp InEchos: what really arrived there. */
    private static long counter(LabHost h, String proto, String field) {
        List<String> lines = h.run("cat", "/proc/net/snmp")
                .stdout()
                .lines()
                .filter(x -> x.startsWith(proto + ":"))
                .toList();
        List<String> names = List.of(lines.get(0).split("\\s+")),
                values = List.of(lines.get(1).split("\\s+"));
        return Long.parseLong(values.get(names.indexOf(field)));
    }

    private static long counter6(LabHost h, String field) {
        for (String line : h.run("cat", "/proc/net/snmp6").stdout().split("\n")) {
            String[] w = line.trim().split("\\s+");
            if (w[0].equals(field)) return Long.parseLong(w[1]);
        }
        throw new AssertionError(field + " not in /proc/net/snmp6");
    }
}
