package dev.berth.cluster;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.model.Sandbox;
import java.net.InetAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seed 003 for real: three hosts lease subnets from etcd, and containers on every host reach
 * containers on every other host by their own IPs, for each backend; traffic leaving the cluster is
 * masqueraded.
 */
@ExtendWith(LabExtension.class)
class BackendsTest {

    @ParameterizedTest
    @ValueSource(strings = {"host-gw", "vxlan", "udp"})
    void containersOnEveryHostReachEachOtherByTheirOwnAddresses(String backend, Lab lab) throws Exception {
        try (ClusterLab cl = new ClusterLab(lab, 3)) {
            cl.startEtcd(1);
            cl.putConfig("{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"" + backend + "\"}}");
            cl.startAll(o -> o);

            // leases: one per host, flannel's keys and values, distinct /24s inside the network
            List<String[]> leases = cl.etcd.list("/coreos.com/network/subnets/");
            assertEquals(3, leases.size(), "one lease per host");
            for (String[] kv : leases) {
                assertTrue(kv[0].matches("/coreos.com/network/subnets/10\\.5\\.\\d+\\.0-24"), kv[0]);
                assertTrue(
                        kv[1].contains("\"PublicIP\":\"192.168.50.")
                                && kv[1].contains("\"BackendType\":\"" + backend + "\""),
                        kv[1]);
            }
            assertEquals(
                    3,
                    cl.nodes.stream().map(n -> n.agent.hostSubnet()).distinct().count(),
                    "no two hosts share a subnet");

            List<Sandbox> boxes = new ArrayList<>();
            for (ClusterLab.Node n : cl.nodes) {
                var a = n.agent;
                String env = Files.readString(a.subnetEnv());
                String gw = a.bip();
                assertEquals(
                        "FLANNEL_NETWORK=10.5.0.0/16\nFLANNEL_SUBNET=" + gw + "\nFLANNEL_MTU=" + a.mtu()
                                + "\nFLANNEL_IPMASQ=false\n",
                        env);
                assertTrue(
                        n.host.run("ip", "-o", "-4", "addr", "show", "dev", "berth0")
                                .stdout()
                                .contains(gw),
                        "berth0 has " + gw);
                Sandbox s = n.run("c");
                assertTrue(a.hostSubnet().contains(InetAddress.getByName(n.ipOf(s))));
                n.in(s).serveTcp(7000, n.host.role());
                boxes.add(s);
            }
            int expectMtu = switch (backend) {
                case "vxlan" -> 1450;
                case "udp" -> 1462;
                default -> 1500;
            };
            assertEquals(expectMtu, cl.nodes.getFirst().agent.mtu());
            assertTrue(cl.nodes
                    .getFirst()
                    .in(boxes.getFirst())
                    .run("ip", "-o", "link", "show", "eth0")
                    .stdout()
                    .contains("mtu " + expectMtu));

            for (int i = 0; i < 3; i++) {
                LabHost from = cl.nodes.get(i).in(boxes.get(i));
                String src = cl.nodes.get(i).ipOf(boxes.get(i));
                for (int j = 0; j < 3; j++) {
                    if (i == j) continue;
                    String dst = cl.nodes.get(j).ipOf(boxes.get(j));
                    assertTrue(
                            from.ping(dst),
                            backend + ": h" + (i + 1) + " container pings h" + (j + 1) + " container " + dst);
                    assertEquals(
                            "h" + (j + 1) + " from " + src,
                            from.tcp(dst, 7000),
                            "TCP keeps the container's source address " + src);
                }
            }

            cl.ext.serveTcp(9000, "ext");
            assertEquals(
                    "ext from 192.168.50.1",
                    cl.nodes.getFirst().in(boxes.getFirst()).tcp(ClusterLab.EXT_IP, 9000),
                    "leaving the cluster is masqueraded to the host's address");

            checkKernel(backend, cl);
        }
    }

    private static void checkKernel(String backend, ClusterLab cl) {
        for (ClusterLab.Node n : cl.nodes) {
            String routes = n.routes();
            List<ClusterLab.Node> peers = cl.nodes.stream().filter(p -> p != n).toList();
            switch (backend) {
                case "host-gw" -> {
                    for (ClusterLab.Node p : peers)
                        assertTrue(
                                routes.contains(p.agent.hostSubnet() + " via " + p.ip + " dev eth0 proto 98"), routes);
                }
                case "vxlan" -> {
                    String link =
                            n.host.run("ip", "-d", "link", "show", "berth.1").stdout();
                    assertTrue(
                            link.contains("mtu 1450")
                                    && link.contains("vxlan id 1 ")
                                    && link.contains("dstport 8472")
                                    && link.contains("nolearning"),
                            link);
                    long viaVxlan = routes.lines()
                            .filter(l -> l.contains("dev berth.1") && l.contains("onlink"))
                            .count();
                    assertEquals(2, viaVxlan, "one route per peer: " + routes);
                    String neigh =
                            n.host.run("ip", "neigh", "show", "dev", "berth.1").stdout();
                    String fdb = n.host.run("bridge", "fdb", "show", "dev", "berth.1")
                            .stdout();
                    assertEquals(
                            2,
                            neigh.lines().filter(l -> l.contains("PERMANENT")).count(),
                            neigh);
                    assertEquals(2, fdb.lines().filter(l -> l.contains(" dst ")).count(), fdb);
                    for (ClusterLab.Node p : peers) {
                        String gw = p.agent.hostSubnet().network().getHostAddress();
                        assertTrue(
                                routes.contains(p.agent.hostSubnet() + " via " + gw + " dev berth.1 proto 98 onlink"),
                                routes);
                        assertTrue(fdb.contains("dst " + p.ip + " self permanent"), fdb);
                    }
                }
                case "udp" -> {
                    assertTrue(routes.contains("10.5.0.0/16 dev berth.udp"), routes);
                    assertTrue(n.host.run("ip", "-d", "link", "show", "berth.udp")
                            .stdout()
                            .contains("multi_queue"));
                }
                default -> fail(backend);
            }
        }
    }
}
