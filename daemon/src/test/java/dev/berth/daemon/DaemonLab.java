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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A lab where a real berthd process runs inside the namespace "host" (started with nsenter, as users
 * are told to) with its own managed containerd (which therefore runs there too), an outside machine
 * "ext" is wired to it (host 192.0.2.1/24, ext 192.0.2.2/24), and the real docker CLI talks to the
 * daemon's socket. {@link #withImages} loads {@code busybox} and the {@code nginx} stand-in ({@link SeedImages})
 * with {@code docker load}. Sandbox namespaces carry the lab's prefix and containers'
 * cgroups the lab's cgroup parent; at close containers are removed through the API, then containerd, its
 * shims, mounts and cgroups are cleaned up whatever happened.
 */
final class DaemonLab implements AutoCloseable {
    static final String DOCKER = findDocker();
    /** The launcher users run (make build prepares it; the module's package phase, before these tests, too). */
    static final Path BERTHD = findBerthd();

    private static final ObjectMapper JSON = new ObjectMapper();

    final Lab lab;
    final LabHost host;
    final LabHost ext;
    final Path dir;
    final Path socket;
    final String netnsPrefix;
    final String cgroupParent;
    private final List<String> extraFlags = new ArrayList<>();
    private final Map<String, String> env;
    private final List<String> wrapper;
    private LabProcess daemon;

    DaemonLab(Lab lab, String... flags) {
        this(lab, Map.of(), flags);
    }

    /** With {@code env} in berthd's environment at every start (crash tests arm {@code BERTH_TEST_CRASH_DIR}). */
    DaemonLab(Lab lab, Map<String, String> env, String... flags) {
        this(lab, List.of(), env, flags);
    }

    /**
     * With {@code wrapper} before bin/berthd on its command line (e.g. systemd-socket-activate -l SOCKET,
     * which passes berthd its listening socket); {@code SOCKET} in it stands for this lab's API socket.
     */
    DaemonLab(Lab lab, List<String> wrapper, Map<String, String> env, String... flags) {
        this.wrapper = List.copyOf(wrapper);
        this.env = Map.copyOf(env);
        this.lab = lab;
        this.host = lab.host("host");
        this.ext = lab.host("ext");
        lab.connect(host, "eth0", "192.0.2.1/24", ext, "eth0", "192.0.2.2/24");
        try {
            this.dir = Files.createTempDirectory("berthd-" + lab.runId() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.socket = dir.resolve("berth.sock");
        this.netnsPrefix = lab.prefix("sb-");
        this.cgroupParent = "/" + lab.prefix("berth");
        extraFlags.addAll(List.of(flags));
        try {
            start();
        } catch (RuntimeException | AssertionError e) {
            close();
            throw e;
        }
    }

    /** A lab whose berthd has the seeds' images ({@link SeedImages}: busybox, nginx) loaded with {@code docker load}. */
    static DaemonLab withImages(Lab lab, String... flags) {
        DaemonLab d = new DaemonLab(lab, flags);
        try {
            d.dockerOk("load", "-i", SeedImages.archive().toString());
        } catch (RuntimeException | AssertionError e) {
            d.close();
            throw e;
        }
        return d;
    }

    /** Starts berthd and waits until it answers {@code /_ping}. */
    void start() {
        List<String> cmd = new ArrayList<>();
        for (String w : wrapper) cmd.add(w.equals("SOCKET") ? socket.toString() : w);
        cmd.addAll(List.of(
                BERTHD.toString(),
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
                // the only resolver containers may forward to: the outside lab host (nothing outside the lab)
                "--dns",
                "192.0.2.2"));
        cmd.addAll(extraFlags);
        daemon = host.spawnDaemon(env, cmd.toArray(String[]::new));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) throw new IllegalStateException("berthd exited:\n" + daemon.output());
            if (answers()) return;
            sleep(50);
        }
        throw new IllegalStateException("berthd did not answer within 30 s:\n" + daemon.output());
    }

    /** Stops berthd and starts it again with {@code flags} instead of the ones it had (the lab's own stay). */
    void restartWith(String... flags) {
        stop();
        extraFlags.clear();
        extraFlags.addAll(List.of(flags));
        start();
    }

    /** Stops berthd with SIGTERM (containers and networking stay). */
    void stop() {
        if (daemon != null) daemon.close();
        daemon = null;
    }

    /** Kills berthd with SIGKILL, as a crash would. */
    void kill9() {
        Commands.run(List.of("kill", "-9", Long.toString(daemon.pid())));
        daemon.waitFor(Duration.ofSeconds(10));
        daemon = null;
    }

