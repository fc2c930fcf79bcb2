package dev.berth.daemon;

import dev.berth.cluster.ClusterAgent;
import dev.berth.cluster.ClusterOptions;
import dev.berth.daemon.api.ArchiveApi;
import dev.berth.daemon.api.BerthApi;
import dev.berth.daemon.api.ContainerOpsApi;
import dev.berth.daemon.api.ContainersApi;
import dev.berth.daemon.api.EventsApi;
import dev.berth.daemon.api.ExecApi;
import dev.berth.daemon.api.HostFacts;
import dev.berth.daemon.api.ImagesApi;
import dev.berth.daemon.api.NetworksApi;
import dev.berth.daemon.api.NotImplementedApi;
import dev.berth.daemon.api.SystemApi;
import dev.berth.daemon.api.VolumesApi;
import dev.berth.daemon.api.shapes.SystemInfo;
import dev.berth.daemon.cni.CniApi;
import dev.berth.daemon.containers.ContainerRecord;
import dev.berth.daemon.containers.Containers;
import dev.berth.daemon.containers.HostsFiles;
import dev.berth.daemon.containers.NameService;
import dev.berth.daemon.dockerdriver.DockerDriverApi;
import dev.berth.daemon.events.Events;
import dev.berth.daemon.http.ApiServer;
import dev.berth.daemon.http.BerthVersion;
import dev.berth.daemon.http.EarlyListener;
import dev.berth.daemon.http.Route;
import dev.berth.daemon.http.Router;
import dev.berth.daemon.http.StartupGate;
import dev.berth.daemon.http.SystemdSocket;
import dev.berth.daemon.trace.StageTrace;
import dev.berth.dns.EmbeddedDns;
import dev.berth.engine.Engine;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.explain.FirewallKind;
import dev.berth.engine.firewall.Firewall;
import dev.berth.engine.firewall.IptablesFirewall;
import dev.berth.engine.firewall.NftablesFirewall;
import dev.berth.engine.firewall.NoFirewall;
import dev.berth.engine.tx.Faults;
import dev.berth.model.BerthException;
import dev.berth.model.log.Log;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.runtime.ContainerRuntime;
import dev.berth.runtime.RuntimeConfig;
import dev.berth.runtime.containerd.Containerd;
import dev.berth.runtime.containerd.ContainerdRuntime;
import dev.berth.runtime.containerd.ManagedContainerd;
import dev.berth.runtime.image.ImageStore;
import dev.berth.runtime.image.ImageUsers;
import dev.berth.runtime.image.InsecureRegistries;
import dev.berth.runtime.image.RegistryClient;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A running berthd: the engine on the namespace the daemon was started in (which plays the host), and
 * the API server in front of it. Closing it stops serving and leaves every sandbox and its networking
 * in place for the next start.
 */
public final class Daemon implements AutoCloseable {
    private static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");
    /** None outside crash tests (see {@link CrashPoints}) and the connect benchmark ({@link StageTrace}). */
    private static final Faults CRASH_POINTS = StageTrace.fromEnvironment(CrashPoints.fromEnvironment());

    private final DaemonConfig config;
    private final FileLock stateLock;
    private final FileLock netnsLock;
    private final Engine engine;
    private final NetnsHandle hostNetns;
    private final ClusterAgent cluster;
    private final EmbeddedNames names;
    private final ContainerRuntime runtime;
    private final Containers containers;
    private final ImageService images;
    private final ExecutorService workers;
    private final ApiServer server;
    private final ApiServer pluginServer;

    private Daemon(
            DaemonConfig config,
            FileLock stateLock,
            FileLock netnsLock,
            NetnsHandle hostNetns,
            ClusterAgent cluster,
            Engine engine,
            EmbeddedNames names,
            ContainerRuntime runtime,
            ImageService images,
            Early early) {
        this.config = config;
        this.server = early.api();
        this.pluginServer = early.plugin();
        this.workers = early.workers();
        this.hostNetns = hostNetns;
        this.stateLock = stateLock;
        this.netnsLock = netnsLock;
        this.cluster = cluster;
        this.engine = engine;
        this.names = names;
        this.runtime = runtime;
        this.images = images;
        NameService ns = names == null ? NameService.NONE : names;
        this.containers = new Containers(
                engine,
                runtime,
                new StoreImages(images::store),
                config.stateDir(),
                config.runDir(),
                config.cgroupParent(),
                new HostsFiles(
                        RESOLV_CONF,
                        ns,
                        config.dockerd().dnsSearch(),
                        config.dockerd().dnsOptions()),
                ns);
        this.containers.crashPoints(CRASH_POINTS);
    }

