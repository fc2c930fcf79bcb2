package dev.berth.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.http.Api;
import dev.berth.cli.http.ApiError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code berth run [OPTIONS] IMAGE [COMMAND] [ARG...]}, as {@code docker run}: creates a container from
 * an image (its default command, environment, working directory and user unless the options or the
 * command say otherwise) and starts it. Options end at the image, the first word that is not an option;
 * every word after it belongs to the command.
 */
@Command(
        name = "run",
        description = "Create and run a new container from an image",
        footer = {
            "",
            "Examples:",
            "  berth run -itd --rm --name milk busybox",
            "  berth run -d --name coffee -p 8080:80 nginx",
            "  berth run --rm --network greatwall busybox ping -c1 beijing"
        })
public final class RunCommand extends BaseCommand {
    /** How long start waits for the daemon to confirm the wait (dockerd and berthd answer at once). */
    private static final Duration WAIT_REGISTERED = Duration.ofSeconds(2);

    @Option(
            names = {"-d", "--detach"},
            description = "Run in the background and print the container ID")
    boolean detach;

    @Option(names = "--rm", description = "Remove the container when it exits")
    boolean autoRemove;

    @Option(names = "--name", description = "Assign a name to the container")
    String name;

    @Option(
            names = {"-t", "--tty"},
            description = "Allocate a pseudo-TTY")
    boolean tty;

    @Option(
            names = {"-i", "--interactive"},
            description = "Keep STDIN open even if not attached")
    boolean interactive;

    @Option(names = "--detach-keys", description = "Override the key sequence for detaching (default ctrl-p,ctrl-q)")
    String detachKeys;

    @Option(
            names = {"-u", "--user"},
            description = "Username or UID (format: <name|uid>[:<group|gid>])")
    String user;

    @Option(names = "--entrypoint", description = "Overwrite the default ENTRYPOINT of the image")
    String entrypoint;

    @Mixin
    ProcessOptions process;

    @Option(
            names = {"-l", "--label"},
            description = "Set meta data on a container (repeatable)")
    List<String> labels = new ArrayList<>();

    @Option(
            names = {"--network", "--net"},
            description = "Connect to a network: bridge (default), NAME, host, none, container:NAME")
    String network;

    @Option(names = "--ip", description = "IPv4 address (e.g. 172.30.100.104)")
    String ip;

    @Option(names = "--ip6", description = "IPv6 address")
    String ip6;

    @Option(
            names = {"--network-alias", "--net-alias"},
            description = "Network-scoped alias (repeatable)")
    List<String> aliases = new ArrayList<>();

    @Option(names = "--mac-address", description = "Container MAC address (e.g. 92:d0:c6:0a:29:33)")
    String mac;

    @Option(
            names = {"-p", "--publish"},
            description = "Publish a port: [ip:][hostPort:]containerPort[/proto] (repeatable)")
    List<String> publish = new ArrayList<>();

    @Option(
            names = {"-P", "--publish-all"},
            description = "Publish all exposed ports to random host ports")
    boolean publishAll;

    @Option(names = "--expose", description = "Expose a port or a range of ports (repeatable)")
    List<String> expose = new ArrayList<>();

    @Option(
            names = {"-h", "--hostname"},
            description = "Container host name")
    String hostname;

    @Option(names = "--dns", description = "Set custom DNS servers (repeatable)")
    List<String> dns = new ArrayList<>();

    @Option(names = "--dns-search", description = "Set custom DNS search domains (repeatable)")
    List<String> dnsSearch = new ArrayList<>();

    @Option(names = "--dns-option", description = "Set DNS options (repeatable)")
    List<String> dnsOptions = new ArrayList<>();

    @Option(
            names = "--add-host",
            description = "Add a custom host-to-IP mapping (host:ip; host-gateway for the gateway)")
    List<String> addHosts = new ArrayList<>();

    @Option(
            names = {"-v", "--volume"},
            description = "Bind mount a host path or a named volume: SRC:DST[:ro] (repeatable)")
    List<String> volumes = new ArrayList<>();

    @Option(names = "--tmpfs", description = "Mount a tmpfs directory: DST[:OPTIONS] (repeatable)")
    List<String> tmpfs = new ArrayList<>();

    @Option(names = "--read-only", description = "Mount the container's root filesystem as read only")
    boolean readOnly;

    @Option(names = "--privileged", description = "Give extended privileges to this container")
    boolean privileged;

    @Option(names = "--cap-add", description = "Add Linux capabilities (repeatable)")
    List<String> capAdd = new ArrayList<>();

    @Option(names = "--cap-drop", description = "Drop Linux capabilities (repeatable)")
    List<String> capDrop = new ArrayList<>();

    @Option(names = "--security-opt", description = "Security options (seccomp=unconfined, no-new-privileges)")
    List<String> securityOpts = new ArrayList<>();

    @Option(
            names = {"-m", "--memory"},
            description = "Memory limit (e.g. 64m)")
    String memory;

