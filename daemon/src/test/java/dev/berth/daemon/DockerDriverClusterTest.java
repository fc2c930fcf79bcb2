package dev.berth.daemon;

import static dev.berth.daemon.DockerDriverProtocolTest.json;
import static dev.berth.daemon.DockerDriverProtocolTest.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.ClusterDaemonLab.Host;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A multi-host network for plain Docker, at the protocol level: two berthds in one cluster (static host list,
 * host-gw) serve the remote driver; each gets the calls dockerd makes for {@code docker network create -d berth
 * --ipam-driver null -o berth.network=bridge} and {@code docker run} on it, and a lab namespace plays the
 * container (dockerd's part of Join done by hand). Berth gives each endpoint an address of its host's leased
 * subnet at CreateEndpoint; the containers reach each other across hosts by those addresses, unmasqueraded.
 * DockerdClusterIT does the same with two real dockerds over VXLAN.
 */
@ExtendWith(LabExtension.class)
class DockerDriverClusterTest {

    @Test
    void dockerNetworksMappedOntoTheClusterBridgeSpanHosts(Lab lab) throws IOException {
        Path dir = Files.createTempDirectory("berth-driver-cluster-");
        try (ClusterDaemonLab cl = new ClusterDaemonLab(lab, 2)) {
            Path file = dir.resolve("cluster.json");
            Files.writeString(file, """
                    {"Network": "10.73.0.0/16", "Backend": {"Type": "host-gw"},
                     "Hosts": [{"PublicIP": "192.168.50.1", "Subnet": "10.73.1.0/24"},
                               {"PublicIP": "192.168.50.2", "Subnet": "10.73.2.0/24"}]}""");
            Path p1 = dir.resolve("h1.sock"), p2 = dir.resolve("h2.sock");
            Host h1 = cl.host(1)
                    .withFlags(
                            "--cluster-static",
                            file.toString(),
                            "--public-ip",
                            "192.168.50.1",
                            "--docker-plugin",
                            p1.toString());
            Host h2 = cl.host(2)
                    .withFlags(
                            "--cluster-static",
                            file.toString(),
                            "--public-ip",
                            "192.168.50.2",
                            "--docker-plugin",
                            p2.toString());
            ClusterDaemonLab.startAll(List.of(h1, h2));
            String nid1 = "c1".repeat(32), nid2 = "c2".repeat(32);

            ExecResult pooled = post(p1, "/NetworkDriver.CreateNetwork", network(nid1, "10.80.0.0/24"));
            assertTrue(
                    pooled.stdout().contains("\"Err\":\"berth.network: Berth gives the addresses of network bridge")
                            && pooled.stdout().contains("--ipam-driver null"),
                    pooled.stdout());
            ExecResult unknown = post(
                    p1,
                    "/NetworkDriver.CreateNetwork",
                    network(nid1, "0.0.0.0/0").replace("\"bridge\"", "\"nosuch\""));
            assertTrue(unknown.stdout().contains("berth.network: Berth has no network nosuch"), unknown.stdout());
            assertEquals(
                    "{}",
                    post(p1, "/NetworkDriver.CreateNetwork", network(nid1, "0.0.0.0/0"))
                            .stdout());
            assertEquals(
                    "{}",
                    post(p1, "/NetworkDriver.CreateNetwork", network(nid1, "0.0.0.0/0"))
                            .stdout(),
                    "a repeated create is fine");
            assertEquals(
                    "{}",
                    post(p2, "/NetworkDriver.CreateNetwork", network(nid2, "0.0.0.0/0"))
                            .stdout());

            LabHost c1 = lab.host("c1"), c2 = lab.host("c2");
            String ip1 = run(h1, p1, nid1, "e1".repeat(32), c1), ip2 = run(h2, p2, nid2, "e2".repeat(32), c2);
            assertEquals("10.73.1.2", ip1, "an address of h1's lease");
            assertEquals("10.73.2.2", ip2, "an address of h2's lease");
            assertEquals(
                    1,
                    h1.inspect("network", "inspect", "bridge").get("Containers").size(),
                    "the endpoint is on Berth's cluster bridge");

            c2.serveTcp(7000, "c2");
            assertTrue(c1.ping(ip2), "a container on h1 reaches one on h2 by its own address");
            assertEquals("c2 from " + ip1, c1.tcp(ip2, 7000), "inside the cluster nothing is masqueraded");
            cl.ext.serveTcp(9000, "ext");
            assertEquals(
                    "ext from 192.168.50.1",
                    c1.tcp(ClusterDaemonLab.EXT_IP, 9000),
                    "leaving the cluster is masqueraded");
            h1.stop();
            assertTrue(c1.ping(ip2), "traffic flows while h1's berthd is down");
            h1.start();
            assertEquals(
                    1,
                    h1.inspect("network", "inspect", "bridge").get("Containers").size(),
                    "the endpoint survives the restart");
            assertTrue(c1.ping(ip2));

            String ep1 = "{\"NetworkID\":\"" + nid1 + "\",\"EndpointID\":\"" + "e1".repeat(32) + "\"}";
            assertEquals("{}", post(p1, "/NetworkDriver.Leave", ep1).stdout());
            assertEquals("{}", post(p1, "/NetworkDriver.DeleteEndpoint", ep1).stdout());
            assertFalse(c1.exec("ip", "link", "show", "eth0").ok(), "Leave takes the interface out");
            assertTrue(
                    h1.inspect("network", "inspect", "bridge").get("Containers").isEmpty(),
                    "and the address goes back");
            assertEquals(
                    "{}",
                    post(p1, "/NetworkDriver.DeleteNetwork", "{\"NetworkID\":\"" + nid1 + "\"}")
                            .stdout());
            assertTrue(h1.docker("network", "inspect", "bridge").ok(), "deleting the Docker network leaves Berth's");
            // the address is free again: the next endpoint on h1 gets it
            assertEquals(
                    "{}",
                    post(p1, "/NetworkDriver.CreateNetwork", network(nid1, "0.0.0.0/0"))
                            .stdout());
            JsonNode again = json(post(p1, "/NetworkDriver.CreateEndpoint", endpoint(nid1, "e3".repeat(32))));
            assertTrue(again.path("Interface").path("Address").asText().startsWith("10.73.1."), again.toString());
            assertEquals(
                    "{}",
                    post(
                                    p1,
                                    "/NetworkDriver.DeleteEndpoint",
                                    "{\"NetworkID\":\"" + nid1 + "\",\"EndpointID\":\"" + "e3".repeat(32) + "\"}")
                            .stdout());
            assertTrue(
                    h1.inspect("network", "inspect", "bridge").get("Containers").isEmpty(),
                    "an endpoint deleted before Join leaves nothing");
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        }
    }

    /** CreateNetwork as dockerd sends it for {@code -o berth.network=bridge}; the null IPAM's pool is 0.0.0.0/0. */
    private static String network(String nid, String pool) {
        return "{\"NetworkID\":\"" + nid + "\",\"Options\":{\"com.docker.network.enable_ipv6\":false,"
                + "\"com.docker.network.generic\":{\"berth.network\":\"bridge\"}},\"IPv4Data\":[{\"AddressSpace\":\"null\",\"Pool\":\""
                + pool
                + "\",\"Gateway\":\"\",\"AuxAddresses\":null}],\"IPv6Data\":[]}";
    }

    private static String endpoint(String nid, String eid) {
        return "{\"NetworkID\":\"" + nid + "\",\"EndpointID\":\"" + eid
                + "\",\"Interface\":{\"Address\":\"\",\"AddressIPv6\":\"\",\"MacAddress\":\"\"}," + "\"Options\":{}}";
    }

    /** CreateEndpoint and Join as dockerd calls them, then dockerd's own part in the container; returns the address Berth gave. */
    private static String run(Host h, Path plugin, String nid, String eid, LabHost ctr) {
        JsonNode created = json(post(plugin, "/NetworkDriver.CreateEndpoint", endpoint(nid, eid)));
        String address = created.path("Interface").path("Address").asText();
        assertTrue(
                address.endsWith("/24")
                        && created.path("Interface").path("MacAddress").asText().length() == 17,
                created.toString());
        assertEquals(
                created.toString(),
                json(post(plugin, "/NetworkDriver.CreateEndpoint", endpoint(nid, eid)))
                        .toString(),
                "a repeated create");
        String join = "{\"NetworkID\":\"" + nid + "\",\"EndpointID\":\"" + eid + "\",\"SandboxKey\":\""
                + ctr.netnsPath() + "\",\"Options\":{}}";
        JsonNode joined = json(post(plugin, "/NetworkDriver.Join", join));
        String src = joined.path("InterfaceName").path("SrcName").asText();
        String gateway = joined.path("Gateway").asText();
        assertTrue(gateway.endsWith(".1"), joined.toString());
        assertEquals(
                joined.toString(),
                json(post(plugin, "/NetworkDriver.Join", join)).toString(),
                "a repeated join");
        h.ns.ip("link", "set", src, "netns", ctr.name());
        ctr.ip("link", "set", src, "name", "eth0");
        ctr.ip("addr", "add", address, "dev", "eth0");
        ctr.ip("link", "set", "eth0", "up");
        ctr.ip("route", "add", "default", "via", gateway);
        return address.substring(0, address.indexOf('/'));
    }
}
