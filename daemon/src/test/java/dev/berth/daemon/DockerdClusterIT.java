package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.daemon.ClusterDaemonLab.Host;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Multi-host networks for plain Docker (no swarm): two lab hosts, each with its own berthd in one cluster
 * (etcd, VXLAN) and its own dockerd (Debian's docker.io 20.10) using that berthd's driver. On each, {@code
 * docker network create -d berth-RUN-hN --ipam-driver null -o berth.network=bridge cnet} maps a Docker network
 * onto Berth's cluster bridge; containers take addresses of their host's lease and reach each other across the
 * hosts by those addresses, unmasqueraded. Run by {@code scripts/test-docker-driver.sh}.
 */
@ExtendWith(LabExtension.class)
class DockerdClusterIT {

    @Test
    void containersOfTwoDockerdsOnTwoHostsReachEachOther(Lab lab) throws IOException {
        Path p1 = Path.of("/run/docker/plugins", "berth-" + lab.runId() + "-h1.sock");
        Path p2 = Path.of("/run/docker/plugins", "berth-" + lab.runId() + "-h2.sock");
        try (ClusterDaemonLab cl = new ClusterDaemonLab(lab, 2)) {
            cl.startEtcd();
            cl.putConfig(
                    ClusterDaemonLab.PREFIX,
                    "{\"Network\":\"10.74.0.0/16\",\"SubnetLen\":24,\"Backend\":{\"Type\":\"vxlan\"}}");
            Host h1 = cl.host(1).etcd("--docker-plugin", p1.toString());
            Host h2 = cl.host(2).etcd("--docker-plugin", p2.toString());
            ClusterDaemonLab.startAll(List.of(h1, h2));
            try (DockerdLab d1 = new DockerdLab(lab, h1.ns);
                    DockerdLab d2 = new DockerdLab(lab, h2.ns)) {
                d1.importBusybox();
                d2.importBusybox();
                String refused = d1.docker("network", "create", "-d", driver(p1), "-o", "berth.network=bridge", "bad")
                        .stderr();
                assertTrue(
                        refused.contains("--ipam-driver null"),
                        "Docker's own IPAM is refused with the way out: " + refused);
                for (var d : List.of(d1, d2))
                    d.dockerOk(
                            "network",
                            "create",
                            "-d",
                            driver(d == d1 ? p1 : p2),
                            "--ipam-driver",
                            "null",
                            "-o",
                            "berth.network=bridge",
                            "cnet");

                d1.dockerOk("run", "-d", "--name", "ca", "--network", "cnet", "busybox", "sleep", "600");
                d2.dockerOk(
                        "run",
                        "-d",
                        "--name",
                        "cb",
                        "--network",
                        "cnet",
                        "busybox",
                        "sh",
                        "-c",
                        "sleep 600 | nc -l -p 7000");
                String ipA = ip(d1, "ca"), ipB = ip(d2, "cb");
                assertTrue(ipA.startsWith(prefixOf(lease(h1))), ipA + " is in h1's lease " + lease(h1));
                assertTrue(ipB.startsWith(prefixOf(lease(h2))), ipB + " is in h2's lease " + lease(h2));
                assertEquals(
                        "1450",
                        d1.dockerOk("exec", "ca", "cat", "/sys/class/net/eth0/mtu")
                                .trim(),
                        "the VXLAN MTU");

                assertTrue(
                        d1.docker("exec", "ca", "ping", "-c", "1", "-W", "3", ipB)
                                .ok(),
                        "h1's container reaches h2's by its address");
                assertTrue(
                        d2.docker("exec", "cb", "ping", "-c", "1", "-W", "3", ipA)
                                .ok(),
                        "and back");
                d1.dockerOk("exec", "-d", "ca", "sh", "-c", "sleep 20 | nc " + ipB + " 7000");
                String conns = "";
                for (int i = 0; i < 50 && !conns.contains(ipA + ":"); i++) {
                    ClusterDaemonLab.sleep(100);
                    conns = d2.dockerOk("exec", "cb", "netstat", "-tn");
                }
                assertTrue(conns.contains(ipA + ":"), "h2's container sees h1's own address (no masquerade): " + conns);
                assertEquals(
                        1,
                        h1.inspect("network", "inspect", "bridge")
                                .get("Containers")
                                .size(),
                        "Berth shows Docker's container");

                d1.dockerOk("rm", "-f", "ca");
                d2.dockerOk("rm", "-f", "cb");
                for (Host h : List.of(h1, h2))
                    assertTrue(
                            h.inspect("network", "inspect", "bridge")
                                    .get("Containers")
                                    .isEmpty(),
                            "docker rm leaves nothing in Berth");
                d1.dockerOk("network", "rm", "cnet");
                d2.dockerOk("network", "rm", "cnet");
                assertTrue(h1.docker("network", "inspect", "bridge").ok(), "Berth's cluster bridge stays");
                assertFalse(
                        h1.ns.run("ip", "-o", "link", "show", "type", "veth")
                                .stdout()
                                .contains("veth"),
                        "no veth left on h1");
            }
        } finally {
            Files.deleteIfExists(p1);
            Files.deleteIfExists(p2);
        }
    }

    private static String driver(Path plugin) {
        String f = plugin.getFileName().toString();
        return f.substring(0, f.length() - ".sock".length());
    }

    private static String ip(DockerdLab d, String container) {
        return d.dockerOk("inspect", "-f", "{{.NetworkSettings.Networks.cnet.IPAddress}}", container)
                .trim();
    }

    private static String lease(Host h) {
        return h.inspect("network", "inspect", "bridge")
                .get("IPAM")
                .get("Config")
                .get(0)
                .get("Subnet")
                .asText();
    }

    /** "10.74.3." of "10.74.3.0/24". */
    private static String prefixOf(String subnet24) {
        return subnet24.substring(0, subnet24.lastIndexOf('.') + 1);
    }
}