    /**
     * Starts everything or nothing; the message of a StartupException is what the operator must fix. The
     * API socket is bound (or taken from systemd) first and answers ping and version at once; other
     * requests wait until the rest is ready ({@link StartupGate}).
     */
    public static Daemon start(DaemonConfig config) throws StartupException {
        return start(config, null);
    }

    /**
     * As above, serving on the socket {@code main} bound before parsing anything ({@link EarlyListener}, or
     * null), which has answered pings meanwhile; the caller closes it if this fails.
     */
    public static Daemon start(DaemonConfig config, EarlyListener bound) throws StartupException {
        requireRoot();
        DaemonConfig c = config;
        EarlyListener early = bound;
        if (early != null && !early.socket().equals(c.socket())) {
            Log.warn("the socket bound at start is not the configured one; binding again", "bound", early.socket());
            early.close();
            early = null;
        }
        Optional<SystemdSocket> inherited;
        try {
            inherited = SystemdSocket.inherited();
            // before anything touches the kernel: another daemon may own the socket
            if (inherited.isEmpty() && early == null) ApiServer.claim(c.socket());
        } catch (IOException e) {
            throw new StartupException(e.getMessage(), e);
        }
        if (inherited.isPresent()) {
            Path passed = inherited.get().path();
            // the unit's ListenStream= decides; say so rather than drop --socket without a word
            if (!passed.equals(c.socket()))
                Log.info(
                        "serving on the socket systemd passed, not on --socket",
                        "socket",
                        passed,
                        "not_used",
                        c.socket());
            c = c.withSocket(passed);
        }
        FileLock netnsLock = lockNetns();
        FileLock lock;
        try {
            lock = lockState(c.stateDir());
        } catch (StartupException e) {
            release(netnsLock);
            throw e;
        }
        Early listening;
        try {
            listening = Early.listen(c, inherited, early);
        } catch (IOException e) {
            release(lock);
            release(netnsLock);
            throw new StartupException(e.getMessage(), e);
        }
        try {
            return startBehind(c, lock, netnsLock, listening);
        } catch (StartupException | RuntimeException e) {
            listening.fail(e);
            throw e;
        }
    }

    /**
     * The sockets bound before the daemon is ready, with the workers that serve them: the API's, answering
     * ping and version while the rest starts, and the network driver's (when configured), answering nothing
     * until ready, so that whoever reaches either early waits instead of failing.
     */
    private record Early(
            ApiServer api, StartupGate apiGate, ApiServer plugin, StartupGate pluginGate, ExecutorService workers) {
        static Early listen(DaemonConfig c, Optional<SystemdSocket> inherited, EarlyListener bound) throws IOException {
            ExecutorService workers = Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name("api-", 0).factory());
            StartupGate apiGate = StartupGate.starting(SystemApi.registerEarly(new Router()));
            StartupGate pluginGate = StartupGate.starting(new Router());
            ApiServer plugin = null;
            try {
                if (c.dockerPlugin() != null) plugin = ApiServer.start(c.dockerPlugin(), pluginGate, workers, c.api());
                ApiServer api = inherited.isPresent()
                        ? ApiServer.adopt(inherited.get(), apiGate, workers, c.api())
                        : bound != null
                                ? ApiServer.adopt(bound, apiGate, workers, c.api())
                                : ApiServer.start(c.socket(), apiGate, workers, c.api());
                if (bound != null) {
                    // pings were answered since the bind; the connections held there go to the server now
                    Log.info(
                            "api socket bound before the options were parsed",
                            "socket",
                            bound.socket(),
                            "ms_since_spawn_at_bind",
                            sinceSpawnMillis() - bound.millisSinceBind());
                    bound.handOver();
                }
                Log.info(
                        "api socket ready; other requests wait for the start",
                        "socket",
                        api.socket(),
                        "from",
                        inherited.isPresent() ? "systemd" : bound != null ? "early bind" : "bind",
                        "ms_since_spawn",
                        sinceSpawnMillis());
                return new Early(api, apiGate, plugin, pluginGate, workers);
            } catch (IOException | RuntimeException e) {
                if (plugin != null) plugin.close();
                workers.shutdownNow();
                throw e;
            }
        }

