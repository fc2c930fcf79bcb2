package dev.berth.engine;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test-sized version of make bench-scale: 100 user networks and 2,000 published ports leave the
 * nftables rule count where one network and one port put it (networks and ports are set and map
 * elements), and a port among 2,000 is reachable from outside.
 */
@ExtendWith(LabExtension.class)
class ScaleTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aHundredNetworksAndTwoThousandPortsAddElementsNotRules(Lab lab) throws Exception {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            e.createNetwork(NetworkRequest.bridge("n1", "10.100.0.0/24"));
            e.createSandbox(SandboxRequest.on("srv", "n1").publishing("8080:80"));
            int[] one = ruleset(l);
            for (int i = 2; i <= 100; i++)
                e.createNetwork(NetworkRequest.bridge(
                        "n" + i, "10." + (100 + (i - 1) / 256) + "." + ((i - 1) % 256) + ".0/24"));
            int[] nets = ruleset(l);
            assertEquals(one[0], nets[0], "99 more networks add no nftables rule");
            assertTrue(nets[1] > one[1], "they are set elements: " + one[1] + " -> " + nets[1]);

            e.createSandbox(SandboxRequest.on("bulk", "n1").publishing("20000-21998:20000-21998"));
            int[] ports = ruleset(l);
            assertEquals(one[0], ports[0], "1,999 more published ports add no nftables rule");
            assertTrue(ports[1] >= nets[1] + 1999, "they are map elements: " + nets[1] + " -> " + ports[1]);

            l.in("bulk").serveTcp(21500, "bulk");
            assertEquals(
                    "bulk from 192.0.2.2",
                    l.ext.tcp("192.0.2.1", 21500),
                    "a port among 2,000 is reachable from outside (DNAT)");

            for (int i = 100; i >= 2; i--) e.removeNetwork("n" + i);
            e.removeSandbox("bulk");
            assertArrayEquals(one, ruleset(l), "removing them gives the ruleset back as it was");
        }
    }

    /** Rules and set/map elements of the engine's namespace. */
    private static int[] ruleset(EngineLab l) throws IOException {
        JsonNode all = JSON.readTree(l.host.run("nft", "-j", "list", "ruleset").stdout())
                .path("nftables");
        int rules = 0, elements = 0;
        for (JsonNode o : all) {
            if (o.has("rule")) rules++;
            for (String k : new String[] {"set", "map"})
                if (o.has(k)) elements += o.get(k).path("elem").size();
        }
        return new int[] {rules, elements};
    }
}
