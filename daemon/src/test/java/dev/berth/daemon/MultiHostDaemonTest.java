package dev.berth.daemon;

import static dev.berth.daemon.ClusterDaemonLab.EXT_IP;
import static dev.berth.daemon.ClusterDaemonLab.PREFIX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.ClusterDaemonLab.Host;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeds 000 and 003 through berthd and the docker CLI: three lab hosts each run a real berthd that
 * leases its default bridge's subnet from a real etcd, and containers on every host reach containers
 * on every other host by their own addresses; a berthd restart changes nothing; bad configs stop
 * berthd with a clear message; and a static host list does the same without etcd.
 */
@ExtendWith(LabExtension.class)
class MultiHostDaemonTest {
    private static final String NETWORK = "10.70.0.0/16";

    /** One scenario per backend: leases, reachability, masquerade, status, then a SIGTERM and a kill -9 restart. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"host-gw", "vxlan", "udp"})
    void containersOnEveryHostReachEachOtherThroughBerthd(String backend, Lab lab) {
        try (ClusterDaemonLab cl = new ClusterDaemonLab(lab, 3)) {
            cl.startEtcd();
            cl.putConfig(
                    PREFIX,
                    "{\"Network\":\"" + NETWORK + "\",\"SubnetLen\":24,\"Backend\":{\"Type\":\"" + backend + "\"}}");
            for (Host h : cl.hosts) h.etcd();
            ClusterDaemonLab.startAll(cl.hosts);

            // each berthd leased a distinct /24 of the network, in flannel's layout, and its default bridge took it
            Map<Host, String> subnets = new LinkedHashMap<>();
            for (Host h : cl.hosts)
                subnets.put(h, h.api("/berth/cluster").get("Self").get("Subnet").asText());
            assertEquals(3, new HashSet<>(subnets.values()).size(), "no two hosts share a subnet: " + subnets);
            List<String[]> leases = cl.leases(PREFIX);
            assertEquals(3, leases.size(), "one lease per host");
            int mtu = switch (backend) {
                case "vxlan" -> 1450;
                case "udp" -> 1462;
                default -> 1500;
            };
            for (Host h : cl.hosts) {
                String subnet = subnets.get(h);
                assertTrue(subnet.matches("10\\.70\\.\\d+\\.0/24"), subnet);
                String value = lease(leases, subnet);
                assertTrue(
                        value.contains("\"PublicIP\":\"" + h.ip + "\"")
                                && value.contains("\"BackendType\":\"" + backend + "\""),
                        value);
                JsonNode ipam = h.inspect("network", "inspect", "bridge")
                        .get("IPAM")
                        .get("Config")
                        .get(0);
                assertEquals(
                        subnet, ipam.get("Subnet").asText(), "docker network inspect bridge shows the leased subnet");
                assertEquals(gateway(subnet), ipam.get("Gateway").asText());
                checkClusterStatus(cl, h, backend, subnets);
            }

            // one container per host, serving TCP: it tells who connected, then how many bytes it received
            Map<Host, String> ips = new LinkedHashMap<>();
            for (Host h : cl.hosts) {
                runServer(h);
                String ip = h.ipOf("web");
                assertTrue(
                        ip.startsWith(subnets.get(h).substring(0, subnets.get(h).lastIndexOf('.') + 1)),
                        ip + " in " + subnets.get(h));
                ips.put(h, ip);
            }
            assertTrue(
                    cl.host(1)
                            .dockerOk("exec", "web", "ip", "-o", "link", "show", "eth0")
                            .contains("mtu " + mtu),
                    "the container's MTU leaves room for the " + backend + " encapsulation");
            mesh(cl.hosts, ips, backend);
            bulk(cl.host(1), cl.host(2), ips);
            bulk(cl.host(3), cl.host(1), ips);

            // leaving the cluster is masqueraded to the host's underlay address
            cl.ext.serveTcp(9000, "ext");
            for (Host h : cl.hosts)
                assertEquals(
                        "ext from " + h.ip,
                        tcp(h, EXT_IP, 9000),
                        h.ns.role() + ": traffic to the outside host is masqueraded");

            restartsKeepSubnetsAndRoutes(cl, subnets, ips, backend);
        }
    }

    /** {@code /berth/cluster} (and its versioned path) shows the store, this host and the two peers, routed. */
    private static void checkClusterStatus(ClusterDaemonLab cl, Host h, String backend, Map<Host, String> subnets) {
        JsonNode st = h.api("/v1.50/berth/cluster");
        assertTrue(st.get("Enabled").asBoolean());
        assertTrue(st.get("StoreHealthy").asBoolean(), st.toString());
        assertEquals(NETWORK, st.get("Network").asText());
        assertEquals(backend, st.get("Backend").asText());
        assertEquals(h.ip, st.get("Self").get("PublicIP").asText());
        Set<String> peers = new HashSet<>();
        for (JsonNode p : st.get("Peers")) {
            peers.add(p.get("PublicIP").asText() + " " + p.get("Subnet").asText());
            assertEquals("routed", p.get("State").asText(), st.toString());
            assertEquals(backend, p.get("Backend").asText());
        }
        Set<String> expected = new HashSet<>();
        for (Host o : cl.hosts) if (o != h) expected.add(o.ip + " " + subnets.get(o));
        assertEquals(expected, peers, h.ns.role() + " sees the other hosts: " + st);
    }