    @Option(names = "--cpus", description = "Number of CPUs")
    String cpus;

    @Option(names = "--pids-limit", description = "Tune container pids limit (-1 for unlimited)")
    Long pidsLimit;

    @Option(names = "--ulimit", description = "Ulimit options: NAME=SOFT[:HARD] (repeatable)")
    List<String> ulimits = new ArrayList<>();

    @Option(names = "--restart", description = "Restart policy: no, always, on-failure[:N], unless-stopped")
    String restart;

    @Option(names = "--stop-signal", description = "Signal to stop the container")
    String stopSignal;

    @Option(names = "--stop-timeout", description = "Timeout (in seconds) to stop a container")
    Integer stopTimeout;

    @Parameters(
            paramLabel = "IMAGE [COMMAND] [ARG...]",
            arity = "1..*",
            description = "The image, then the command and its arguments")
    List<String> words = new ArrayList<>();

    /** What the positional words mean: the image, then the command (empty: the image's default). */
    record Invocation(String image, List<String> command) {}

    /** The image is the first word, the command all the others (docker's rule). */
    static Invocation split(List<String> words) {
        if (words.isEmpty()) throw new UsageError("\"berth run\" requires at least 1 argument");
        if (words.getFirst().startsWith("-")) throw new UsageError("unknown flag: " + words.getFirst());
        return new Invocation(words.getFirst(), List.copyOf(words.subList(1, words.size())));
    }

    @Override
    public Integer call() {
        Invocation inv = split(words);
        if (tty && interactive && !detach && !Terminal.stdinIsTerminal()) {
            err().println("berth: the input device is not a TTY");
            return UsageError.STATUS;
        }
        JsonNode created;
        try {
            created = api().post("/containers/create" + (name == null ? "" : "?name=" + Api.enc(name)), body(inv));
        } catch (ApiError e) {
            err().println("berth: Error response from daemon: " + e.getMessage() + ".");
            err().println("See 'berth run --help'.");
            return UsageError.STATUS;
        }
        String id = text(created, "Id");
        for (JsonNode w : created.path("Warnings")) err().println("WARNING: " + w.asText());
        return detach ? startDetached(id) : runAttached(id);
    }

    private int startDetached(String id) {
        try {
            api().post("/containers/" + id + "/start", null);
        } catch (ApiError e) {
            return startFailed(e);
        }
        out().println(id);
        return 0;
    }

    /**
     * Attach (hijacked), register the wait, start, then print everything until the stream ends and exit
     * with the command's status, as {@code docker run} in the foreground does. With {@code -t} the user's
     * terminal is raw meanwhile and its size is the container's.
     */
    private int runAttached(String id) {
        String attach = "/containers/" + id + "/attach?stream=1&stdout=1&stderr=1" + (interactive ? "&stdin=1" : "")
                + (detachKeys == null ? "" : "&detachKeys=" + Api.enc(detachKeys));
        try (Api.Exchange ex = api().open("POST", attach, null, true)) {
            Thread output = Hijack.output(ex, out(), err(), tty);
            Api.Pending wait = api().postNow(
                            "/containers/" + id + "/wait?condition=" + (autoRemove ? "removed" : "next-exit"), null);
            wait.awaitHeaders(WAIT_REGISTERED);
            try {
                api().post("/containers/" + id + "/start", null);
            } catch (ApiError e) {
                wait.cancel();
                return startFailed(e);
            }
            try (Terminal raw = tty && interactive ? Terminal.raw() : null) {
                if (tty) resizeQuietly(id);
                if (interactive) Hijack.input(ex, io().in());
                Thread forward = Thread.ofPlatform().unstarted(() -> killQuietly(id));
                Runtime.getRuntime().addShutdownHook(forward); // Ctrl-C stops the container too (docker's sig-proxy)
                Hijack.join(output);
                JsonNode result = wait.await();
                try {
                    Runtime.getRuntime().removeShutdownHook(forward);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running already
                }
                JsonNode error = result == null ? null : result.path("Error").path("Message");
                if (error != null && !error.isMissingNode() && !error.asText().isEmpty())
                    err().println("berth: " + error.asText());
                return result == null ? 0 : result.path("StatusCode").asInt();
            }
        }
    }

    private void resizeQuietly(String id) {
        int[] size = Terminal.size();
        if (size == null) return;
        try {
            api().post("/containers/" + id + "/resize?h=" + size[0] + "&w=" + size[1], null);
        } catch (RuntimeException ignored) {
            // the container keeps its default size
        }
    }

    private void killQuietly(String id) {
        try {
            api().post("/containers/" + id + "/kill?signal=TERM", null);
        } catch (RuntimeException ignored) {
            // it has exited already
        }
    }

    /** docker's statuses: 127 command not found, 126 not executable, 125 anything else. */
    private int startFailed(ApiError e) {
        err().println("berth: Error response from daemon: " + e.getMessage() + ".");
        String m = e.getMessage().toLowerCase(Locale.ROOT);
        if (m.contains("not found") && (m.contains("executable") || m.contains("no such file"))) return 127;
        if (m.contains("permission denied") || m.contains("not executable")) return 126;
        return UsageError.STATUS;
    }

