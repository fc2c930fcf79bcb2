package dev.berth.dns;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.dns.DnsLab.Answer;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.model.Sandbox;
import dev.berth.model.net.IpPrefix;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A sandbox resolves the names of the networks it is on, and only those; never on the default bridge. */
@ExtendWith(LabExtension.class)
class ScopeTest {

    @Test
    void namesStayOnTheirNetworksAndFollowConnectAndDisconnect(Lab lab) {
        try (DnsLab l = new DnsLab(lab)) {
            l.startDns();
            l.engine.createNetwork(NetworkRequest.bridge("red", "10.89.10.0/24"));
            l.engine.createNetwork(NetworkRequest.bridge("blue", "10.89.11.0/24"));
            Sandbox r1 = l.run("r1", "red");
            Sandbox r2 = l.run("r2", "red");
            Sandbox b1 = l.run("b1", "blue");
            Sandbox both = l.run("both", "red");
            l.engine.connect("both", "blue", EndpointRequest.DEFAULT);
            l.refresh();

            assertEquals(List.of(ip(l, r2, "red")), l.dig(r1, "r2", "A").data());
            Answer cross = l.dig(r1, "b1", "A");
            assertEquals(
                    "NXDOMAIN",
                    cross.status(),
                    "b1 is on another network: not local, and upstream knows nothing: " + cross.raw());
            assertTrue(l.upstream1.wasAsked("b1."), "a name from elsewhere is simply forwarded");
            assertEquals("NXDOMAIN", l.dig(b1, "r1", "A").status());
            assertEquals(
                    "NXDOMAIN",
                    l.dig(r1, ip(l, b1, "blue"), "PTR", "-x").status(),
                    "no pointer into a network it is not on");

            assertEquals(List.of(ip(l, r1, "red")), l.dig(both, "r1", "A").data(), "on two networks: sees both");
            assertEquals(List.of(ip(l, b1, "blue")), l.dig(both, "b1", "A").data());
            assertEquals(
                    List.of(ip(l, both, "blue")),
                    l.dig(b1, "both", "A").data(),
                    "and is seen from both, by its address there");
            assertEquals(List.of(ip(l, both, "red")), l.dig(r1, "both", "A").data());

            l.engine.disconnect("r2", "red", false);
            l.refresh();
            assertEquals("NXDOMAIN", l.dig(r1, "r2", "A").status(), "disconnected: the name is gone at once");
            l.engine.connect("r2", "blue", new EndpointRequest(null, null, null, List.of("db")));
            l.refresh();
            assertEquals(
                    List.of(ip(l, r2, "blue")), l.dig(b1, "db", "A").data(), "connect with an alias: there at once");
            assertEquals("NXDOMAIN", l.dig(r1, "db", "A").status());

            l.dns.detach(r1.id());
            l.engine.removeSandbox("r1");
            l.refresh();
            assertEquals("NXDOMAIN", l.dig(both, "r1", "A").status(), "removed: gone");
        }
    }

    @Test
    void theDefaultBridgeHasNoNames(Lab lab) {
        try (DnsLab l = new DnsLab(lab)) {
            l.startDns();
            Sandbox milk = l.run("milk", "bridge");
            Sandbox bread = l.run("bread", "bridge");
            Answer a = l.dig(milk, "bread", "A");
            assertEquals("NXDOMAIN", a.status(), "as Docker: no embedded names on the default bridge: " + a.raw());
            assertTrue(l.upstream1.wasAsked("bread."));
            assertEquals("NXDOMAIN", l.dig(bread, "milk", "A").status());
            assertEquals(
                    List.of("198.51.100.2"), l.dig(milk, "www.example", "A").data(), "but it still resolves the world");
        }
    }

    static String ip(DnsLab l, Sandbox s, String network) {
        String netId = l.engine.network(network).id();
        return IpPrefix.format(l.engine.endpointsOf(s).stream()
                .filter(e -> e.networkId().equals(netId))
                .findFirst()
                .orElseThrow()
                .ipv4());
    }
}
