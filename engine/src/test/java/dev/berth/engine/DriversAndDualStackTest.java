package dev.berth.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.firewall.IptablesFirewall;
import dev.berth.engine.model.Network;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.model.Endpoint;
import dev.berth.model.Sandbox;
import dev.berth.model.net.IpPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LabExtension.class)
class DriversAndDualStackTest {

    @Test
    void theIptablesDriverShowsDnatAsTheSeedsDo(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start(
                    EngineConfig.of(l.stateDir, l.hostNs, IptablesFirewall::new).withNetnsPrefix(lab.prefix("sb-")));
            Sandbox coffee =
                    e.createSandbox(SandboxRequest.on("coffee", "bridge").publishing("8080:80"));
            l.in(coffee).serveTcp(80, "coffee");
            assertNotNull(l.ext.tcp("192.0.2.1", 8080), "published port answers from outside");
            l.ext.serveTcp(9000, "ext");
            assertEquals("ext from 192.0.2.1", l.in(coffee).tcp("192.0.2.2", 9000), "masqueraded on the way out");
            String nat = l.host.run("iptables", "-t", "nat", "-L", "-n").stdout();
            String ip = IpPrefix.format(e.endpointsOf(coffee).getFirst().ipv4());
            assertTrue(nat.contains("MASQUERADE") && nat.contains("172.17.0.0/16"), nat);
            assertTrue(
                    nat.matches("(?s).*DNAT\\s+(tcp|6)\\s+--\\s+0\\.0\\.0\\.0/0\\s+0\\.0\\.0\\.0/0\\s+tcp dpt:8080 to:"
                            + ip.replace(".", "\\.") + ":80.*"),
                    nat);
            e.removeSandbox("coffee");
            assertFalse(l.host.run("iptables", "-t", "nat", "-L", "-n").stdout().contains("dpt:8080"));
        }
    }

    @Test
    void dualStackNetworksGiveBothFamilies(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            Network n = e.createNetwork(
                    NetworkRequest.bridge("dual", "10.80.0.0/24").withIpv6());
            assertNotNull(n.ipv6Subnet());
            assertTrue(n.ipv6Subnet().subnet().toString().startsWith("fd"), "a ULA /64 from the host's /48");
            assertEquals(64, n.ipv6Subnet().subnet().prefix());
            Sandbox a = e.createSandbox(SandboxRequest.on("a6", "dual"));
            Sandbox b = e.createSandbox(SandboxRequest.on("b6", "dual"));
            Endpoint eb = e.endpointsOf(b).getFirst();
            assertNotNull(eb.ipv6());
            String v6 = IpPrefix.format(eb.ipv6());
            assertTrue(l.in(a).exec("ping", "-6", "-c", "1", "-W", "2", v6).ok(), "IPv6 between containers");
            assertTrue(
                    l.in(a)
                            .exec(
                                    "ping",
                                    "-6",
                                    "-c",
                                    "1",
                                    "-W",
                                    "2",
                                    IpPrefix.format(n.ipv6Subnet().gateway()))
                            .ok(),
                    "and to the gateway");
            assertTrue(l.in(a)
                    .run("ip", "-6", "route", "show", "default")
                    .stdout()
                    .contains("via " + IpPrefix.format(n.ipv6Subnet().gateway())));
            assertTrue(l.in(a).ping(IpPrefix.format(eb.ipv4())), "and IPv4 too");
        }
    }
}
