package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * berthd's Docker remote network driver, driven with the calls and bodies libnetwork's remote driver sends
 * (the order dockerd uses for docker network create, docker run -p and docker rm), on the plugin socket
 * of a real berthd in a lab; a lab namespace plays the container's. DockerdDriverIT does the same with a
 * real dockerd.
 */
@ExtendWith(LabExtension.class)
class DockerDriverProtocolTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NID = "a1".repeat(32), EID = "e5".repeat(32);

    @Test
    void networkEndpointJoinLeaveAsDockerdCallsThem(Lab lab) throws IOException {
        Path pluginDir = Files.createTempDirectory("berth-plugins-");
        Path plugin = pluginDir.resolve("berth.sock");
        try (DaemonLab d = new DaemonLab(lab, "--docker-plugin", plugin.toString())) {
            assertEquals(
                    "{\"Implements\":[\"NetworkDriver\"]}",
                    post(plugin, "/Plugin.Activate", "").stdout());
            assertEquals(
                    "local",
                    json(post(plugin, "/NetworkDriver.GetCapabilities", ""))
                            .get("Scope")
                            .asText());

            String create = "{\"NetworkID\":\"" + NID + "\",\"Options\":{\"com.docker.network.enable_ipv6\":false,"
                    + "\"com.docker.network.generic\":{}},\"IPv4Data\":[{\"AddressSpace\":\"LocalDefault\",\"Pool\":\"10.31.0.0/24\","
                    + "\"Gateway\":\"10.31.0.1/24\",\"AuxAddresses\":null}],\"IPv6Data\":[]}";
            assertEquals(
                    "{}", post(plugin, "/NetworkDriver.CreateNetwork", create).stdout());
            assertEquals(
                    "{}", post(plugin, "/NetworkDriver.CreateNetwork", create).stdout(), "a repeated create is fine");
            JsonNode net = d.inspect("network", "inspect", "docker-" + NID.substring(0, 12));
            assertEquals(
                    "10.31.0.0/24",
                    net.get("IPAM").get("Config").get(0).get("Subnet").asText());
            assertEquals(
                    NID, net.get("Labels").get("dev.berth.docker.network-id").asText());

            String ep = "{\"NetworkID\":\"" + NID + "\",\"EndpointID\":\"" + EID
                    + "\",\"Interface\":{\"Address\":\"10.31.0.2/24\","
                    + "\"AddressIPv6\":\"\",\"MacAddress\":\"\"},\"Options\":{\"com.docker.network.endpoint.exposedports\":[{\"Proto\":6,\"Port\":80}],"
                    + "\"com.docker.network.portmap\":[{\"Proto\":6,\"IP\":\"\",\"Port\":80,\"HostIP\":\"\",\"HostPort\":8080,\"HostPortEnd\":8080}]}}";
            JsonNode created = json(post(plugin, "/NetworkDriver.CreateEndpoint", ep));
            String mac = created.get("Interface").get("MacAddress").asText();
            assertTrue(mac.matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}"), created.toString());
            assertFalse(created.get("Interface").has("Address"), "an address Docker gave must not come back");

            LabHost ctr = lab.host("ctr");
            ctr.ip(
                    "link", "add", "eth0", "type", "veth", "peer", "name",
                    "dockers"); // dockerd's own interface of another network
            String join = "{\"NetworkID\":\"" + NID + "\",\"EndpointID\":\"" + EID + "\",\"SandboxKey\":\""
                    + ctr.netnsPath() + "\",\"Options\":{}}";
            JsonNode joined = json(post(plugin, "/NetworkDriver.Join", join));
            assertEquals("eth", joined.get("InterfaceName").get("DstPrefix").asText(), joined.toString());
            assertEquals("10.31.0.1", joined.get("Gateway").asText(), "the gateway dockerd routes through");
            String src = joined.get("InterfaceName").get("SrcName").asText();
            String left = d.host.ip("link", "show", src).stdout();
            assertTrue(
                    left.contains(mac) && left.contains("state DOWN"),
                    "the container end waits in the host, down, with the MAC: " + left);
            // what dockerd does next: move it into the container, name it, address it, route through the gateway
            d.host.ip("link", "set", src, "netns", ctr.name());
            ctr.ip("link", "set", src, "name", "eth1");
            ctr.ip("addr", "add", "10.31.0.2/24", "dev", "eth1");
            ctr.ip("link", "set", "eth1", "up");
            ctr.ip("route", "add", "default", "via", "10.31.0.1");
            assertTrue(ctr.ping("10.31.0.1"));
            ctr.serveTcp(80, "ctr");
            assertTrue(
                    d.ext.tcp("192.0.2.1", 8080).startsWith("ctr"),
                    "the port from CreateEndpoint's portmap answers from outside");
            JsonNode info = json(post(
                    plugin,
                    "/NetworkDriver.EndpointOperInfo",
                    "{\"NetworkID\":\"" + NID + "\",\"EndpointID\":\"" + EID + "\"}"));
            assertEquals(src, info.get("Value").get("berth.interface").asText(), info.toString());
            assertEquals(
                    1,
                    d.inspect("network", "inspect", "docker-" + NID.substring(0, 12))
                            .get("Containers")
                            .size());

            d.stop();
            assertFalse(Files.exists(plugin), "the plugin socket goes with berthd");
            d.start();
            JsonNode again = json(post(plugin, "/NetworkDriver.Join", join));
            assertEquals(
                    src,
                    again.path("InterfaceName").path("SrcName").asText(),
                    "a repeated join after a restart: " + again + "\n" + d.log());
            assertTrue(
                    d.ext.tcp("192.0.2.1", 8080).startsWith("ctr"),
                    "the endpoint survives the restart where dockerd put it");

            String leave = "{\"NetworkID\":\"" + NID + "\",\"EndpointID\":\"" + EID + "\"}";
            assertEquals("{}", post(plugin, "/NetworkDriver.Leave", leave).stdout());
            assertFalse(ctr.exec("ip", "link", "show", "eth1").ok(), "Leave takes Berth's interface out");
            assertTrue(ctr.exec("ip", "link", "show", "eth0").ok(), "and only Berth's");
            assertFalse(d.host.run("nft", "list", "ruleset").stdout().contains("8080"), "and its port");
            assertEquals(
                    "{}", post(plugin, "/NetworkDriver.DeleteEndpoint", leave).stdout());
            assertEquals(
                    "{}",
                    post(plugin, "/NetworkDriver.DeleteNetwork", "{\"NetworkID\":\"" + NID + "\"}")
                            .stdout());
            assertFalse(d.docker("network", "inspect", "docker-" + NID.substring(0, 12))
                    .ok());
            assertEquals(
                    "{}",
                    post(plugin, "/NetworkDriver.DeleteNetwork", "{\"NetworkID\":\"" + NID + "\"}")
                            .stdout(),
                    "idempotent");

            ExecResult unknown = post(plugin, "/NetworkDriver.AllocateNetwork", "{}");
            assertTrue(
                    unknown.stdout().contains("page not found"),
                    "calls Berth does not implement are 404: " + unknown.stdout());
            ExecResult bad = post(plugin, "/NetworkDriver.CreateNetwork", "{\"NetworkID\":\"x\"}");
            assertTrue(bad.stdout().contains("\"Err\":\"NetworkID: 'x' is not a Docker id"), bad.stdout());
            ExecResult unknownEp = post(plugin, "/NetworkDriver.Join", join);
            assertTrue(unknownEp.stdout().contains("\"Err\""), unknownEp.stdout());
        } finally {
            Files.deleteIfExists(plugin);
            Files.deleteIfExists(pluginDir);
        }
    }

    /** {@code docker network create --ipv6}: both families' pools, both addresses at CreateEndpoint, both gateways at Join. */
    @Test
    void dualStackNetworkAsDockerdCreatesIt(Lab lab) throws IOException {
        Path pluginDir = Files.createTempDirectory("berth-plugins-");
        Path plugin = pluginDir.resolve("berth.sock");
        String nid = "b6".repeat(32), eid = "e6".repeat(32);
        try (DaemonLab d = new DaemonLab(lab, "--docker-plugin", plugin.toString())) {
            String create = "{\"NetworkID\":\"" + nid
                    + "\",\"Options\":{\"com.docker.network.enable_ipv6\":true,\"com.docker.network.generic\":{}},"
                    + "\"IPv4Data\":[{\"AddressSpace\":\"LocalDefault\",\"Pool\":\"10.33.0.0/24\",\"Gateway\":\"10.33.0.1/24\",\"AuxAddresses\":null}],"
                    + "\"IPv6Data\":[{\"AddressSpace\":\"LocalDefault\",\"Pool\":\"fd00:33::/64\",\"Gateway\":\"fd00:33::1/64\",\"AuxAddresses\":null}]}";
            assertEquals(
                    "{}", post(plugin, "/NetworkDriver.CreateNetwork", create).stdout());
            JsonNode config = d.inspect("network", "inspect", "docker-" + nid.substring(0, 12))
                    .get("IPAM")
                    .get("Config");
            assertEquals(2, config.size(), config.toString());
            assertEquals("fd00:33::1", config.get(1).get("Gateway").asText(), config.toString());

            String ep = "{\"NetworkID\":\"" + nid + "\",\"EndpointID\":\"" + eid
                    + "\",\"Interface\":{\"Address\":\"10.33.0.2/24\","
                    + "\"AddressIPv6\":\"fd00:33::2/64\",\"MacAddress\":\"02:42:0a:21:00:02\"},\"Options\":{}}";
            assertEquals(
                    "{}",
                    post(plugin, "/NetworkDriver.CreateEndpoint", ep).stdout(),
                    "Docker gave the MAC: nothing to answer");
            LabHost ctr = lab.host("ctr6");
            String join = "{\"NetworkID\":\"" + nid + "\",\"EndpointID\":\"" + eid + "\",\"SandboxKey\":\""
                    + ctr.netnsPath() + "\",\"Options\":{}}";
            JsonNode joined = json(post(plugin, "/NetworkDriver.Join", join));
            assertEquals("10.33.0.1", joined.get("Gateway").asText(), joined.toString());
            assertEquals("fd00:33::1", joined.get("GatewayIPv6").asText(), joined.toString());
            String src = joined.get("InterfaceName").get("SrcName").asText();
            d.host.ip("link", "set", src, "netns", ctr.name());
            ctr.ip("link", "set", src, "name", "eth0");
            ctr.ip("addr", "add", "10.33.0.2/24", "dev", "eth0");
            ctr.ip("-6", "addr", "add", "fd00:33::2/64", "dev", "eth0", "nodad");
            ctr.ip("link", "set", "eth0", "up");
            ctr.ip("-6", "route", "add", "default", "via", "fd00:33::1");
            assertTrue(
                    ctr.exec("ping", "-6", "-c", "1", "-W", "3", "fd00:33::1").ok(),
                    "the container reaches its IPv6 gateway on Berth's bridge");
            assertTrue(ctr.ping("10.33.0.1"));
            String leave = "{\"NetworkID\":\"" + nid + "\",\"EndpointID\":\"" + eid + "\"}";
            assertEquals("{}", post(plugin, "/NetworkDriver.Leave", leave).stdout());
            assertEquals(
                    "{}", post(plugin, "/NetworkDriver.DeleteEndpoint", leave).stdout());
            assertEquals(
                    "{}",
                    post(plugin, "/NetworkDriver.DeleteNetwork", "{\"NetworkID\":\"" + nid + "\"}")
                            .stdout());
        } finally {
            Files.deleteIfExists(plugin);
            Files.deleteIfExists(pluginDir);
        }
    }

    /** One call as dockerd's plugin client makes it (a POST with a JSON body); returns the answer's body. */
    static ExecResult post(Path socket, String path, String body) {
        return Commands.run(
                List.of(
                        "curl",
                        "-sS",
                        "--unix-socket",
                        socket.toString(),
                        "-X",
                        "POST",
                        "-H",
                        "Content-Type: application/vnd.docker.plugins.v1.2+json",
                        "--data-binary",
                        "@-",
                        "http://plugin" + path),
                Duration.ofSeconds(30),
                body);
    }

    static JsonNode json(ExecResult r) {
        try {
            return JSON.readTree(r.stdout());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + r.stdout() + r.stderr(), e);
        }
    }
}