        void fail(Throwable cause) {
            apiGate.fail(cause);
            pluginGate.fail(cause);
            api.close();
            if (plugin != null) plugin.close();
            workers.shutdownNow();
        }
    }

    private static long sinceSpawnMillis() {
        return ProcessHandle.current()
                .info()
                .startInstant()
                .map(t -> Duration.between(t, Instant.now()).toMillis())
                .orElse(-1L);
    }

    private static Daemon startBehind(DaemonConfig c, FileLock lock, FileLock netnsLock, Early early)
            throws StartupException {
        NetnsHandle host = Netns.current();
        ClusterAgent cluster = null;
        Engine engine;
        try {
            Files.createDirectories(c.runDir());
            for (String w : c.dockerd().warnings()) Log.warn(w);
            EngineConfig ec = EngineConfig.of(
                            c.stateDir().resolve("engine"),
                            host,
                            c.dockerd().iptables() ? firewall(c.firewall()) : h -> new NoFirewall())
                    .withNetnsPrefix(c.netnsPrefix())
                    .withFaults(CRASH_POINTS)
                    .withNetworkDefaults(c.dockerd().network());
            if (c.dockerd().mtu() != null) ec = ec.withMtu(c.dockerd().mtu());
            if (c.cluster() != null) {
                if (c.bip() != null || c.bridge() != null)
                    throw new StartupException(
                            "--bip and -b exclude cluster mode: the cluster leases this host's default bridge subnet",
                            null);
                if (c.dockerd().mtu() != null)
                    throw new StartupException(
                            "--mtu excludes cluster mode: the cluster sets the default bridge's MTU for its backend",
                            null);
                cluster = ClusterAgent.start(clusterOptions(c.cluster()), host, c.runDir());
                ec = ec.withBip(cluster.bip())
                        .withClusterNetwork(cluster.clusterNetwork().toString())
                        .withMtu(cluster.mtu());
            }
            if (c.bip() != null) ec = ec.withBip(c.bip());
            if (c.bridge() != null) ec = ec.withExistingBridge(c.bridge());
            engine = Engine.start(ec);
        } catch (StartupException e) {
            if (cluster != null) cluster.close();
            release(lock);
            release(netnsLock);
            throw e;
        } catch (RuntimeException | IOException | UnsatisfiedLinkError e) {
            if (cluster != null) cluster.close();
            release(lock);
            release(netnsLock);
            throw new StartupException(
                    (cluster == null && c.cluster() != null ? "cannot join the cluster: " : "cannot start the engine: ")
                            + e.getMessage(),
                    e);
        }
        EmbeddedNames names = null;
        if (c.embeddedDns()) {
            try {
                names = new EmbeddedNames(
                        engine,
                        EmbeddedDns.start(EmbeddedNames.config(host, RESOLV_CONF, c.dns())),
                        readQuietly(RESOLV_CONF));
            } catch (RuntimeException e) {
                engine.close();
                if (cluster != null) cluster.close();
                release(lock);
                release(netnsLock);
                throw new StartupException("cannot start the embedded DNS: " + e.getMessage(), e);
            }
        }
        ContainerRuntime runtime;
        ImageService images;
        try {
            RuntimeConfig rc =
                    new RuntimeConfig(c.containerd(), c.stateDir(), c.runDir(), "berth", c.cgroupParent(), "overlayfs");
            runtime = Runtimes.open(rc);
            images = new ImageService(
                    rc.containerdSocket() != null
                            ? rc.containerdSocket()
                            : new ManagedContainerd.Config(c.stateDir(), c.runDir(), null).socket(),
                    runtime instanceof ContainerdRuntime cr ? cr.client() : null,
                    c.dockerd().insecureRegistries());
        } catch (RuntimeException e) {
            if (names != null) names.close();
            engine.close();
            if (cluster != null) cluster.close();
            release(lock);
            release(netnsLock);
            throw new StartupException("cannot reach containerd: " + e.getMessage(), e);
        }
        Daemon d = new Daemon(c, lock, netnsLock, host, cluster, engine, names, runtime, images, early);
        try {
            d.containers.recover();
            // the driver first: whoever sees the API answer may use the driver at once
            early.pluginGate().open(d.driverRoutes());
            early.apiGate().open(d.routes());
        } catch (RuntimeException e) {
            d.close();
            throw new StartupException(e.getMessage(), e);
        }
        Log.info(
                "berthd ready",
                "socket",
                c.socket(),
                "state",
                c.stateDir(),
                "firewall",
                c.firewall(),
                "dns",
                c.embeddedDns() ? "127.0.0.11 in each sandbox" : "host resolv.conf",
                "cluster",
                cluster == null ? "none" : cluster.hostSubnet() + " of " + cluster.clusterNetwork(),
                "networks",
                engine.networks().size(),
                "sandboxes",
                engine.sandboxes().size());
        return d;
    }

    private Router routes() {
        return routes(new RouteParts(
                engine,
                containers,
                containers.events(),
                images::store,
                this::imageUsers,
                hostNetns,
                config.firewall().equals("iptables") ? FirewallKind.IPTABLES : FirewallKind.NFTABLES,
                cluster,
                new CniApi(engine, config.stateDir().resolve("cni"), config.socket(), this::networksChanged),
                this::info,
                this::networksChanged));
    }

    /** What the API's handlers work on. */
    private record RouteParts(
            Engine engine,
            Containers containers,
            Events events,
            Supplier<ImageStore> images,
            ImageUsers imageUsers,
            NetnsHandle hostNetns,
            FirewallKind firewall,
            ClusterAgent cluster,
            CniApi cni,
            Supplier<SystemInfo> info,
            Runnable networksChanged) {}

    /** Every route of the API, registered in this one place. */
    private static Router routes(RouteParts p) {
        Router r = new Router();
        SystemApi.register(r, p.info());
        new NetworksApi(p.engine(), p.containers(), p.networksChanged())
                .withEvents(p.events())
                .register(r);
        new ContainersApi(p.containers()).register(r);
        new ContainerOpsApi(p.containers()).register(r);
        new ArchiveApi(p.containers()).register(r);
        new ExecApi(p.containers()).register(r);
        new VolumesApi(p.containers()).register(r);
        new NotImplementedApi(p.containers()).register(r);
        new ImagesApi(p.images(), p.imageUsers()).withEvents(p.events()).register(r);
        new EventsApi(p.events()).register(r);
        new BerthApi(p.engine(), p.containers(), p.hostNetns(), p.firewall(), p.cluster()).register(r);
        CniApi.register(r, p.cni());
        return r;
    }

    /**
     * Every route berthd serves, in the order they are tried, with nothing behind the handlers (never call
     * them): ApiFuzzTest walks this table, so a route added above is fuzzed without anyone listing it.
     */
    public static List<Route> routeTable() {
        return routes(new RouteParts(
                        null,
                        null,
                        null,
                        () -> null,
                        imageId -> List.of(),
                        null,
                        FirewallKind.NFTABLES,
                        null,
                        null,
                        () -> null,
                        () -> {}))
                .routes();
    }

    /** Docker's remote network driver protocol, on its own socket (see {@link DockerDriverApi}). */
    private Router driverRoutes() {
        Router r = new Router();
        new DockerDriverApi(engine, config.stateDir().resolve("docker-driver"), this::networksChanged).register(r);
        return r;
    }

    /** The containers made from an image, which keep it from removal and prune. */
    private List<ImageUsers.User> imageUsers(String imageId) {
        List<ImageUsers.User> out = new ArrayList<>();
        for (var r : containers.list()) {
            try {
                String id = r.imageId() != null
                        ? r.imageId()
                        : images.store().resolve(r.image()).id();
                if (id.equals(imageId)) out.add(new ImageUsers.User(r.id(), containers.isRunning(r.id())));
            } catch (BerthException.NotFound | BerthException.InvalidRequest gone) {
                // its image is gone or was never an image of the store
            }
        }
        return out;
    }

    /**
     * berthd's image store over containerd (namespace {@code berth}): the one place it is built, on the
     * containerd the runtime uses (given with --containerd, or berthd's managed one), connected at first use.
     */
    static final class ImageService implements AutoCloseable {
        private final Path socket;
        /** The runtime's connection when it is containerd's (the runtime closes it), else null. */
        private final Containerd shared;

        private final InsecureRegistries insecure;
        /** The connection this service opened itself (only without a shared one), closed with it. */
        private Containerd client;

        private ImageStore store;

        ImageService(Path socket, Containerd shared, InsecureRegistries insecure) {
            this.socket = socket;
            this.shared = shared;
            this.insecure = insecure;
        }

        synchronized ImageStore store() {
            if (store == null) {
                if (shared == null) client = Containerd.connect(socket, "berth");
                store = ImageStore.open(shared != null ? shared : client, new RegistryClient(insecure));
            }
            return store;
        }

        @Override
        public synchronized void close() {
            if (client != null) client.close();
        }
    }

    /** Something that names resolve from changed (a network, an endpoint, a container). */
    private void networksChanged() {
        if (names != null) names.refresh();
    }

    private static ClusterOptions clusterOptions(DaemonConfig.Cluster c) {
        ClusterOptions o =
                c.store() != null ? ClusterOptions.etcd(c.store()) : ClusterOptions.staticFile(c.staticFile());
        if (c.prefix() != null) o = o.withPrefix(c.prefix());
        if (c.publicIp() != null) o = o.withPublicIp(c.publicIp());
        if (c.iface() != null) o = o.withIface(c.iface());
        return o;
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    private SystemInfo info() {
        List<ContainerRecord> all = containers.list();
        return SystemInfo.of(
                        hostName(),
                        BerthVersion.DOCKER_COMPATIBLE,
                        all.size(),
                        all.stream().filter(x -> containers.isRunning(x.id())).count(),
                        all.stream().filter(x -> containers.isPaused(x.id())).count(),
                        HostFacts.info(),
                        config.stateDir().toString())
                .withRegistryConfig(SystemInfo.RegistryConfig.of(
                        config.dockerd().insecureRegistries().names(),
                        config.dockerd().insecureRegistries().cidrs().stream()
                                .map(Object::toString)
                                .toList()));
    }

    private static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            return "berth";
        }
    }

    public Engine engine() {
        return engine;
    }

    public DaemonConfig config() {
        return config;
    }

    @Override
    public synchronized void close() {
        if (server != null) server.close();
        if (pluginServer != null) pluginServer.close();
        workers.shutdownNow();
        containers.close();
        runtime.close();
        images.close();
        if (names != null) names.close();
        engine.close();
        if (cluster != null) cluster.close();
        release(stateLock);
        release(netnsLock);
    }

    private static Function<NetnsHandle, Firewall> firewall(String name) {
        return name.equals("iptables") ? IptablesFirewall::new : NftablesFirewall::new;
    }

    private static void requireRoot() throws StartupException {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("Uid:") && !line.split("\\s+")[2].equals("0"))
                    throw new StartupException(
                            "berthd must run as root (it creates namespaces, links and firewall rules)", null);
        } catch (IOException e) {
            throw new StartupException("cannot read /proc/self/status: " + e.getMessage(), e);
        }
    }

    /**
     * One daemon per network namespace: a second one would take the first one's bridges and namespaces
     * for leftovers. The lock file is named after the namespace's inode.
     */
    private static FileLock lockNetns() throws StartupException {
        try {
            Object ino = Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino");
            Path dir = Path.of("/run/berth-netns-locks");
            Files.createDirectories(dir);
            FileChannel ch = FileChannel.open(
                    dir.resolve("net-" + ino + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = ch.tryLock();
            if (lock == null) {
                ch.close();
                throw new StartupException(
                        "another berthd already runs in this network namespace (net:[" + ino + "])", null);
            }
            return lock;
        } catch (IOException e) {
            throw new StartupException("cannot lock the network namespace: " + e.getMessage(), e);
        }
    }

    /** One daemon per state directory: a second one would undo the first one's work on reconcile. */
    private static FileLock lockState(Path stateDir) throws StartupException {
        try {
            Files.createDirectories(stateDir);
            FileChannel ch = FileChannel.open(
                    stateDir.resolve("berthd.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = ch.tryLock();
            if (lock == null) {
                ch.close();
                throw new StartupException("another berthd is using the state directory " + stateDir, null);
            }
            return lock;
        } catch (IOException e) {
            throw new StartupException("cannot lock the state directory " + stateDir + ": " + e.getMessage(), e);
        }
    }

    private static void release(FileLock lock) {
        try {
            lock.release();
            lock.channel().close();
        } catch (IOException ignored) {
            // the lock goes with the process anyway
        }
    }

    /** berthd cannot start; the message says why and what to do. */
    public static final class StartupException extends Exception {
        public StartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