    /**
     * Stops two of the three berthds at once, h1 with SIGTERM and h2 with kill -9: the kernel keeps
     * forwarding while they are down; started again, each keeps its subnet, its lease and its container,
     * and every host's routes, neighbours and FDB entries stay byte-identical.
     */
    private static void restartsKeepSubnetsAndRoutes(
            ClusterDaemonLab cl, Map<Host, String> subnets, Map<Host, String> ips, String backend) {
        Host h1 = cl.host(1), h2 = cl.host(2), h3 = cl.host(3);
        Map<Host, String> before = new LinkedHashMap<>();
        for (Host h : cl.hosts) before.put(h, h.peerState());
        List<String> leaseKeys = cl.leases(PREFIX).stream().map(kv -> kv[0]).toList();
        h1.stop();
        h2.kill9();

        // the udp tunnel is berthd itself (as flanneld's is): its traffic waits for the restart
        if (!backend.equals("udp")) {
            assertTrue(
                    eventually(() -> h1.container("web").ping(ips.get(h2))),
                    "with both daemons down, h1's container still reaches h2's");
            assertTrue(ping(h3, ips.get(h1)) && ping(h3, ips.get(h2)), "and h3's reaches both");
        }
        ClusterDaemonLab.startAll(List.of(h1, h2));

        for (Host h : List.of(h1, h2)) {
            assertEquals(
                    subnets.get(h),
                    h.api("/berth/cluster").get("Self").get("Subnet").asText(),
                    h.ns.role() + " keeps its subnet");
            assertEquals(
                    subnets.get(h),
                    h.inspect("network", "inspect", "bridge")
                            .get("IPAM")
                            .get("Config")
                            .get(0)
                            .get("Subnet")
                            .asText());
            assertEquals("web", h.dockerOk("ps", "--format", "{{.Names}}").trim(), "the container kept running");
        }
        assertEquals(leaseKeys, cl.leases(PREFIX).stream().map(kv -> kv[0]).toList(), "the same leases, no new one");
        for (Host h : cl.hosts)
            assertEquals(
                    before.get(h), h.peerState(), h.ns.role() + "'s routes, neighbours and FDB entries are unchanged");
        mesh(cl.hosts, ips, backend + " after the restarts");
    }

    /** A config whose Network is smaller than SubnetLen, no config at all, and no etcd: berthd exits non-zero and says why. */
    @Test
    void badClusterConfigMakesBerthdExitWithAClearMessage(Lab lab) {
        try (ClusterDaemonLab cl = new ClusterDaemonLab(lab, 3)) {
            cl.startEtcd();
            cl.putConfig("/small", "{\"Network\":\"10.70.0.0/24\",\"SubnetLen\":16,\"Backend\":{\"Type\":\"vxlan\"}}");
            Host small = cl.host(1).etcd("--cluster-prefix", "/small");
            Host missing = cl.host(2).etcd("--cluster-prefix", "/missing");
            // an address on the underlay where nothing answers (inside the lab: no traffic leaves it)
            Host unreachable =
                    cl.host(3).withFlags("--cluster-store", "etcd://192.168.50.99:2379", "--public-ip", "192.168.50.3");
            small.launch();
            missing.launch();
            unreachable.launch();

            ExecResult r = small.awaitExit();
            assertNotEquals(0, r.exitCode(), r.stdout());
            assertTrue(
                    r.stdout().contains("berthd: cannot join the cluster: /small/config: SubnetLen")
                            && r.stdout().contains("Network 10.70.0.0/24 is not larger than SubnetLen /16"),
                    r.stdout());
            ExecResult m = missing.awaitExit();
            assertNotEquals(0, m.exitCode(), m.stdout());
            assertTrue(m.stdout().contains("cluster config not found in etcd"), m.stdout());
            ExecResult u = unreachable.awaitExit();
            assertNotEquals(0, u.exitCode(), u.stdout());
            assertTrue(
                    u.stdout().contains("berthd: cannot join the cluster: etcd [http://192.168.50.99:2379]")
                            && u.stdout().contains("got no answer"),
                    u.stdout());

            assertTrue(cl.leases("/small").isEmpty(), "a refused start leases nothing");
            for (Host h : cl.hosts) {
                String links = h.ns.run("ip", "-o", "link").stdout();
                assertEquals(
                        2,
                        links.lines().count(),
                        h.ns.role() + ": only lo and eth0, no bridge or tunnel device: " + links);
                assertEquals(
                        "", h.ns.run("nft", "list", "tables").stdout().strip(), h.ns.role() + ": no firewall table");
                assertFalse(Files.exists(h.socket), "no API socket left behind");
            }
        }
    }

