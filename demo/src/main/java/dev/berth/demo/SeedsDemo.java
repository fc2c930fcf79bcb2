package dev.berth.demo;

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
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * {@code make demo}: the seeds' walkthrough, done with Berth. berthd runs inside a lab host with its own
 * containerd; busybox and an nginx stand-in (busybox's httpd serving port 80 by default), built from
 * Debian's busybox-static, are loaded through the API, and every step is the seeds' command with
 * {@code berth} for {@code docker}: milk, bread and coffee on the default bridge pinging each other, a
 * published port reached from an outside machine, a user-defined network whose containers find each
 * other by name and are isolated from the default bridge, the host, none and container network modes,
 * a container that cannot touch its network, and the topology drawn. Each step is checked independently
 * (ip, ping, curl inside the lab's namespaces); the demo cleans up and exits non-zero when a check fails.
 */
public final class SeedsDemo implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOST_IP = "192.0.2.1", EXT_IP = "192.0.2.2";

    private final Lab lab;
    private final Report report;
    private final Path root;
    private final Path dir;
    private final Path socket;
    private final String nsPrefix;
    private final String cgroupParent;
    private LabHost host, ext;
    private LabProcess berthd;

    private SeedsDemo(Lab lab, Report report, Path root) throws IOException {
        this.lab = lab;
        this.report = report;
        this.root = root;
        this.dir = Files.createTempDirectory("berth-demo-");
        this.socket = dir.resolve("berth.sock");
        // Containers get namespaces of their own prefix: berthd treats every namespace with it as its own.
        this.nsPrefix = lab.prefix("c-");
        this.cgroupParent = "/" + lab.prefix("berth");
    }

    public static void main(String[] args) {
        System.exit(run(System.out).stream().allMatch(Check::passed) ? 0 : 1);
    }

    /** Plays the walkthrough and returns its checks (all passed when the demo succeeded). */
    public static List<Check> run(PrintStream out) {
        Report report = new Report(out);
        Path root =
                Path.of(System.getProperty("berth.root", ".")).toAbsolutePath().normalize();
        try (Lab lab = Lab.create();
                SeedsDemo demo = new SeedsDemo(lab, report, root)) {
            report.intro(lab.runId());
            try {
                demo.play();
            } catch (RuntimeException e) {
                report.aborted(e);
            }
            demo.cleanUp();
        } catch (IOException | RuntimeException e) {
            report.failed("the lab", e instanceof RuntimeException r ? r : new RuntimeException(e));
        }
        report.summary();
        return report.checks();
    }

    private void play() {
        startDaemon();
        loadImages();
        defaultBridge();
        publishedPort();
        userDefinedNetwork();
        networkModes();
        explainAndDraw();
    }

    // ------------------------------------------------------------------ steps

    private void startDaemon() {
        report.step(1, "a host with berthd, and an outside machine on a wire to it");
        host = lab.host("host");
        ext = lab.host("ext");
        lab.connect(host, "eth0", HOST_IP + "/24", ext, "eth0", EXT_IP + "/24");
        report.lab("ip link add eth0 netns host type veth peer eth0 netns ext   # host " + HOST_IP + ", ext " + EXT_IP);
        // bin/berthd, the launcher make build prepares and users run; spawnDaemon puts nsenter --net=NS before it
        List<String> cmd = List.of(
                root.resolve("bin/berthd").toString(),
                "--socket",
                socket.toString(),
                "--state-dir",
                dir.resolve("state").toString(),
                "--run-dir",
                dir.resolve("run").toString(),
                "--netns-prefix",
                nsPrefix,
                "--cgroup-parent",
                cgroupParent,
                "--dns",
                EXT_IP);
        List<String> shown = new ArrayList<>(List.of("nsenter", "--net=" + host.netnsPath()));
        shown.addAll(cmd);
        report.say("$ " + Shell.join(shown) + " &");
        berthd = host.spawnDaemon(Map.of(), cmd.toArray(String[]::new));
        waitForSocket();
        report.say(
                "$ export PATH=" + Shell.quote(root.resolve("bin").toString()) + ":$PATH BERTH_HOST=unix://" + socket);
        report.expect(
                "berthd answers on its socket",
                "berth version",
                true,
                () -> berth("version").stdout().contains("API version"));
        Oracles.Command addr = Oracles.Command.in(host, "ip", "-br", "addr", "show", "berth0");
        report.expect(
                "the default bridge berth0 has 172.17.0.1/16",
                addr.toString(),
                true,
                () -> addr.run().check().stdout().contains("172.17.0.1/16"));
    }

    /** No registry and no internet: the images come as a {@code docker save} archive, loaded through the API. */
    private void loadImages() {
        Path archive = SeedImages.archive();
        report.lab("busybox and nginx (busybox's httpd on port 80) from Debian's busybox-static, saved as " + archive);
        List<String> load = List.of(
                "curl",
                "-sS",
                "--fail-with-body",
                "--unix-socket",
                socket.toString(),
                "-X",
                "POST",
                "-H",
                "Content-Type: application/x-tar",
                "--data-binary",
                "@" + archive,
                "http://berth/images/load?quiet=1");
        report.say("$ " + Shell.join(load));
        ExecResult r = Commands.run(load, Duration.ofSeconds(120), null);
        report.expect(
                "berthd loaded busybox and nginx",
                "POST /images/load",
                true,
                () -> r.ok()
                        && r.stdout().contains("busybox:latest")
                        && r.stdout().contains("nginx:latest"));
    }

    private void defaultBridge() {
        report.step(2, "milk, bread and coffee on the default bridge (seed 000)");
        berthOk("run", "-itd", "--rm", "--name", "milk", "busybox");
        berthOk("run", "-itd", "--rm", "--name", "bread", "busybox");
        berthOk("run", "-itd", "--rm", "-p", "8080:80", "--name", "coffee", "nginx");
        report.say(berthOk("ps").stdout().strip().replace("\n", "\n  "));
        String milk = ip("milk"), bread = ip("bread"), coffee = ip("coffee");
        report.expect(
                "each container has its own address on 172.17.0.0/16",
                "berth inspect",
                true,
                () -> milk.startsWith("172.17.0.")
                        && bread.startsWith("172.17.0.")
                        && coffee.startsWith("172.17.0.")
                        && !milk.equals(bread)
                        && !bread.equals(coffee));
        report.expect(
                "and that address is on each container's eth0",
                "ip -n " + nsPrefix + "<container> -4 -br addr show eth0",
                List.of(milk + "/16", bread + "/16", coffee + "/16"),
                () -> List.of(eth0Address("milk"), eth0Address("bread"), eth0Address("coffee")));
        pingsThroughBerth("milk", bread, "bread");
        pingsInLab("bread", coffee, "coffee");
        pingsInLab("coffee", milk, "milk");
        report.expect(
                "milk's eth0 pairs with a veth on berth0 (eth0@ifN = the veth's index)",
                "ip -n " + host.name() + " -j link; ip -n " + nsPrefix + "<container> -j link show eth0",
                true,
                this::vethPairsMatch);
        report.lab(Oracles.Command.in(
                        ext, "socat", "TCP-LISTEN:7000,fork,reuseaddr", "SYSTEM:echo hello from $SOCAT_PEERADDR")
                + " &");
        ext.serveTcp(7000, "hello");
        report.expect(
                "milk reaches the outside machine, which sees the host's address (masquerade)",
                "the server on ext answers with the peer it saw",
                "hello from " + HOST_IP,
                () -> berth("exec", "milk", "nc", "-w2", EXT_IP, "7000")
                        .stdout()
                        .strip());
    }

    private void publishedPort() {
        report.step(3, "coffee publishes port 80 as the host's 8080 (seed 001: -p 8080:80)");
        report.say(berthOk("port", "coffee").stdout().strip());
        Oracles.Command fromExt =
                Oracles.Command.in(ext, "curl", "-s", "--max-time", "3", "http://" + HOST_IP + ":8080/");
        report.expect(
                "the outside machine reaches coffee at " + HOST_IP + ":8080",
                fromExt.toString(),
                true,
                () -> String.valueOf(firstAnswer(fromExt)).contains("Welcome to nginx"));
        // (Debian's busybox 1.35 wget crashes with -T: the time limit is timeout's)
        report.expect(
                "milk reaches it through the host too (hairpin)",
                "coffee's page",
                true,
                () -> berth("exec", "milk", "timeout", "5", "wget", "-qO-", "http://172.17.0.1:8080/")
                        .stdout()
                        .contains("Welcome to nginx"));
    }

    private void userDefinedNetwork() {
        report.step(4, "a user-defined network greatwall: names and isolation (seed 001)");
        berthOk("network", "create", "-d", "bridge", "--subnet", "10.10.0.0/24", "greatwall");
        berthOk("run", "-itd", "--rm", "--name", "beijing", "--network", "greatwall", "busybox");
        berthOk("run", "-itd", "--rm", "--name", "shenzhen", "--network", "greatwall", "busybox");
        String shenzhen = ipOn("shenzhen", "greatwall"), beijing = ipOn("beijing", "greatwall");
        pingsThroughBerth("beijing", "shenzhen", "shenzhen");
        report.expect(
                "shenzhen resolves beijing",
                "berth exec shenzhen nslookup beijing",
                true,
                () -> berth("exec", "shenzhen", "nslookup", "beijing").stdout().contains(beijing));
        report.expect(
                "milk (default bridge) cannot resolve shenzhen",
                "berth exec milk nslookup shenzhen",
                false,
                () -> berth("exec", "milk", "nslookup", "shenzhen").ok());
        Oracles.Command isolated =
                Oracles.Command.in(inside("milk"), "ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", beijing);
        long before = Oracles.echoesReceived(inside("beijing"));
        report.expect(
                "milk cannot reach beijing: the networks are isolated",
                isolated.toString(),
                "0 replies, 0 echo requests reached " + inside("beijing").name(),
                () -> Oracles.pingSeenFromBothEnds(isolated.run(), inside("beijing"), before));
        berthOk("network", "connect", "greatwall", "milk");
        pingsThroughBerth("milk", "shenzhen", "shenzhen");
        berthOk("network", "disconnect", "greatwall", "milk");
    }

    private void networkModes() {
        report.step(5, "network modes host, none and container:NAME (seed 000), and what a container may not do");
        report.expect(
                "--network host sees the host's eth0 " + HOST_IP,
                "berth run --rm --network host busybox ip addr",
                true,
                () -> berth("run", "--rm", "--network", "host", "busybox", "ip", "addr")
                        .stdout()
                        .contains(HOST_IP + "/24"));
        report.expect(
                "--network none has only lo",
                "berth run --rm --network none busybox ip link",
                1L,
                () -> berth("run", "--rm", "--network", "none", "busybox", "ip", "link")
                        .stdout()
                        .lines()
                        .filter(l -> l.matches("\\d+: .*"))
                        .count());
        String milk = ip("milk");
        report.expect(
                "--net=container:milk shares milk's address",
                "berth run --rm --net=container:milk busybox ip addr",
                true,
                () -> berth("run", "--rm", "--net=container:milk", "busybox", "ip", "addr")
                        .stdout()
                        .contains(milk + "/16"));
        report.expect(
                "milk cannot change its own network (no CAP_NET_ADMIN, as in Docker)",
                "berth exec milk ip addr add 10.9.9.9/32 dev eth0",
                false,
                () -> berth("exec", "milk", "ip", "addr", "add", "10.9.9.9/32", "dev", "eth0")
                        .ok());
        report.expect(
                "nor see the host's network namespaces",
                "berth exec milk ls /run/netns",
                false,
                () -> berth("exec", "milk", "ls", "/run/netns").ok());
    }

    private void explainAndDraw() {
        report.step(6, "what Berth did to the kernel: explain and topology");
        ExecResult explain = berth("explain", "greatwall");
        report.say(indent(explain.stdout()));
        report.expect(
                "berth explain shows the bridge as ip commands",
                "berth explain greatwall",
                true,
                () -> explain.stdout().contains("ip link add"));
        ExecResult topo = berth("topology");
        report.say(indent(topo.stdout()));
        report.expect(
                "the topology shows berth0 and the three containers",
                "berth topology",
                true,
                () -> topo.stdout().contains("berth0")
                        && topo.stdout().contains("milk")
                        && topo.stdout().contains("coffee"));
        ExecResult dot = berth("topology", "--format", "dot");
        Path dotFile = dir.resolve("topology.dot");
        try {
            Files.writeString(dotFile, dot.stdout());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        report.expect(
                "a Graphviz picture of it",
                "berth topology --format dot > " + dotFile,
                true,
                () -> dot.stdout().startsWith("digraph") || dot.stdout().startsWith("graph"));
    }

    /** Removes the containers and networks through berthd, stops it, and checks nothing is left. */
    private void cleanUp() {
        if (berthd == null) return;
        report.step(7, "clean up: berth rm -f, network rm, and nothing left behind");
        String ids = berth("ps", "-aq").stdout().strip();
        if (!ids.isEmpty()) {
            List<String> rm = new ArrayList<>(List.of("rm", "-f"));
            rm.addAll(List.of(ids.split("\\s+")));
            berth(rm.toArray(String[]::new));
        }
        berth("network", "rm", "greatwall");
        report.expect(
                "no veth is left on the host",
                "ip -n " + host.name() + " -br link",
                false,
                () -> host.ip("-br", "link").stdout().contains("veth"));
        report.expect(
                "greatwall's bridge is gone: only berth0 is left",
                "ip -n " + host.name() + " -j link show type bridge",
                List.of("berth0"),
                () -> Oracles.bridges(host));
        report.expect(
                "no container namespace is left",
                "ip netns list",
                List.of(),
                () -> Commands.run(List.of("ip", "netns", "list"))
                        .stdout()
                        .lines()
                        .filter(l -> l.startsWith(nsPrefix))
                        .toList());
        nftLeft("set", "bridges", List.of("berth0"));
        nftLeft("set", "subnets4", List.of("172.17.0.0/16"));
        nftLeft("map", "ports4", List.of());
        report.expect(
                "no container process is left",
                "cat /sys/fs/cgroup/pids" + cgroupParent + "/*/cgroup.procs",
                false,
                () -> ContainerLeftovers.anyRunning(cgroupParent));
        berthd.close();
    }

    /** Stops berthd, then its containerd, shims, mounts and cgroups: the demo leaves nothing running. */
    @Override
    public void close() {
        if (berthd != null) berthd.close();
        ContainerLeftovers.clean(dir, cgroupParent);
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Runs {@code berth ARGS} against the demo's daemon and prints it as typed after the export step 1
     * printed: bin/berth found on PATH, the socket from BERTH_HOST.
     */
    private ExecResult berth(String... args) {
        List<String> typed = new ArrayList<>(List.of("berth"));
        typed.addAll(List.of(args));
        List<String> c = new ArrayList<>(List.of(
                "env",
                "PATH=" + root.resolve("bin") + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
                "BERTH_HOST=unix://" + socket));
        c.addAll(typed);
        report.say("$ " + Shell.join(typed));
        return Commands.run(c, Duration.ofSeconds(60), null);
    }

    /**
     * {@code berth exec FROM ping TARGET} as a user types it; passes when ping counted 3 replies and the
     * kernel of {@code targetContainer}'s namespace counted the 3 echo requests (seen from both ends).
     */
    private void pingsThroughBerth(String from, String target, String targetContainer) {
        LabHost t = inside(targetContainer);
        long before = Oracles.echoesReceived(t);
        report.expect(
                from + " pings " + targetContainer + (target.equals(targetContainer) ? " by name" : ""),
                "ping's reply count; " + t.name() + "'s Icmp InEchos in /proc/net/snmp",
                "3 replies, 3 echo requests reached " + t.name(),
                () -> Oracles.pingSeenFromBothEnds(
                        berth("exec", from, "ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", target), t, before));
    }

    /** Like {@link #pingsThroughBerth}, with ping run in the container's namespace by iproute2 (no Berth in the path). */
    private void pingsInLab(String from, String address, String targetContainer) {
        LabHost t = inside(targetContainer);
        Oracles.Command ping =
                Oracles.Command.in(inside(from), "ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", address);
        long before = Oracles.echoesReceived(t);
        report.expect(
                from + " pings " + targetContainer,
                ping + "; " + t.name() + "'s Icmp InEchos",
                "3 replies, 3 echo requests reached " + t.name(),
                () -> Oracles.pingSeenFromBothEnds(ping.run(), t, before));
    }

    /** The IPv4 address and prefix on a container's eth0, as the kernel has it. */
    private String eth0Address(String container) {
        String line = inside(container)
                .ip("-4", "-br", "addr", "show", "eth0")
                .stdout()
                .strip();
        String[] f = line.split("\\s+");
        return f.length >= 3 ? f[2] : line;
    }

    /** What is left in one of Berth's nftables sets or maps in the host namespace. */
    private void nftLeft(String kind, String name, List<String> expected) {
        report.expect(
                "nftables " + kind + " " + name + " holds "
                        + (expected.isEmpty() ? "nothing" : String.join(", ", expected)),
                Oracles.Command.in(host, "nft", "-j", "list", kind, "inet", "berth", name)
                        .toString(),
                expected,
                () -> Oracles.nftElements(host, "inet", "berth", kind, name));
    }

    /** The first answer of a client command, retried for up to 5 s while nothing listens yet; null when none. */
    private static String firstAnswer(Oracles.Command client) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            ExecResult r = client.run();
            if (r.ok() && !r.stdout().isBlank()) return r.stdout().strip();
            if (System.nanoTime() > deadline) return null;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    private ExecResult berthOk(String... args) {
        ExecResult r = berth(args);
        if (!r.ok())
            throw new IllegalStateException("berth " + String.join(" ", args) + " failed (" + r.exitCode() + "): "
                    + r.stderr().strip());
        return r;
    }

    private JsonNode inspect(String name) {
        try {
            return JSON.readTree(berthOk("inspect", name).stdout()).get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String ip(String name) {
        return inspect(name).path("NetworkSettings").path("IPAddress").asText();
    }

    private String ipOn(String name, String network) {
        return inspect(name)
                .path("NetworkSettings")
                .path("Networks")
                .path(network)
                .path("IPAddress")
                .asText();
    }

    private LabHost inside(String container) {
        return lab.existing(nsPrefix + container);
    }

    /** Every container's eth0 names its peer's index (eth0@ifN); that index is a veth enslaved to berth0. */
    private boolean vethPairsMatch() {
        try {
            JsonNode links = JSON.readTree(host.ip("-j", "link").stdout());
            int ok = 0;
            for (String c : List.of("milk", "bread", "coffee")) {
                JsonNode eth0 = JSON.readTree(
                                inside(c).ip("-j", "link", "show", "eth0").stdout())
                        .get(0);
                int peer = eth0.path("link_index").asInt(-1);
                for (JsonNode l : links)
                    if (l.path("ifindex").asInt() == peer
                            && l.path("ifname").asText().startsWith("veth")
                            && l.path("master").asText().equals("berth0")) ok++;
            }
            return ok == 3;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Until berthd is ready: its socket answers ping from the moment it is bound, before the default
     * bridge exists; {@code /info} is held until the start is complete (or the connection ends if it fails).
     */
    private void waitForSocket() {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            if (!berthd.isAlive()) throw new IllegalStateException("berthd exited: " + berthd.output());
            if (Files.exists(socket) && infoAnswered()) return;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("berthd did not start within 60 s: " + berthd.output());
    }

    private boolean infoAnswered() {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap("GET /info HTTP/1.1\r\nHost: berth\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer head = ByteBuffer.allocate(12);
            while (head.hasRemaining()) if (ch.read(head) < 0) return false;
            return new String(head.array(), StandardCharsets.US_ASCII).equals("HTTP/1.1 200");
        } catch (IOException notYet) {
            return false;
        }
    }

    private static String indent(String s) {
        return s.strip().replace("\n", "\n    ");
    }
}
