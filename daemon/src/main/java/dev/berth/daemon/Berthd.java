package dev.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.http.ApiLimits;
import dev.berth.daemon.http.ApiVersions;
import dev.berth.daemon.http.BerthVersion;
import dev.berth.daemon.http.EarlyListener;
import dev.berth.daemon.json.Json;
import dev.berth.model.BerthException;
import dev.berth.model.log.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code berthd}: parses flags (and the optional config file), starts the daemon, runs until signalled. */
@Command(
        name = "berthd",
        mixinStandardHelpOptions = true,
        versionProvider = Berthd.Version.class,
        description = "Berth's daemon: container networking behind a Docker Engine API on a Unix socket.")
public final class Berthd implements Callable<Integer> {
    @Option(
            names = "--config",
            description = "JSON file with the same keys as the long options (e.g. {\"state-dir\": \"/var/lib/berth\"})")
    Path configFile;

    @Option(
            names = {"-H", "--socket"},
            description = "Unix socket to listen on (default /run/berth/berth.sock; unix:// prefix allowed)")
    String socket;

    @Option(
            names = "--state-dir",
            description = "where networks, sandboxes and containers are recorded (default /var/lib/berth)")
    Path stateDir;

    @Option(names = "--run-dir", description = "runtime files: container logs, hosts files (default /run/berth)")
    Path runDir;

    @Option(names = "--firewall", description = "nftables (default) or iptables")
    String firewall;

    @Option(names = "--log-level", description = "debug, info (default), warn or error")
    String logLevel;

    @Option(names = "--netns-prefix", description = "prefix of sandbox namespace names in /run/netns (default berth-)")
    String netnsPrefix;

    @Option(
            names = "--bip",
            description = "default bridge address and subnet, e.g. 10.0.128.1/24 (default 172.17.0.1/16)")
    String bip;

    @Option(
            names = {"-b", "--bridge"},
            description = "use this existing bridge as the default bridge")
    String bridge;

    @Option(
            names = "--dns",
            description = "upstream DNS server for the embedded resolver (repeatable; default: the host's resolv.conf)")
    List<String> dns;

    @Option(
            names = "--no-embedded-dns",
            description = "give containers the host's resolv.conf instead of Berth's resolver")
    boolean noEmbeddedDns;

    @Option(
            names = "--cluster-store",
            description = "etcd endpoints, e.g. etcd://10.0.0.1:2379,10.0.0.2:2379: join a multi-host cluster")
    String clusterStore;

    @Option(
            names = "--cluster-static",
            description = "JSON file listing the cluster's hosts and subnets (multi-host without etcd)")
    Path clusterStatic;

    @Option(names = "--cluster-prefix", description = "etcd key prefix (default /coreos.com/network, flannel's)")
    String clusterPrefix;

    @Option(names = "--public-ip", description = "the underlay address other hosts reach this one at")
    String publicIp;

    @Option(
            names = "--containerd",
            description =
                    "socket of a running containerd to use (default: berthd starts its own under --state-dir and --run-dir)")
    Path containerd;

    @Option(names = "--cgroup-parent", description = "cgroup under which each container gets its own (default /berth)")
    String cgroupParent;

    @Option(
            names = "--docker-plugin",
            description =
                    "serve Docker's remote network driver on this socket, e.g. /run/docker/plugins/berth.sock (driver name: the file's name)")
    Path dockerPlugin;

    @Option(
            names = "--iface",
            description = "the underlay interface (default: the one with --public-ip, or the default route's)")
    String iface;

    @Option(
            names = "--max-connections",
            description = "API connections served at once; one more is answered 503 (default 1000)")
    Integer maxConnections;

    @Option(
            names = "--request-timeout",
            description = "seconds a connection may take to send a complete request (default 60)")
    Integer requestTimeout;

    @Mixin
    DockerdOptions dockerd = new DockerdOptions();

    /** The socket main bound before parsing, or null. */
    private final EarlyListener early;

    public Berthd() {
        this(null);
    }

    Berthd(EarlyListener early) {
        this.early = early;
    }

    private static final Set<String> BERTH_KEYS = Set.of(
            "socket",
            "state-dir",
            "run-dir",
            "firewall",
            "log-level",
            "netns-prefix",
            "bip",
            "bridge",
            "dns",
            "no-embedded-dns",
            "cluster-store",
            "cluster-static",
            "cluster-prefix",
            "public-ip",
            "iface",
            "containerd",
            "cgroup-parent",
            "max-connections",
            "request-timeout",
            "docker-plugin");