    @Test
    void staticHostListWithoutEtcd(Lab lab) throws Exception {
        Path dir = Files.createTempDirectory("berth-static-");
        try (ClusterDaemonLab cl = new ClusterDaemonLab(lab, 3)) {
            Path file = dir.resolve("cluster.json");
            Files.writeString(file, """
                    {"Network": "10.71.0.0/16", "Backend": {"Type": "host-gw"},
                     "Hosts": [{"PublicIP": "192.168.50.1", "Subnet": "10.71.1.0/24"},
                               {"PublicIP": "192.168.50.2", "Subnet": "10.71.2.0/24"}]}""");
            Path overlapping = dir.resolve("overlapping.json");
            Files.writeString(overlapping, """
                    {"Network": "10.71.0.0/16", "Backend": {"Type": "host-gw"},
                     "Hosts": [{"PublicIP": "192.168.50.1", "Subnet": "10.71.1.0/24"},
                               {"PublicIP": "192.168.50.3", "Subnet": "10.71.1.0/24"}]}""");
            Host h1 = cl.host(1).withFlags("--cluster-static", file.toString(), "--public-ip", "192.168.50.1");
            // h2 takes its cluster settings from berthd's config file, and finds its address from the interface
            Path conf = dir.resolve("berthd.json");
            Files.writeString(conf, "{\"cluster-static\": \"" + file + "\", \"iface\": \"eth0\"}");
            Host h2 = cl.host(2).withFlags("--config", conf.toString());
            Host bad = cl.host(3).withFlags("--cluster-static", overlapping.toString(), "--public-ip", "192.168.50.3");
            bad.launch();
            ClusterDaemonLab.startAll(List.of(h1, h2));

            ExecResult refused = bad.awaitExit();
            assertNotEquals(0, refused.exitCode(), refused.stdout());
            assertTrue(refused.stdout().contains("Hosts[1]") && refused.stdout().contains("overlap"), refused.stdout());

            assertEquals(
                    "10.71.1.0/24",
                    h1.inspect("network", "inspect", "bridge")
                            .get("IPAM")
                            .get("Config")
                            .get(0)
                            .get("Subnet")
                            .asText());
            assertEquals(
                    "10.71.2.1",
                    h2.inspect("network", "inspect", "bridge")
                            .get("IPAM")
                            .get("Config")
                            .get(0)
                            .get("Gateway")
                            .asText());
            JsonNode st = h1.api("/berth/cluster");
            assertEquals("static " + file, st.get("Store").asText());
            assertEquals("192.168.50.2", st.get("Peers").get(0).get("PublicIP").asText());
            assertEquals("routed", st.get("Peers").get(0).get("State").asText());
            assertTrue(h1.routes().contains("10.71.2.0/24 via 192.168.50.2 dev eth0 proto 98"), h1.routes());

            for (Host h : List.of(h1, h2)) runServer(h);
            assertEquals("10.71.1.2", h1.ipOf("web"));
            assertEquals("10.71.2.2", h2.ipOf("web"));
            Map<Host, String> ips = new LinkedHashMap<>(Map.of(h1, "10.71.1.2", h2, "10.71.2.2"));
            mesh(List.of(h1, h2), ips, "static host-gw");
            cl.ext.serveTcp(9000, "ext");
            assertEquals("ext from 192.168.50.2", tcp(h2, EXT_IP, 9000), "leaving the cluster is masqueraded");
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        }
    }

