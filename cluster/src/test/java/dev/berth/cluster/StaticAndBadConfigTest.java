package dev.berth.cluster;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.firewall.IptablesFirewall;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.model.BerthException;
import dev.berth.model.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Seed 000 without etcd (a static host list), with the iptables driver; and configs that must be refused. */
@ExtendWith(LabExtension.class)
class StaticAndBadConfigTest {

    @Test
    void staticFileWithHostGwAndTheIptablesDriverIsSeed000Automated(Lab lab) throws Exception {
        try (ClusterLab cl = new ClusterLab(lab, 2)) {
            Path file = Files.createTempFile("berth-cluster-", ".json");
            Files.writeString(file, """
                    {"Network": "10.0.0.0/16", "Backend": {"Type": "host-gw"},
                     "Hosts": [{"PublicIP": "192.168.50.1", "Subnet": "10.0.128.0/24"},
                               {"PublicIP": "192.168.50.2", "Subnet": "10.0.129.0/24"}]}""");
            try {
                for (ClusterLab.Node n : cl.nodes) {
                    n.startAgent(ClusterOptions.staticFile(file).withIface("eth0"));
                    n.startEngine(IptablesFirewall::new);
                }
                ClusterLab.Node h1 = cl.nodes.get(0), h2 = cl.nodes.get(1);
                assertEquals("10.0.128.1/24", h1.agent.bip());
                assertEquals("10.0.129.1/24", h2.agent.bip());
                assertTrue(h1.routes().contains("10.0.129.0/24 via 192.168.50.2 dev eth0 proto 98"), h1.routes());
                Sandbox a = h1.run("a"), b = h2.run("b");
                assertEquals("10.0.128.2", h1.ipOf(a));
                h2.in(b).serveTcp(7000, "b");
                assertEquals(
                        "b from 10.0.128.2",
                        h1.in(a).tcp("10.0.129.2", 7000),
                        "no masquerade between container subnets");
                cl.ext.serveTcp(9000, "ext");
                assertEquals("ext from 192.168.50.2", h2.in(b).tcp(ClusterLab.EXT_IP, 9000));
                String nat = h1.host
                        .run("iptables", "-t", "nat", "-S", "BERTH-POSTROUTING")
                        .stdout();
                assertTrue(nat.contains("-A BERTH-POSTROUTING -s 10.0.128.0/24 -d 10.0.0.0/16"), nat);
                assertEquals("static " + file, h1.agent.status().store());
                assertEquals("routed", h1.agent.status().peers().getFirst().state());
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    @Test
    void badClusterConfigsAndPeersAreRefusedWithClearErrors(Lab lab) throws Exception {
        try (ClusterLab cl = new ClusterLab(lab, 2)) {
            cl.startEtcd(1);
            ClusterLab.Node h1 = cl.nodes.get(0), h2 = cl.nodes.get(1);
            var missing = assertThrows(BerthException.InvalidRequest.class, () -> h1.startAgent(cl.etcdOptions()));
            assertTrue(
                    missing.getMessage().contains("cluster config not found in etcd")
                            && missing.getMessage().contains("etcdctl put"),
                    missing.getMessage());

            cl.putConfig("{\"Network\":\"10.5.0.0/24\",\"SubnetLen\":16,\"Backend\":{\"Type\":\"host-gw\"}}");
            var small = assertThrows(BerthException.InvalidRequest.class, () -> h1.startAgent(cl.etcdOptions()));
            assertEquals("/coreos.com/network/config: SubnetLen", small.field());
            assertTrue(
                    small.getMessage().contains("Network 10.5.0.0/24 is not larger than SubnetLen /16"),
                    small.getMessage());
            assertEquals(
                    "iface",
                    assertThrows(
                                    BerthException.InvalidRequest.class,
                                    () -> h1.startAgent(cl.etcdOptions().withIface("eth9")))
                            .field());
            assertEquals(
                    "public-ip",
                    assertThrows(
                                    BerthException.InvalidRequest.class,
                                    () -> h1.startAgent(cl.etcdOptions().withPublicIp("192.168.50.77")))
                            .field());
            assertTrue(cl.etcd.list("/coreos.com/network/subnets/").isEmpty(), "a refused start leases nothing");

            // host-gw: a peer on another segment is refused, and said so; the others are routed
            cl.putConfig("{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"host-gw\"}}");
            cl.etcd.put(
                    "/coreos.com/network/subnets/10.5.200.0-24",
                    "{\"PublicIP\":\"172.31.0.9\",\"BackendType\":\"host-gw\"}");
            h1.startAgent(cl.etcdOptions());
            h2.startAgent(cl.etcdOptions());
            ClusterStatus st = peersSeen(h1, 2);
            ClusterStatus.Host far = st.peers().stream()
                    .filter(p -> p.publicIp().equals("172.31.0.9"))
                    .findFirst()
                    .orElseThrow();
            assertTrue(
                    far.state().startsWith("refused: host-gw needs every host on one L2 segment, but peer 172.31.0.9"),
                    far.state());
            assertTrue(far.state().contains("use the vxlan backend"), far.state());
            assertFalse(h1.routes().contains("10.5.200.0/24"), h1.routes());
            assertTrue(h1.routes().contains(h2.agent.hostSubnet() + " via 192.168.50.2"), h1.routes());
            assertTrue(st.storeHealthy());
        }
    }

    /** The agent learns of peers through its etcd watch, so a peer leased a moment ago may not be seen yet. */
    private static ClusterStatus peersSeen(ClusterLab.Node node, int peers) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        ClusterStatus st = node.agent.status();
        while (st.peers().size() < peers && System.nanoTime() < deadline) {
            Thread.sleep(50);
            st = node.agent.status();
        }
        assertEquals(peers, st.peers().size(), "peers seen by the agent: " + st.peers());
        return st;
    }
}
