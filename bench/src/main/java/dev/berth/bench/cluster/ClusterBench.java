package dev.berth.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cluster.ClusterAgent;
import dev.berth.cluster.ClusterOptions;
import dev.berth.cluster.config.NetworkConfig;
import dev.berth.cluster.etcd.EtcdLeaseStore;
import dev.berth.cluster.lease.Lease;
import dev.berth.cluster.lease.LeaseAttrs;
import dev.berth.cluster.lease.VtepMac;
import dev.berth.engine.Engine;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.firewall.NftablesFirewall;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabProcess;
import dev.berth.model.IpPrefix;
import dev.berth.model.Sandbox;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.Route;
import dev.berth.netlink.route.Rtnl;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Multi-host data plane: iperf3 TCP between containers on two lab hosts through Berth's host-gw,
 * vxlan and udp backends, and the same paths built by hand without Berth (plain routing over veth,
 * kernel VXLAN, a socat TUN-over-UDP tunnel), each in a fresh lab; the paths take turns for
 * {@code --rounds} rounds (so a burst of load on the shared machine hits them all alike) and the
 * median of each is compared. Then the time from a new host's lease in etcd to the route on another
 * host. Prints figures and ratios.
 * Usage: ClusterBench [--seconds N] [--rounds N] [--leases N] [--only a,b]
 */