    /**
     * Every container pings and opens TCP to every other host's container, and the server sees the client's
     * own address. One {@code docker exec} per source runs all its probes; a pair that fails there is
     * probed again on its own with retries before it counts as a failure.
     */
    private static void mesh(List<Host> hosts, Map<Host, String> ips, String what) {
        List<String> failures = new ArrayList<>();
        for (Host from : hosts) {
            StringBuilder script = new StringBuilder();
            for (Host to : hosts) {
                if (to == from) continue;
                String ip = ips.get(to);
                script.append("ping -n -q -c1 -W2 ")
                        .append(ip)
                        .append(" >/dev/null 2>&1; echo \"ping ")
                        .append(ip)
                        .append(" $?\"; ")
                        .append("echo \"tcp ")
                        .append(ip)
                        .append(" $(timeout 3 wget -q -O- ")
                        .append(url(ip))
                        .append(" 2>&1 | head -1)\"; ");
            }
            String out =
                    from.docker("exec", "web", "sh", "-c", script.toString()).stdout();
            for (Host to : hosts) {
                if (to == from) continue;
                String ip = ips.get(to), want = to.ns.role() + " from " + ips.get(from);
                String pair = what + ": " + from.ns.role() + " -> " + to.ns.role() + " " + ip;
                if (!out.contains("ping " + ip + " 0\n") && !ping(from, ip)) failures.add(pair + ": no ping answer");
                if (!out.contains("tcp " + ip + " " + want + "\n")) {
                    String got = tcp(from, ip, 7000);
                    if (!want.equals(got))
                        failures.add(
                                pair + ": TCP answered '" + got + "', expected '" + want + "' (source address kept)");
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /**
     * 4 MB over TCP between containers, sent by {@code to}'s server to {@code from}: full-size segments cross
     * the overlay (MTU, offloads) intact. (Debian's busybox wget posts a file without a Content-Length, so
     * busybox httpd would hand the CGI no body: the server sends instead.)
     */
    private static void bulk(Host from, Host to, Map<Host, String> ips) {
        int bytes = 4_000_000;
        ExecResult r = from.docker(
                "exec",
                "web",
                "sh",
                "-c",
                "timeout 10 wget -q -O- '" + url(ips.get(to)) + "?bytes=" + bytes + "' | wc -c");
        assertEquals(
                String.valueOf(bytes),
                r.stdout().strip(),
                to.ns.role() + " -> " + from.ns.role() + ": bulk transfer (exit " + r.exitCode() + ") " + r.stderr());
    }

    /** One ping from container web on {@code from}, retried for a few seconds (a peer's route may be arriving). */
    private static boolean ping(Host from, String ip) {
        return eventually(() ->
                from.docker("exec", "web", "ping", "-n", "-q", "-c1", "-W2", ip).ok());
    }

    /**
     * Container web on every host serves HTTP on port 7000 (busybox httpd); its CGI answers who asked (the
     * client's address as the server saw it) and how many bytes the client sent.
     */
    private static void runServer(Host h) {
        // ?bytes=N answers N zero bytes (the bulk transfer); Debian's busybox wget crashes with -T: timeout limits it
        // httpd gives an IPv4 peer as [::ffff:A.B.C.D]: the CGI prints A.B.C.D
        String cgi =
                "#!/bin/sh\\necho Content-Type: text/plain\\necho\\nA=$(echo $REMOTE_ADDR | tr -d \"[]\" | sed s/^::ffff://)\\n"
                        + "case $QUERY_STRING in bytes=*) head -c ${QUERY_STRING#bytes=} /dev/zero; exit;; esac\\n"
                        + "echo " + h.ns.role() + " from $A\\n";
        h.dockerOk(
                "run",
                "-d",
                "--name",
                "web",
                "busybox",
                "sh",
                "-c",
                "mkdir -p /www/cgi-bin && printf '" + cgi + "' > /www/cgi-bin/who && chmod +x /www/cgi-bin/who"
                        + " && exec httpd -f -p 7000 -h /www");
    }

    private static String url(String ip) {
        return "http://" + ip + ":7000/cgi-bin/who";
    }

    /** The first line the server at {@code ip:port} says to container web on {@code from} (HTTP on 7000, raw TCP else), or null. */
    private static String tcp(Host from, String ip, int port) {
        String[] got = {null};
        eventually(() -> {
            ExecResult r = port == 7000
                    ? from.docker("exec", "web", "timeout", "3", "wget", "-q", "-O-", url(ip))
                    : from.docker("exec", "web", "nc", "-w2", ip, Integer.toString(port));
            got[0] = r.ok() && !r.stdout().isBlank()
                    ? r.stdout().strip().lines().findFirst().orElseThrow()
                    : null;
            return got[0] != null;
        });
        return got[0];
    }

    private static String lease(List<String[]> leases, String subnet) {
        String key = PREFIX + "/subnets/" + subnet.replace('/', '-');
        for (String[] kv : leases) if (kv[0].equals(key)) return kv[1];
        throw new AssertionError("no lease " + key + " in etcd: "
                + leases.stream().map(kv -> kv[0]).toList());
    }

    private static String gateway(String subnet) {
        return subnet.substring(0, subnet.lastIndexOf('.')) + ".1";
    }

    private static boolean eventually(BooleanSupplier check) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            if (check.getAsBoolean()) return true;
            if (System.nanoTime() > deadline) return false;
            ClusterDaemonLab.sleep(100);
        }
    }
}
