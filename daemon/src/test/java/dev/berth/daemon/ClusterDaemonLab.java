package dev.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.lab.Commands;
import dev.berth.lab.ContainerLeftovers;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabProcess;
import dev.berth.lab.SeedImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The multi-host stage for berthd: hosts h1..hN on an underlay switch (192.168.50.N/24 on eth0), an
 * outside machine "ext" (192.168.50.100, also the only upstream resolver containers may use), and one
 * etcd member (Debian's etcd-server) at 192.168.50.10, all in lab namespaces. Each host runs a real
 * berthd process (nsenter --net) with its own socket, state and run dirs and sandbox namespaces under
 * the lab's prefix; the docker CLI drives it. Closing removes containers through the API, stops the
 * daemons and etcd by their PIDs and deletes the temporary directories; the lab deletes the namespaces.
 */
final class ClusterDaemonLab implements AutoCloseable {
    static final String EXT_IP = "192.168.50.100";
    static final String ETCD_IP = "192.168.50.10";
    static final String PREFIX = "/coreos.com/network";
    private static final ObjectMapper JSON = new ObjectMapper();

    final Lab lab;
    final LabHost ext;
    final List<Host> hosts = new ArrayList<>();
    private LabHost etcdHost;
    private LabProcess etcd;
    private Path etcdDir;

    ClusterDaemonLab(Lab lab, int hosts) {
        this.lab = lab;
        this.ext = lab.host("ext");
        lab.plug(ext, "eth0", EXT_IP + "/24");
        for (int i = 1; i <= hosts; i++) addHost();
    }

    /** A new lab host h(N+1) at 192.168.50.(N+1) on the switch, with no daemon yet. */
    Host addHost() {
        int i = hosts.size() + 1;
        LabHost h = lab.host("h" + i);
        String ip = "192.168.50." + i;
        lab.plug(h, "eth0", ip + "/24");
        Host host = new Host(h, ip);
        hosts.add(host);
        return host;
    }

    Host host(int n) {
        return hosts.get(n - 1);
    }

    // ---- etcd

    /** Starts a single etcd member in its own lab namespace and waits until it answers. */
    void startEtcd() {
        etcdHost = lab.host("etcd");
        lab.plug(etcdHost, "eth0", ETCD_IP + "/24");
        etcdDir = tempDir("berth-etcd-");
        String client = "http://" + ETCD_IP + ":2379";
        etcd = etcdHost.spawn(
                "etcd",
                "--name",
                "e1",
                "--data-dir",
                etcdDir.toString(),
                "--listen-client-urls",
                client,
                "--advertise-client-urls",
                client,
                "--listen-peer-urls",
                "http://" + ETCD_IP + ":2380",
                "--initial-advertise-peer-urls",
                "http://" + ETCD_IP + ":2380",
                "--initial-cluster",
                "e1=http://" + ETCD_IP + ":2380",
                "--initial-cluster-token",
                "berth-" + lab.runId(),
                "--logger",
                "zap",
                "--log-level",
                "error");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!etcdctl("endpoint", "health").ok()) {
            if (!etcd.isAlive() || System.nanoTime() > deadline)
                throw new AssertionError("etcd did not become healthy:\n" + etcd.output());
            sleep(100);
        }
    }

    /** {@code etcd://192.168.50.10:2379}, for --cluster-store. */
    String store() {
        return "etcd://" + ETCD_IP + ":2379";
    }

    /** etcdctl (API v3) run inside the etcd namespace: the test's independent view of the store. */
    ExecResult etcdctl(String... args) {
        List<String> c = new ArrayList<>(List.of(
                "env",
                "ETCDCTL_API=3",
                "etcdctl",
                "--dial-timeout=2s",
                "--command-timeout=4s",
                "--endpoints=http://" + ETCD_IP + ":2379"));
        c.addAll(List.of(args));
        return etcdHost.exec(c.toArray(String[]::new));
    }

    void putConfig(String prefix, String json) {
        etcdctl("put", prefix + "/config", json).check();
    }

    /** The lease keys and values under {@code prefix/subnets/}, in key order. */
    List<String[]> leases(String prefix) {
        String[] lines = etcdctl("get", "--prefix", prefix + "/subnets/")
                .check()
                .stdout()
                .split("\n");
        List<String[]> kv = new ArrayList<>();
        for (int i = 0; i + 1 < lines.length; i += 2) kv.add(new String[] {lines[i], lines[i + 1]});
        return kv;
    }

    /** Starts berthd on the given hosts at once (JVM start-up is the slow part) and waits until each answers. */
    static void startAll(List<Host> hosts) {
        for (Host h : hosts) h.launch();
        for (Host h : hosts) h.awaitReady();
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (Host h : hosts) {
            try {
                h.close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        if (etcd != null) etcd.close();
        if (etcdDir != null) deleteTree(etcdDir);
        if (first != null) throw first;
    }

    /** One lab host running berthd. */
    final class Host implements AutoCloseable {
        final LabHost ns;
        final String ip;
        final Path dir;
        final Path socket;
        final String netnsPrefix;
        final String cgroupParent;
        private final List<String> flags = new ArrayList<>();
        private boolean imagesLoaded;
        private LabProcess daemon;

        private Host(LabHost ns, String ip) {
            this.ns = ns;
            this.ip = ip;
            this.dir = tempDir("berthd-" + lab.runId() + "-" + ns.role() + "-");
            this.socket = dir.resolve("berth.sock");
            this.netnsPrefix = lab.prefix(ns.role() + "-");
            this.cgroupParent = "/" + lab.prefix(ns.role() + "-berth");
        }

        /** The cluster flags this host's berthd gets (kept across restarts). */
        Host withFlags(String... f) {
            flags.clear();
            flags.addAll(List.of(f));
            return this;
        }

        /** Joins the lab's etcd as the given flags say, announcing this host's underlay address. */
        Host etcd(String... more) {
            List<String> f = new ArrayList<>(List.of("--cluster-store", store(), "--public-ip", ip));
            f.addAll(List.of(more));
            return withFlags(f.toArray(String[]::new));
        }

        void launch() {
            List<String> cmd = new ArrayList<>(List.of(
                    DaemonLab.BERTHD.toString(),
                    "--socket",
                    socket.toString(),
                    "--state-dir",
                    dir.resolve("state").toString(),
                    "--run-dir",
                    dir.resolve("run").toString(),
                    "--netns-prefix",
                    netnsPrefix,
                    "--cgroup-parent",
                    cgroupParent,
                    // the only upstream resolver: the outside lab host, so nothing is forwarded outside the lab
                    "--dns",
                    EXT_IP));
            cmd.addAll(flags);
            daemon = ns.spawnDaemon(Map.of(), cmd.toArray(String[]::new));
        }

        void awaitReady() {
            long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
            while (System.nanoTime() < deadline) {
                if (!daemon.isAlive())
                    throw new IllegalStateException(ns.role() + ": berthd exited:\n" + daemon.output());
                if (answers()) {
                    if (!imagesLoaded)
                        dockerOk("load", "-i", SeedImages.archive().toString());
                    imagesLoaded = true;
                    return;
                }
                sleep(50);
            }
            throw new IllegalStateException(ns.role() + ": berthd did not answer within 45 s:\n" + daemon.output());
        }

        void start() {
            launch();
            awaitReady();
        }

        /** Waits for a berthd expected to refuse to start; returns its exit code and output. */
        ExecResult awaitExit() {
            int code = daemon.waitFor(Duration.ofSeconds(45));
            String out = daemon.output();
            daemon = null;
            return new ExecResult(List.of("berthd"), code, out, "");
        }

        /** SIGTERM, as a service manager stops it; containers and networking stay. */
        void stop() {
            if (daemon != null) daemon.close();
            daemon = null;
        }

        /** SIGKILL of berthd's own PID, as a crash would. */
        void kill9() {
            Commands.run(List.of("kill", "-9", Long.toString(daemon.pid()))).check();
            daemon.waitFor(Duration.ofSeconds(10));
            daemon = null;
        }

        String log() {
            return daemon == null ? "" : daemon.output();
        }

        private boolean answers() {
            return DaemonLab.answers(socket);
        }

        ExecResult docker(String... args) {
            return DaemonLab.docker(socket, args);
        }

        String dockerOk(String... args) {
            ExecResult r = docker(args);
            if (!r.ok())
                throw new AssertionError(ns.role() + ": docker " + String.join(" ", args) + " failed (" + r.exitCode()
                        + "):\n" + r.stdout() + r.stderr() + "\n--- berthd log:\n" + DaemonLab.tail(log()));
            return r.stdout();
        }

        /** The first object of a docker inspect command's JSON output. */
        JsonNode inspect(String... args) {
            return parse(dockerOk(args)).get(0);
        }

        /** A container's address on the default bridge. */
        String ipOf(String container) {
            return inspect("inspect", container)
                    .get("NetworkSettings")
                    .get("IPAddress")
                    .asText();
        }

        /** A container's namespace, entered without the daemon, as {@code ip netns exec berth-NAME} would. */
        LabHost container(String name) {
            return lab.existing(netnsPrefix + name);
        }

        /** GET on the daemon's API (curl over the Unix socket: no network traffic). */
        JsonNode api(String path) {
            ExecResult r = Commands.run(List.of(
                    "curl",
                    "-sS",
                    "--fail-with-body",
                    "--max-time",
                    "10",
                    "--unix-socket",
                    socket.toString(),
                    "http://berth" + path));
            if (!r.ok()) throw new AssertionError(ns.role() + ": GET " + path + " failed: " + r.stdout() + r.stderr());
            return parse(r.stdout());
        }

        /** The host namespace's IPv4 routes as {@code ip -4 route} prints them. */
        String routes() {
            return ns.run("ip", "-4", "route", "show").stdout();
        }

        /** Everything the cluster agent programs for peers: routes, permanent neighbours, FDB entries with a remote. */
        String peerState() {
            String neigh =
                    ns.run("ip", "-4", "neigh", "show", "nud", "permanent").stdout();
            String fdb = ns.run("bridge", "fdb", "show")
                    .stdout()
                    .lines()
                    .filter(l -> l.contains(" dst "))
                    .reduce("", (a, b) -> a + b + "\n");
            return routes() + "--- neigh\n" + neigh + "--- fdb\n" + fdb;
        }

        @Override
        public void close() {
            try {
                // a test that failed while this berthd was down: start it again so the API removes the containers
                if ((daemon == null || !daemon.isAlive()) && ContainerLeftovers.anyRunning(cgroupParent)) {
                    try {
                        start();
                    } catch (RuntimeException e) {
                        daemon = null;
                    }
                }
                if (daemon != null && daemon.isAlive()) {
                    String ids = docker("ps", "-aq").stdout().trim();
                    if (!ids.isEmpty()) {
                        List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                        rm.addAll(List.of(ids.split("\\s+")));
                        docker(rm.toArray(String[]::new));
                    }
                }
            } finally {
                stop();
                // last resort when the API could not remove them: tasks, containerd, shims, mounts, cgroups
                ContainerLeftovers.clean(dir, cgroupParent);
                deleteTree(dir);
            }
        }
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) return;
        try (Stream<Path> files = Files.walk(p)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // temporary files; a leftover is harmless
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