    private static final Set<String> FILE_KEYS = union(BERTH_KEYS, DockerdOptions.FILE_KEYS);
    private static final Set<String> BOOLEAN_KEYS = union(Set.of("no-embedded-dns"), DockerdOptions.BOOLEAN_KEYS);
    private static final Set<String> LIST_KEYS = union(Set.of("dns"), DockerdOptions.LIST_KEYS);
    private static final Set<String> NUMBER_KEYS =
            union(Set.of("max-connections", "request-timeout"), DockerdOptions.NUMBER_KEYS);

    @Override
    public Integer call() throws Exception {
        DaemonConfig c;
        try {
            c = resolve();
        } catch (IllegalArgumentException e) {
            System.err.println("berthd: " + e.getMessage());
            return 2;
        }
        Log.setLevel(c.logLevel());
        Log.captureJavaUtilLogging();
        Daemon daemon;
        try {
            daemon = Daemon.start(c, early);
        } catch (Daemon.StartupException e) {
            System.err.println("berthd: " + e.getMessage());
            Log.error("cannot start", "error", e.getMessage());
            return 1;
        }
        HeapTrim.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            Log.info("stopping; sandboxes keep running");
                            daemon.close();
                            stopped.countDown();
                        },
                        "berthd-shutdown"));
        stopped.await();
        return 0;
    }

    DaemonConfig resolve() throws Exception {
        DaemonConfig d = DaemonConfig.defaults();
        Map<String, String> file = configFile == null ? Map.of() : readConfig(configFile);
        String sock = pick(socket, file.get("socket"), d.socket().toString());
        if (sock.startsWith("unix://")) sock = sock.substring("unix://".length());
        String fw = pick(firewall, file.get("firewall"), d.firewall());
        if (!fw.equals("nftables") && !fw.equals("iptables"))
            throw new IllegalArgumentException("--firewall: '" + fw + "' is not one of nftables, iptables");
        return new DaemonConfig(
                Path.of(sock),
                Path.of(pick(str(stateDir), file.get("state-dir"), d.stateDir().toString())),
                Path.of(pick(str(runDir), file.get("run-dir"), d.runDir().toString())),
                fw,
                Log.parseLevel(pick(logLevel, file.get("log-level"), "info")),
                pick(netnsPrefix, file.get("netns-prefix"), d.netnsPrefix()),
                pick(bip, file.get("bip"), null),
                pick(bridge, file.get("bridge"), null),
                dns != null
                        ? dns
                        : file.containsKey("dns") ? List.of(file.get("dns").split("[,\\s]+")) : List.of(),
                !(noEmbeddedDns || "true".equals(file.get("no-embedded-dns"))),
                cluster(file),
                pick(str(containerd), file.get("containerd"), null) == null
                        ? null
                        : Path.of(pick(str(containerd), file.get("containerd"), null)),
                cgroupParent(pick(cgroupParent, file.get("cgroup-parent"), d.cgroupParent())),
                dockerPluginSocket(file),
                apiLimits(file, d.api()),
                dockerd.resolve(file));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new HashSet<>(a);
        u.addAll(b);
        return Set.copyOf(u);
    }

    private static String cgroupParent(String p) {
        if (!p.matches("(/[a-zA-Z0-9_.:-]+)+"))
            throw new IllegalArgumentException(
                    "--cgroup-parent: '" + p + "' must be an absolute cgroup path such as /berth");
        return p;
    }

    private ApiLimits apiLimits(Map<String, String> file, ApiLimits d) {
        ApiLimits l = d;
        String max = pick(maxConnections == null ? null : maxConnections.toString(), file.get("max-connections"), null);
        if (max != null) l = l.withMaxConnections(number(max, "--max-connections"));
        String timeout =
                pick(requestTimeout == null ? null : requestTimeout.toString(), file.get("request-timeout"), null);
        if (timeout != null) l = l.withRequestTimeout(Duration.ofSeconds(number(timeout, "--request-timeout")));
        return l;
    }

    private static int number(String text, String option) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + text + "' is not a whole number");
        }
    }

    private Path dockerPluginSocket(Map<String, String> file) {
        String p = pick(str(dockerPlugin), file.get("docker-plugin"), null);
        if (p == null) return null;
        if (!p.endsWith(".sock"))
            throw new IllegalArgumentException(
                    "--docker-plugin: '" + p + "' must end in .sock (dockerd names the driver after the file)");
        return Path.of(p);
    }

    private DaemonConfig.Cluster cluster(Map<String, String> file) {
        String store = pick(clusterStore, file.get("cluster-store"), null);
        String stat = pick(str(clusterStatic), file.get("cluster-static"), null);
        if (store != null && stat != null)
            throw new IllegalArgumentException(
                    "--cluster-store and --cluster-static exclude each other: choose etcd or a static host list");
        if (store == null && stat == null) {
            if (clusterPrefix != null || publicIp != null || iface != null)
                throw new IllegalArgumentException(
                        "--cluster-prefix, --public-ip and --iface need --cluster-store or --cluster-static");
            return null;
        }
        return new DaemonConfig.Cluster(
                store,
                stat == null ? null : Path.of(stat),
                pick(clusterPrefix, file.get("cluster-prefix"), null),
                pick(publicIp, file.get("public-ip"), null),
                pick(iface, file.get("iface"), null));
    }

    static Map<String, String> readConfig(Path f) throws Exception {
        if (!Files.isReadable(f)) throw new IllegalArgumentException("--config: cannot read " + f);
        JsonNode root;
        try {
            root = Json.parse(Files.readAllBytes(f));
        } catch (BerthException.InvalidRequest e) {
            throw new IllegalArgumentException(f + ": " + e.getMessage().replaceFirst("^body: ", ""));
        }
        if (!root.isObject())
            throw new IllegalArgumentException(f + ": expected a JSON object of option names and values");
        Map<String, String> out = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            var e = it.next();
            String key = e.getKey();
            if (!FILE_KEYS.contains(key))
                throw new IllegalArgumentException(f + ": unknown key '" + key + "'; known: "
                        + String.join(", ", FILE_KEYS.stream().sorted().toList()));
            out.put(key, configValue(f, key, e.getValue()));
        }
        return out;
    }

    /** A config value as its flag would give it; a value of the wrong JSON type is refused, naming the key. */
    private static String configValue(Path f, String key, JsonNode v) {
        if (key.equals("default-address-pools")) return DockerdOptions.pools(f, v);
        if (BOOLEAN_KEYS.contains(key)) {
            if (!v.isBoolean())
                throw new IllegalArgumentException(f + ": " + key + ": expected true or false, got " + v);
            return v.asText();
        }
        if (NUMBER_KEYS.contains(key)) {
            if (!v.isIntegralNumber())
                throw new IllegalArgumentException(f + ": " + key + ": expected a whole number, got " + v);
            return v.asText();
        }
        if (v.isArray() && LIST_KEYS.contains(key)) {
            List<String> items = new ArrayList<>();
            for (JsonNode x : v) {
                if (!x.isTextual()) throw new IllegalArgumentException(f + ": " + key + ": expected strings, got " + x);
                items.add(x.asText());
            }
            return String.join(",", items);
        }
        if (!v.isTextual())
            throw new IllegalArgumentException(f + ": " + key + ": expected a string"
                    + (LIST_KEYS.contains(key) ? " or a list of strings" : "") + ", got " + v);
        return v.asText();
    }

    private static String str(Path p) {
        return p == null ? null : p.toString();
    }

    private static String pick(String flag, String file, String fallback) {
        return flag != null ? flag : file != null ? file : fallback;
    }

    /** {@code berthd --version}: Berth's version and the Docker Engine API it answers. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "berthd version " + BerthVersion.berth() + " (Docker Engine API " + ApiVersions.CURRENT + ")"
            };
        }
    }

    public static void main(String[] args) {
        EarlyListener early = listenEarly(args);
        int code;
        try {
            code = new CommandLine(new Berthd(early)).execute(args);
        } finally {
            if (early != null) early.close(); // a failed start's; nothing once the API server took it
        }
        if (code != 0) System.exit(code);
    }

    /**
     * The API socket bound before picocli and the daemon's classes load, answering {@code /_ping} at once;
     * null when the command line does not say plainly which socket ({@link EarlyArgs}) or the bind fails
     * (then {@link Daemon#start} binds, or reports why it cannot).
     */
    private static EarlyListener listenEarly(String[] args) {
        Optional<Path> socket = EarlyArgs.socket(args, System.getenv());
        if (socket.isEmpty()) return null;
        try {
            return EarlyListener.bind(socket.get());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
