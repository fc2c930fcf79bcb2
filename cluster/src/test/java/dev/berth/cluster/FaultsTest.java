package dev.berth.cluster;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.model.Sandbox;
import dev.berth.model.net.Cidr;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Restarts, departures, joins, a dying etcd leader and an unreachable etcd, with three etcd members and vxlan. */
@ExtendWith(LabExtension.class)
class FaultsTest {
    private static final String VXLAN = "{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"}}";

    @Test
    void restartsKeepSubnetsAndRoutesWhileJoinsLeavesMovesAndExpiriesReachEveryHostFast(Lab lab) {
        try (ClusterLab cl = new ClusterLab(lab, 3)) {
            cl.startEtcd(3);
            cl.putConfig(VXLAN);
            cl.startAll(o -> o.withLeaseTtl(Duration.ofSeconds(10)).withResync(Duration.ofSeconds(2)));
            ClusterLab.Node h1 = cl.nodes.get(0), h2 = cl.nodes.get(1), h3 = cl.nodes.get(2);
            Sandbox a = h1.run("a"), b = h2.run("b");
            h2.in(b).serveTcp(7000, "b");
            String bIp = h2.ipOf(b);

            // restart h2's agent and engine: same subnet, nobody's routes change, traffic flows throughout
            Cidr before = h2.agent.hostSubnet();
            String h1Routes = h1.routes(), h3Routes = h3.routes();
            h2.agent.close();
            assertTrue(h1.in(a).ping(bIp), "the data plane does not need the agent");
            h2.startAgent(cl.etcdOptions().withLeaseTtl(Duration.ofSeconds(10)).withResync(Duration.ofSeconds(2)));
            h2.startEngine();
            assertEquals(before, h2.agent.hostSubnet(), "a restarted agent keeps its subnet");
            assertEquals(h1Routes, h1.routes());
            assertEquals(h3Routes, h3.routes());
            assertEquals("b from " + h1.ipOf(a), h1.in(a).tcp(bIp, 7000));

            // a host leaves: it disappears from everyone's routes within a second
            Cidr gone = h3.agent.hostSubnet();
            h3.agent.leave();
            h3.agent = null;
            long leftMs = waitMs(
                    () -> !h1.routes().contains(gone.toString()) && !h2.routes().contains(gone.toString()));
            assertTrue(leftMs < 1000, "routes to a departed host removed in " + leftMs + " ms");
            assertFalse(h3.routes().contains("berth.1"), "the leaving host removed its own routes");
            assertFalse(h1.host
                    .run("bridge", "fdb", "show", "dev", "berth.1")
                    .stdout()
                    .contains("192.168.50.3"));

            // a new host joins: routes to it appear on the others well within a second of its lease
            ClusterLab.Node h4 = cl.addNode();
            h4.startAgent(cl.etcdOptions().withLeaseTtl(Duration.ofSeconds(3)).withResync(Duration.ofSeconds(2)));
            String joined = h4.agent.hostSubnet().toString();
            long joinMs =
                    waitMs(() -> h1.routes().contains(joined) && h2.routes().contains(joined));
            assertTrue(joinMs < 500, "lease to route on every host in " + joinMs + " ms");
            System.out.printf("cluster timings: leave->routes gone %d ms, lease->routes %d ms%n", leftMs, joinMs);
            h4.startEngine();
            Sandbox d = h4.run("d");
            assertTrue(h1.in(a).ping(h4.ipOf(d)));

            // a peer moves to another address: its route and FDB entry follow
            String key = "/coreos.com/network/subnets/10.5.250.0-24";
            cl.etcd.put(
                    key,
                    "{\"PublicIP\":\"192.168.50.40\",\"BackendType\":\"vxlan\",\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"0e:be:c0:a8:32:28\"}}");
            assertTrue(waitMs(() -> fdb(h1).contains("0e:be:c0:a8:32:28 dst 192.168.50.40")) < 1000);
            cl.etcd.put(
                    key,
                    "{\"PublicIP\":\"192.168.50.41\",\"BackendType\":\"vxlan\",\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"0e:be:c0:a8:32:29\"}}");
            long movedMs = waitMs(() ->
                    fdb(h1).contains("0e:be:c0:a8:32:29 dst 192.168.50.41") && !fdb(h1).contains("192.168.50.40"));
            assertTrue(movedMs < 1000, "moved in " + movedMs + " ms: " + fdb(h1));
            cl.etcd.ctl("del", key).check();

            // a host that dies without leaving: its lease expires (TTL 3 s) and everyone stops routing to it
            h4.engine.close();
            h4.engine = null;
            h4.agent.close();
            h4.agent = null;
            long expiredMs =
                    waitMs(() -> !h1.routes().contains(joined) && !h2.routes().contains(joined));
            assertTrue(expiredMs < 6000, "expired lease's routes gone after " + expiredMs + " ms");
            System.out.printf(
                    "cluster timings: peer moved %d ms, expiry (TTL 3 s) -> routes gone %d ms%n", movedMs, expiredMs);
            assertEquals(2, cl.etcd.list("/coreos.com/network/subnets/").size());
        }
    }

    @Test
    void killingTheEtcdLeaderLosesNothingAndNoSubnetIsEverHeldTwice(Lab lab) {
        try (ClusterLab cl = new ClusterLab(lab, 3)) {
            Etcd etcd = cl.startEtcd(3);
            cl.putConfig(VXLAN);
            cl.startAll(o -> o.withLeaseTtl(Duration.ofSeconds(6)).withResync(Duration.ofSeconds(2)));
            ClusterLab.Node h1 = cl.nodes.get(0), h3 = cl.nodes.get(2);
            Sandbox a = h1.run("a"), c = h3.run("c");
            List<Cidr> subnets =
                    cl.nodes.stream().map(n -> n.agent.hostSubnet()).toList();

            Etcd.Member leader = etcd.leader().orElseThrow();
            etcd.kill(leader);
            assertTrue(h1.in(a).ping(h3.ipOf(c)), "routing does not wait for etcd");
            // a host joining during the election still gets a subnet nobody else has
            ClusterLab.Node h4 = cl.addNode();
            h4.startAgent(cl.etcdOptions().withLeaseTtl(Duration.ofSeconds(6)));
            // outlive the TTL: the leases survive only if renewals kept working through the failover
            Etcd.sleep(7000);
            assertEquals(
                    subnets,
                    cl.nodes.subList(0, 3).stream()
                            .map(n -> n.agent.hostSubnet())
                            .toList());
            List<String[]> leases = etcd.list("/coreos.com/network/subnets/");
            assertEquals(4, leases.size(), "nothing lost");
            Set<String> keys = new HashSet<>(), ips = new HashSet<>();
            for (String[] kv : leases) {
                assertTrue(keys.add(kv[0]), "one lease per subnet");
                assertTrue(
                        ips.add(kv[1].replaceAll(".*\"PublicIP\":\"([0-9.]+)\".*", "$1")),
                        "one subnet per host: " + kv[1]);
            }
            assertFalse(subnets.contains(h4.agent.hostSubnet()));
            assertTrue(waitMs(() -> h1.routes().contains(h4.agent.hostSubnet().toString())) < 2000);
            assertTrue(h1.in(a).ping(h3.ipOf(c)));
            for (ClusterLab.Node n : cl.nodes) assertTrue(n.agent.status().storeHealthy(), n.host.role());
            etcd.restart(leader);
            etcd.awaitHealthy();
        }
    }

    @Test
    void whileEtcdIsUnreachableTrafficFlowsAndTheAgentReconnectsAfterwards(Lab lab) {
        try (ClusterLab cl = new ClusterLab(lab, 3)) {
            Etcd etcd = cl.startEtcd(1);
            cl.putConfig(VXLAN);
            ClusterLab.Node h1 = cl.nodes.get(0), h2 = cl.nodes.get(1), h3 = cl.nodes.get(2);
            for (ClusterLab.Node n : List.of(h1, h2)) {
                n.startAgent(
                        cl.etcdOptions().withLeaseTtl(Duration.ofSeconds(15)).withResync(Duration.ofSeconds(1)));
                n.startEngine();
            }
            Sandbox a = h1.run("a"), b = h2.run("b");
            Etcd.Member m = etcd.members.getFirst();
            m.host.ip("link", "set", "eth0", "down");
            try {
                long unhealthy = waitMs(() -> !h1.agent.status().storeHealthy());
                assertTrue(unhealthy < 8000, "the agent notices");
                for (int i = 0; i < 3; i++) {
                    assertTrue(h1.in(a).ping(h2.ipOf(b)), "data plane keeps working without etcd");
                    Etcd.sleep(500);
                }
                assertNotNull(h1.agent.status().lastError());
            } finally {
                m.host.ip("link", "set", "eth0", "up");
            }
            // back: a host joining now is seen by the agents that lived through the outage
            h3.startAgent(cl.etcdOptions().withLeaseTtl(Duration.ofSeconds(15)));
            String s3 = h3.agent.hostSubnet().toString();
            long seen = waitMs(() -> h1.routes().contains(s3) && h2.routes().contains(s3));
            assertTrue(seen < 8000, "reconnected and routed the newcomer after " + seen + " ms");
            assertTrue(waitMs(() -> h1.agent.status().storeHealthy()) < 8000);
            assertEquals(3, etcd.list("/coreos.com/network/subnets/").size(), "no lease lost in the outage");
            assertTrue(h1.in(a).ping(h2.ipOf(b)));
        }
    }

    private static String fdb(ClusterLab.Node n) {
        return n.host.run("bridge", "fdb", "show", "dev", "berth.1").stdout();
    }

    /** Polls every 10 ms; returns how long {@code cond} took to hold, or fails after 15 s. */
    static long waitMs(BooleanSupplier cond) {
        long start = System.nanoTime();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() - start > 15_000_000_000L) fail("condition did not hold within 15 s");
            Etcd.sleep(10);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }
}