    ObjectNode body(Invocation inv) {
        ObjectNode b = object();
        if (hostname != null) b.put("Hostname", hostname);
        if (user != null) b.put("User", user);
        b.put("AttachStdin", interactive && !detach);
        b.put("AttachStdout", !detach);
        b.put("AttachStderr", !detach);
        b.put("OpenStdin", interactive);
        b.put("StdinOnce", interactive && !detach);
        b.put("Tty", tty);
        process.environment(io().env()).forEach(b.putArray("Env")::add);
        if (!inv.command().isEmpty()) inv.command().forEach(b.putArray("Cmd")::add);
        b.put("Image", inv.image());
        if (entrypoint != null) b.putArray("Entrypoint").add(entrypoint);
        if (process.workdir != null) b.put("WorkingDir", process.workdir);
        if (!labels.isEmpty()) {
            ObjectNode l = b.putObject("Labels");
            for (String kv : labels)
                l.put(
                        kv.contains("=") ? kv.substring(0, kv.indexOf('=')) : kv,
                        kv.contains("=") ? kv.substring(kv.indexOf('=') + 1) : "");
        }
        if (stopSignal != null) b.put("StopSignal", stopSignal);
        if (stopTimeout != null) b.put("StopTimeout", stopTimeout);
        ObjectNode exposed = b.putObject("ExposedPorts");
        ObjectNode host = b.putObject("HostConfig");
        host.put("NetworkMode", network == null ? "bridge" : network);
        ObjectNode bindings = host.putObject("PortBindings");
        for (String p : publish) PortBindings.publish(p, exposed, bindings);
        for (String e : expose) PortBindings.expose(e, exposed);
        host.put("PublishAllPorts", publishAll);
        host.put("AutoRemove", autoRemove);
        dns.forEach(host.putArray("Dns")::add);
        if (!dnsSearch.isEmpty()) dnsSearch.forEach(host.putArray("DnsSearch")::add);
        if (!dnsOptions.isEmpty()) dnsOptions.forEach(host.putArray("DnsOptions")::add);
        if (!addHosts.isEmpty()) addHosts.forEach(host.putArray("ExtraHosts")::add);
        if (!volumes.isEmpty()) volumes.forEach(host.putArray("Binds")::add);
        if (!tmpfs.isEmpty()) {
            ObjectNode t = host.putObject("Tmpfs");
            for (String m : tmpfs)
                t.put(
                        m.contains(":") ? m.substring(0, m.indexOf(':')) : m,
                        m.contains(":") ? m.substring(m.indexOf(':') + 1) : "");
        }
        if (readOnly) host.put("ReadonlyRootfs", true);
        if (privileged) host.put("Privileged", true);
        if (!capAdd.isEmpty()) capAdd.forEach(host.putArray("CapAdd")::add);
        if (!capDrop.isEmpty()) capDrop.forEach(host.putArray("CapDrop")::add);
        if (!securityOpts.isEmpty()) securityOpts.forEach(host.putArray("SecurityOpt")::add);
        if (memory != null) host.put("Memory", Sizes.bytes(memory, "--memory"));
        if (cpus != null) host.put("NanoCpus", Sizes.nanoCpus(cpus));
        if (pidsLimit != null) host.put("PidsLimit", pidsLimit);
        if (!ulimits.isEmpty()) {
            var u = host.putArray("Ulimits");
            for (String spec : ulimits) u.add(Sizes.ulimit(spec));
        }
        if (restart != null) {
            ObjectNode r = host.putObject("RestartPolicy");
            int colon = restart.indexOf(':');
            r.put("Name", colon < 0 ? restart : restart.substring(0, colon));
            if (colon >= 0) {
                try {
                    r.put("MaximumRetryCount", Integer.parseInt(restart.substring(colon + 1)));
                } catch (NumberFormatException e) {
                    throw new UsageError("invalid restart policy '" + restart + "': the retry count must be a number");
                }
            }
        }
        if (tty) {
            int[] size = Terminal.size();
            if (size != null) host.putArray("ConsoleSize").add(size[0]).add(size[1]);
        }
        if (ip != null || ip6 != null || !aliases.isEmpty() || mac != null) {
            String net = network == null ? "bridge" : network;
            ObjectNode ep =
                    b.putObject("NetworkingConfig").putObject("EndpointsConfig").putObject(net);
            if (ip != null || ip6 != null) {
                ObjectNode ipam = ep.putObject("IPAMConfig");
                if (ip != null) ipam.put("IPv4Address", ip);
                if (ip6 != null) ipam.put("IPv6Address", ip6);
            }
            if (!aliases.isEmpty()) aliases.forEach(ep.putArray("Aliases")::add);
            if (mac != null) ep.put("MacAddress", mac);
        }
        return b;
    }
}
