package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The real docker CLI drives berthd's network API: every common flag, every error, and the kernel agrees. */
@ExtendWith(LabExtension.class)
class DockerNetworkCliTest {

    @Test
    void lifecycleOfAUserDefinedNetwork(Lab lab) {
        try (DaemonLab d = new DaemonLab(lab)) {
            String ls = d.dockerOk("network", "ls");
            assertTrue(ls.startsWith("NETWORK ID     NAME      DRIVER    SCOPE"), ls);
            assertTrue(
                    ls.contains(" bridge    bridge    local")
                            && ls.contains(" host      host      local")
                            && ls.contains(" none      null      local"),
                    ls);

            String id = d.dockerOk(
                            "network",
                            "create",
                            "-d",
                            "bridge",
                            "--subnet",
                            "10.23.0.0/24",
                            "--gateway",
                            "10.23.0.254",
                            "--ip-range",
                            "10.23.0.128/25",
                            "--aux-address",
                            "router=10.23.0.2",
                            "--label",
                            "team=seeds",
                            "-o",
                            "com.docker.network.bridge.name=greatwall0",
                            "greatwall")
                    .trim();
            assertTrue(id.matches("[0-9a-f]{64}"), id);
            JsonNode n = d.inspect("network", "inspect", "greatwall");
            assertEquals(id, n.get("Id").asText());
            assertEquals("bridge", n.get("Driver").asText());
            JsonNode cfg = n.get("IPAM").get("Config").get(0);
            assertEquals("10.23.0.0/24", cfg.get("Subnet").asText());
            assertEquals("10.23.0.254", cfg.get("Gateway").asText());
            assertEquals("10.23.0.128/25", cfg.get("IPRange").asText());
            assertEquals(
                    "10.23.0.2", cfg.get("AuxiliaryAddresses").get("router").asText());
            assertEquals("seeds", n.get("Labels").get("team").asText());
            // the kernel has what inspect says
            assertTrue(d.host.ip("-br", "addr", "show", "greatwall0").stdout().contains("10.23.0.254/24"));

            assertTrue(d.dockerOk("network", "ls", "--filter", "label=team=seeds", "--format", "{{.Name}}")
                    .trim()
                    .equals("greatwall"));
            assertTrue(d.dockerOk("network", "ls", "-q", "--filter", "name=great")
                    .trim()
                    .equals(id.substring(0, 12)));
            assertTrue(d.dockerOk("network", "ls", "--filter", "type=builtin", "--format", "{{.Name}}")
                    .contains("none"));
            assertFalse(d.dockerOk("network", "ls", "--filter", "type=custom", "--format", "{{.Name}}")
                    .contains("none"));
            assertTrue(d.dockerOk("network", "ls", "--no-trunc").contains(id));
            assertTrue(d.dockerOk("network", "ls", "--format", "json").contains("\"Name\":\"greatwall\""));

            d.dockerOk("network", "create", "--internal", "--ipv6", "--attachable", "vault");
            JsonNode v = d.inspect("network", "inspect", "vault");
            assertTrue(v.get("Internal").asBoolean()
                    && v.get("EnableIPv6").asBoolean()
                    && v.get("Attachable").asBoolean());
            assertEquals(2, v.get("IPAM").get("Config").size(), "an IPv4 and an IPv6 subnet: " + v);

            assertEquals(
                    "Deleted Networks:\ngreatwall\nvault",
                    d.dockerOk("network", "prune", "-f").trim());
            assertFalse(d.host.exec("ip", "link", "show", "greatwall0").ok(), "the bridge is gone");
        }
    }

    @Test
    void errorsAreDockersAndChangeNothing(Lab lab) {
        try (DaemonLab d = new DaemonLab(lab)) {
            d.dockerOk("network", "create", "--subnet", "10.24.0.0/24", "alpha");
            String before = d.dockerOk("network", "ls", "--no-trunc");
            String kernelBefore = d.host.ip("-br", "link").stdout();

            expectError(d.docker("network", "create", "alpha"), "network with name alpha already exists");
            expectError(d.docker("network", "create", "--subnet", "10.24.0.0/25", "beta"), "overlap");
            expectError(d.docker("network", "create", "--subnet", "10.25.0.0/33", "gamma"), "Subnet");
            expectError(
                    d.docker("network", "create", "--gateway", "10.26.0.1", "--subnet", "10.27.0.0/24", "delta"),
                    "gateway");
            expectError(
                    d.docker("network", "create", "--gateway", "10.27.0.0", "--subnet", "10.27.0.0/24", "delta"),
                    "Gateway");
            expectError(d.docker("network", "create", "-d", "overlay", "eps"), "driver");
            expectError(d.docker("network", "create", "-o", "com.docker.network.bridge.bogus=1", "zeta"), "bogus");
            expectError(d.docker("network", "rm", "nope"), "network nope not found");
            expectError(d.docker("network", "inspect", "nope"), "nope");
            expectError(d.docker("network", "rm", "bridge"), "pre-defined");
            expectError(d.docker("network", "connect", "alpha", "ghost"), "ghost");
            ExecResult bad = d.host.exec(
                    "curl",
                    "-s",
                    "--unix-socket",
                    d.socket.toString(),
                    "-XPOST",
                    "-H",
                    "Content-Type: application/json",
                    "-d",
                    "{not json",
                    "http://x/v1.50/networks/create");
            assertTrue(bad.stdout().contains("invalid JSON"), bad.stdout());

            assertEquals(before, d.dockerOk("network", "ls", "--no-trunc"));
            assertEquals(kernelBefore, d.host.ip("-br", "link").stdout());
        }
    }

    private static void expectError(ExecResult r, String fragment) {
        assertFalse(r.ok(), "should fail: " + r.command());
        String err = r.stderr().toLowerCase(Locale.ROOT);
        assertTrue(err.contains(fragment.toLowerCase(Locale.ROOT)), r.command() + " -> " + r.stderr());
    }
}