public final class ClusterBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String H1 = "192.168.50.1", H2 = "192.168.50.2", ETCD = "192.168.50.11";

    private ClusterBench() {}

    public static void main(String[] args) throws Exception {
        int seconds = 5, leases = 20, rounds = 3;
        List<String> only = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--leases" -> leases = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--only" -> only = Arrays.asList(args[++i].split(","));
                default ->
                    throw new IllegalArgumentException(
                            "unknown option " + args[i] + "; use --seconds N --rounds N --leases N --only a,b");
            }
        }
        System.out.printf(
                "Berth cluster benchmark, %s; machine: %d CPUs, load %s%n",
                Instant.now(),
                Runtime.getRuntime().availableProcessors(),
                Files.readString(Path.of("/proc/loadavg")).strip());
        System.out.printf(
                "iperf3 TCP, one flow, %d s per run, %d rounds (paths take turns), median per path%n%n",
                seconds, rounds);
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (String path : List.of("plain", "host-gw", "kernel-vxlan", "vxlan", "socat", "udp")) {
                if (only != null && !only.contains(path)) continue;
                double g = run(path, seconds);
                samples.computeIfAbsent(path, k -> new ArrayList<>()).add(g);
                System.err.printf("round %d: %-13s %7.2f Gbit/s%n", r + 1, path, g);
            }
        }
        Map<String, Double> gbps = new LinkedHashMap<>();
        for (var e : samples.entrySet()) {
            List<Double> v = e.getValue().stream().sorted().toList();
            gbps.put(e.getKey(), v.get(v.size() / 2));
            System.out.printf(
                    "%-13s %7.2f Gbit/s   (runs: %s)%n",
                    e.getKey(),
                    v.get(v.size() / 2),
                    e.getValue().stream().map(g -> String.format("%.2f", g)).collect(Collectors.joining(" ")));
        }
        System.out.println();
        ratio(gbps, "host-gw", "plain", "host-gw vs plain routing (goal >= 0.95)");
        ratio(gbps, "vxlan", "kernel-vxlan", "vxlan vs kernel VXLAN by hand (goal >= 0.95)");
        ratio(gbps, "udp", "socat", "udp vs socat TUN/UDP (goal >= 2)");
        ratio(gbps, "udp", "kernel-vxlan", "udp vs kernel VXLAN (goal >= 0.40, stretch 0.60)");
        if (leases > 0 && (only == null || only.contains("lease"))) leaseToRoute(leases);
    }

    private static void ratio(Map<String, Double> g, String a, String b, String label) {
        if (g.containsKey(a) && g.containsKey(b)) System.out.printf("%-48s %.2f%n", label, g.get(a) / g.get(b));
    }

    /** One path in a fresh lab: h1 and h2 on the underlay switch, a container on each, iperf3 from h1's to h2's. */
    private static double run(String path, int seconds) throws Exception {
        try (Lab lab = Lab.create()) {
            LabHost h1 = lab.host("h1"), h2 = lab.host("h2");
            lab.plug(h1, "eth0", H1 + "/24");
            lab.plug(h2, "eth0", H2 + "/24");
            return switch (path) {
                case "plain", "kernel-vxlan", "socat" -> byHand(lab, path, h1, h2, seconds);
                default -> withBerth(lab, path, h1, h2, seconds);
            };
        }
    }

    private static double withBerth(Lab lab, String backend, LabHost h1, LabHost h2, int seconds) throws Exception {
        LabHost e = lab.host("etcd");
        lab.plug(e, "eth0", ETCD + "/24");
        Path data = Files.createTempDirectory("berth-bench-etcd-");
        List<AutoCloseable> open = new ArrayList<>();
        try {
            startEtcd(e, data);
            etcdctl(
                    e,
                    "put",
                    "/coreos.com/network/config",
                    "{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"" + backend + "\"}}");
            String[] ips = new String[2];
            LabHost[] boxes = new LabHost[2];
            LabHost[] hosts = {h1, h2};
            for (int i = 0; i < 2; i++) {
                NetnsHandle ns = Netns.open(hosts[i].name());
                open.addFirst(ns);
                Path run = Files.createTempDirectory("berth-bench-run-"),
                        state = Files.createTempDirectory("berth-bench-state-");
                ClusterAgent agent = ClusterAgent.start(
                        ClusterOptions.etcd("etcd://" + ETCD + ":2379").withIface("eth0"), ns, run);
                open.addFirst(agent);
                Engine engine = Engine.start(EngineConfig.of(state, ns, NftablesFirewall::new)
                        .withNetnsPrefix(lab.prefix("c" + i + "-"))
                        .withBip(agent.bip())
                        .withClusterNetwork(agent.clusterNetwork().toString())
                        .withMtu(agent.mtu()));
                open.addFirst(engine);
                Sandbox s = engine.createSandbox(SandboxRequest.on("c", "bridge"));
                ips[i] = IpPrefix.format(engine.endpointsOf(s).getFirst().ipv4());
                boxes[i] = lab.existing(engine.netnsPath(s).getFileName().toString());
            }
            return iperf(boxes[0], boxes[1], ips[1], seconds);
        } finally {
            for (AutoCloseable c : open) c.close();
            deleteTree(data);
        }
    }

    /** The same two-host paths without Berth, built with iproute2 and socat as the anchors did. */
    private static double byHand(Lab lab, String path, LabHost h1, LabHost h2, int seconds) {
        LabHost[] hosts = {h1, h2};
        LabHost[] boxes = new LabHost[2];
        String[] under = {H1, H2};
        int mtu = switch (path) {
            case "kernel-vxlan" -> 1450;
            case "socat" -> 1472;
            default -> 1500;
        };
        for (int i = 0; i < 2; i++) {
            LabHost h = hosts[i];
            int n = i + 1, peer = 2 - i;
            h.sysctl("net.ipv4.ip_forward", "1");
            h.ip("link", "add", "br0", "mtu", "" + mtu, "type", "bridge");
            h.ip("addr", "add", "10.244." + n + ".1/24", "dev", "br0");
            h.ip("link", "set", "br0", "up");
            LabHost c = lab.host("box" + n);
            boxes[i] = c;
            h.ip("link", "add", "vc" + n, "mtu", "" + mtu, "type", "veth", "peer", "name", "eth0", "netns", c.name());
            h.ip("link", "set", "vc" + n, "master", "br0", "up");
            c.ip("link", "set", "eth0", "mtu", "" + mtu);
            c.ip("addr", "add", "10.244." + n + ".2/24", "dev", "eth0");
            c.ip("link", "set", "eth0", "up");
            c.ip("route", "add", "default", "via", "10.244." + n + ".1");
            switch (path) {
                case "plain" -> h.ip("route", "add", "10.244." + peer + ".0/24", "via", under[1 - i]);
                case "kernel-vxlan" -> {
                    String mac = "0e:be:00:00:00:0" + n, peerMac = "0e:be:00:00:00:0" + peer;
                    h.ip(
                            "link",
                            "add",
                            "vx1",
                            "address",
                            mac,
                            "mtu",
                            "1450",
                            "type",
                            "vxlan",
                            "id",
                            "1",
                            "local",
                            under[i],
                            "dev",
                            "eth0",
                            "dstport",
                            "8472",
                            "nolearning");
                    h.ip("addr", "add", "10.244." + n + ".0/32", "dev", "vx1");
                    h.ip("link", "set", "vx1", "up");
                    h.ip("neigh", "add", "10.244." + peer + ".0", "lladdr", peerMac, "dev", "vx1", "nud", "permanent");
                    h.run("bridge", "fdb", "add", peerMac, "dev", "vx1", "dst", under[1 - i], "self", "permanent");
                    h.ip(
                            "route",
                            "add",
                            "10.244." + peer + ".0/24",
                            "via",
                            "10.244." + peer + ".0",
                            "dev",
                            "vx1",
                            "onlink");
                }
                case "socat" -> {
                    h.spawn(
                            "socat",
                            "-b",
                            "65536",
                            "TUN:10.244." + n + ".0/16,tun-type=tun,iff-up,iff-no-pi,tun-name=stun",
                            "UDP-DATAGRAM:" + under[1 - i] + ":8285,bind=" + under[i] + ":8285");
                    waitFor(() -> h.exec("ip", "link", "show", "stun").ok());
                    h.ip("link", "set", "stun", "mtu", "1472");
                }
                default -> throw new IllegalArgumentException(path);
            }
        }
        return iperf(boxes[0], boxes[1], "10.244.2.2", seconds);
    }

    private static double iperf(LabHost client, LabHost server, String serverIp, int seconds) {
        LabProcess srv = server.spawn("iperf3", "-s", "-1");
        try {
            waitFor(() -> server.exec("sh", "-c", "ss -ltn | grep -q ':5201 '").ok());
            ExecResult r = client.exec("iperf3", "-c", serverIp, "-t", "" + seconds, "-J");
            if (!r.ok())
                throw new IllegalStateException("iperf3 to " + serverIp + " failed: " + r.stdout() + r.stderr());
            JsonNode j = JSON.readTree(r.stdout());
            return j.at("/end/sum_received/bits_per_second").asDouble() / 1e9;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            srv.close();
        }
    }

    /**
     * Time from a new host's lease being in etcd to the route for it on another host: h1 runs an agent
     * (vxlan); the benchmark takes leases for made-up hosts through the same store code a new host runs and
     * polls h1's routes through rtnetlink every 0.2 ms.
     */
    private static void leaseToRoute(int n) throws Exception {
        try (Lab lab = Lab.create()) {
            LabHost h1 = lab.host("h1"), newcomer = lab.host("h9"), e = lab.host("etcd");
            lab.plug(h1, "eth0", H1 + "/24");
            lab.plug(newcomer, "eth0", "192.168.50.9/24");
            lab.plug(e, "eth0", ETCD + "/24");
            Path data = Files.createTempDirectory("berth-bench-etcd-");
            Path run = Files.createTempDirectory("berth-bench-run-");
            try (NetnsHandle ns = Netns.open(h1.name());
                    NetnsHandle ns9 = Netns.open(newcomer.name())) {
                startEtcd(e, data);
                etcdctl(
                        e,
                        "put",
                        "/coreos.com/network/config",
                        "{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"}}");
                try (ClusterAgent agent = ClusterAgent.start(
                                ClusterOptions.etcd("etcd://" + ETCD + ":2379").withIface("eth0"), ns, run);
                        EtcdLeaseStore store = new EtcdLeaseStore(
                                List.of(URI.create("http://" + ETCD + ":2379")),
                                ClusterOptions.DEFAULT_PREFIX,
                                Duration.ofMinutes(5),
                                ns9);
                        Rtnl rtnl = Netns.rtnl(ns)) {
                    NetworkConfig config = store.config();
                    long[] micros = new long[n];
                    for (int i = 0; i < n; i++) {
                        var data0 = LeaseAttrs.object();
                        InetAddress ip = InetAddress.getByName("192.168.50." + (100 + i));
                        data0.put("VNI", 1);
                        data0.put("VtepMAC", VtepMac.of(ip).toString());
                        Lease l = store.acquire(config, new LeaseAttrs(ip, "vxlan", data0), null);
                        long t0 = System.nanoTime();
                        while (!hasRoute(rtnl, l)) Thread.onSpinWait();
                        micros[i] = (System.nanoTime() - t0) / 1000;
                        store.release(l);
                    }
                    Arrays.sort(micros);
                    System.out.printf(
                            "%nlease in etcd -> route on another host, %d leases: median %.1f ms, p90 %.1f ms, max %.1f ms (goal < 500 ms)%n",
                            n, micros[n / 2] / 1000.0, micros[(int) (n * 0.9)] / 1000.0, micros[n - 1] / 1000.0);
                }
            } finally {
                deleteTree(data);
                deleteTree(run);
            }
        }
    }

    private static boolean hasRoute(Rtnl rtnl, Lease l) {
        for (Route r : rtnl.routes().listMain())
            if (r.destination() != null
                    && r.destination().address().equals(l.subnet().network())
                    && r.destination().length() == l.subnet().prefix()) return true;
        return false;
    }

    private static void startEtcd(LabHost e, Path data) {
        e.spawn(
                "etcd",
                "--data-dir",
                data.toString(),
                "--listen-client-urls",
                "http://" + ETCD + ":2379",
                "--advertise-client-urls",
                "http://" + ETCD + ":2379",
                "--listen-peer-urls",
                "http://" + ETCD + ":2380",
                "--logger",
                "zap",
                "--log-level",
                "error");
        waitFor(() -> e.exec(
                        "env", "ETCDCTL_API=3", "etcdctl", "--endpoints=http://" + ETCD + ":2379", "endpoint", "health")
                .ok());
    }

    private static void etcdctl(LabHost e, String... args) {
        List<String> c =
                new ArrayList<>(List.of("env", "ETCDCTL_API=3", "etcdctl", "--endpoints=http://" + ETCD + ":2379"));
        c.addAll(List.of(args));
        e.run(c.toArray(String[]::new));
    }

    private static void waitFor(BooleanSupplier cond) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("timed out waiting for the lab");
            try {
                Thread.sleep(50);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
    }

    private static void deleteTree(Path p) {
        try (var files = Files.walk(p)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // temporary
        }
    }
}
