package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.ClusterDaemonLab.Host;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * CNI pods in berthd's cluster network: the plugin's network "bridge" is the host's leased subnet, so pods on
 * two hosts (host-gw, static host list) take addresses from their own host's subnet and reach each other with
 * those addresses, unmasqueraded, while traffic leaving the cluster is masqueraded.
 */
@ExtendWith(LabExtension.class)
class CniClusterTest {

    @Test
    void podsOnTwoHostsTakeTheirHostsLeasedSubnetAndReachEachOther(Lab lab) throws Exception {
        Path dir = Files.createTempDirectory("berth-cni-cluster-");
        try (ClusterDaemonLab cl = new ClusterDaemonLab(lab, 2)) {
            Path file = dir.resolve("cluster.json");
            Files.writeString(file, """
                    {"Network": "10.72.0.0/16", "Backend": {"Type": "host-gw"},
                     "Hosts": [{"PublicIP": "192.168.50.1", "Subnet": "10.72.1.0/24"},
                               {"PublicIP": "192.168.50.2", "Subnet": "10.72.2.0/24"}]}""");
            Host h1 = cl.host(1).withFlags("--cluster-static", file.toString(), "--public-ip", "192.168.50.1");
            Host h2 = cl.host(2).withFlags("--cluster-static", file.toString(), "--public-ip", "192.168.50.2");
            ClusterDaemonLab.startAll(List.of(h1, h2));

            LabHost pod1 = lab.host("pod1"), pod2 = lab.host("pod2");
            JsonNode r1 = add(h1, pod1), r2 = add(h2, pod2);
            assertEquals("10.72.1.2/24", r1.get("ips").get(0).get("address").asText(), r1.toString());
            assertEquals("10.72.2.2/24", r2.get("ips").get(0).get("address").asText(), r2.toString());

            pod2.serveTcp(7000, "pod2");
            assertTrue(pod1.ping("10.72.2.2"), "a pod on h1 reaches a pod on h2 by its own address");
            assertEquals(
                    "pod2 from 10.72.1.2", pod1.tcp("10.72.2.2", 7000), "inside the cluster nothing is masqueraded");
            cl.ext.serveTcp(9000, "ext");
            assertEquals(
                    "ext from 192.168.50.1",
                    pod1.tcp(ClusterDaemonLab.EXT_IP, 9000),
                    "leaving the cluster is masqueraded");

            CniPlugin.ok(new CniPlugin(h1.ns, h1.socket).call("DEL", "pod1", pod1, "eth0", config(h1)));
            CniPlugin.ok(new CniPlugin(h2.ns, h2.socket).call("DEL", "pod2", pod2, "eth0", config(h2)));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        }
    }

    private static JsonNode add(Host h, LabHost pod) {
        return CniPlugin.ok(new CniPlugin(h.ns, h.socket).call("ADD", pod.role(), pod, "eth0", config(h)));
    }

    private static String config(Host h) {
        return new CniPlugin(h.ns, h.socket).config("1.1.0", "clusternet", "bridge", "");
    }
}