    /** Whether berthd died (killed itself at a crash point) within {@code timeout}; forgets it if so. */
    boolean died(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (daemon.isAlive() && System.nanoTime() < end) sleep(20);
        if (daemon.isAlive()) return false;
        daemon = null;
        return true;
    }

    /** berthd's process id. */
    long pid() {
        return daemon.pid();
    }

    String log() {
        return daemon == null ? "" : daemon.output();
    }

    private boolean answers() {
        return answers(socket);
    }

    /**
     * Whether berthd on {@code socket} is ready: {@code /info} answered 200. Its socket answers ping as
     * soon as it is bound, before the daemon is ready; other requests wait for it (StartupGate), or end
     * with the connection if berthd dies first.
     */
    static boolean answers(Path socket) {
        if (!Files.exists(socket)) return false;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap("GET /info HTTP/1.1\r\nHost: berth\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer head = ByteBuffer.allocate(12);
            CompletableFuture<Integer> read = new CompletableFuture<>();
            Thread.ofVirtual()
                    .start(
                            () -> { // closing the channel on a timeout ends this read
                                try {
                                    while (head.hasRemaining()) if (ch.read(head) < 0) break;
                                    read.complete(head.position());
                                } catch (IOException e) {
                                    read.completeExceptionally(e);
                                }
                            });
            try {
                read.get(30, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                return false;
            }
            return new String(head.array(), 0, head.position(), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The docker CLI against this daemon; returns whatever happened. */
    ExecResult docker(String... args) {
        return docker(socket, args);
    }

    /** The docker CLI against the daemon on {@code socket}. */
    static ExecResult docker(Path socket, String... args) {
        List<String> c = new ArrayList<>(List.of(DOCKER, "-H", "unix://" + socket));
        c.addAll(List.of(args));
        return Commands.run(c, Duration.ofSeconds(60), null);
    }

    /** The docker CLI; throws with its output when it fails. */
    String dockerOk(String... args) {
        ExecResult r = docker(args);
        if (!r.ok())
            throw new AssertionError("docker " + String.join(" ", args) + " failed (" + r.exitCode() + "):\n"
                    + r.stdout() + r.stderr() + "\n--- berthd log:\n" + tail(log()));
        return r.stdout();
    }

    /**
     * The docker CLI on a real terminal (util-linux {@code script} gives it a pseudo-terminal), as a user
     * types it: {@code input} is a shell snippet whose output is typed (with pauses: {@code sleep 1; printf ...}).
     * Returns the terminal's output (CR LF turned into LF) and the CLI's exit code.
     */
    ExecResult onTerminal(String input, String... args) {
        // script's terminal takes the size of ours, none here: give it one, as a user's terminal has
        StringBuilder cmd = new StringBuilder("stty rows 40 cols 100; " + DOCKER + " -H unix://" + socket);
        for (String a : args) cmd.append(" '").append(a.replace("'", "'\\''")).append("'");
        ExecResult r = Commands.run(
                List.of("sh", "-c", "(" + input + ") | script -qefc \"" + cmd + "\" /dev/null"),
                Duration.ofSeconds(60),
                null);
        return new ExecResult(r.command(), r.exitCode(), r.stdout().replace("\r\n", "\n"), r.stderr());
    }

    /** What {@code curl} gets from {@code url} on {@code from}, retried for 10 s while nothing answers; null if never. */
    static String http(LabHost from, String url) {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            ExecResult r = from.exec("curl", "-s", "--max-time", "3", url);
            if (r.ok() && !r.stdout().isEmpty()) return r.stdout();
            if (System.nanoTime() > end) return null;
            sleep(100);
        }
    }

    /** The first object of a docker inspect command's JSON output, e.g. {@code inspect("network", "inspect", "n")}. */
    JsonNode inspect(String... args) {
        try {
            return JSON.readTree(dockerOk(args)).get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A container's namespace, to run commands in as {@code ip netns exec berth-NAME} would. */
    LabHost in(String container) {
        return lab.existing(netnsPrefix + container);
    }

    @Override
    public void close() {
        try {
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
            ContainerLeftovers.clean(dir, cgroupParent);
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // a temp directory left behind is harmless
        }
    }

    static String tail(String s) {
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }

    private static Path findBerthd() {
        Path p = Path.of(System.getProperty("user.dir"))
                .toAbsolutePath()
                .getParent()
                .resolve("bin/berthd");
        if (!Files.isExecutable(p))
            throw new IllegalStateException("bin/berthd not found at " + p + ": run the tests from the daemon module");
        return p;
    }

    private static String findDocker() {
        for (String p : List.of("/usr/local/bin/docker", "/usr/bin/docker"))
            if (Files.isExecutable(Path.of(p))) return p;
        throw new IllegalStateException(
                "the docker CLI is needed by these tests and was not found in /usr/local/bin or /usr/bin");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
