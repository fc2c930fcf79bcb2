package dev.berth.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.Berth;
import dev.berth.cli.http.Api;
import dev.berth.cli.http.ApiError;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code berth run [OPTIONS] [IMAGE --] COMMAND [ARG...]}: creates a container (a sandbox whose process
 * runs from the host's filesystem) and starts it. Berth stores no images, so the image is optional:
 * without {@code --}, every word after the options is the command; with {@code --}, the one word
 * before it (if any) is the image name, recorded as docker would show it, and the words after it are
 * the command. Options end at the first word that is not an option, as with docker.
 */
@Command(name = "run", description = "Create and run a new container from a command on the host's filesystem",
        footer = {"", "Examples:", "  berth run -d --name beijing --network greatwall -p 8080:80 -- python3 -m http.server 80",
                "  berth run --rm alpine -- ip addr      (the image name is recorded; the command runs from the host)"})
public final class RunCommand extends BaseCommand {
    /** The image name sent when none is given: the process runs from the host's filesystem. */
    public static final String HOST_IMAGE = "host";
    /** How long start waits for the daemon to confirm the wait (dockerd and berthd answer at once). */
    private static final java.time.Duration WAIT_REGISTERED = java.time.Duration.ofSeconds(2);

    @Option(names = {"-d", "--detach"}, description = "Run in the background and print the container ID")
    boolean detach;
    @Option(names = "--rm", description = "Remove the container when it exits")
    boolean autoRemove;
    @Option(names = "--name", description = "Assign a name to the container")
    String name;
    @Option(names = {"--network", "--net"}, description = "Connect to a network: bridge (default), NAME, host, none, container:NAME")
    String network;
    @Option(names = "--ip", description = "IPv4 address (e.g. 172.30.100.104)")
    String ip;
    @Option(names = "--ip6", description = "IPv6 address")
    String ip6;
    @Option(names = {"--network-alias", "--net-alias"}, description = "Network-scoped alias (repeatable)")
    List<String> aliases = new ArrayList<>();
    @Option(names = "--mac-address", description = "Container MAC address (e.g. 92:d0:c6:0a:29:33)")
    String mac;
    @Option(names = {"-p", "--publish"}, description = "Publish a port: [ip:][hostPort:]containerPort[/proto] (repeatable)")
    List<String> publish = new ArrayList<>();
    @Option(names = {"-P", "--publish-all"}, description = "Publish all exposed ports to random host ports")
    boolean publishAll;
    @Option(names = "--expose", description = "Expose a port or a range of ports (repeatable)")
    List<String> expose = new ArrayList<>();
    @Option(names = {"-h", "--hostname"}, description = "Container host name")
    String hostname;
    @Option(names = {"-e", "--env"}, description = "Set environment variables K=V (repeatable)")
    List<String> env = new ArrayList<>();
    @Option(names = "--dns", description = "Set custom DNS servers (repeatable)")
    List<String> dns = new ArrayList<>();
    @Option(names = {"-w", "--workdir"}, description = "Working directory of the command")
    String workdir;
    @Option(names = {"-i", "--interactive"}, description = "Keep STDIN open and send it to the command")
    boolean interactive;
    @Parameters(paramLabel = "[IMAGE --] COMMAND", arity = "1..*", description = "The command and its arguments")
    List<String> words = new ArrayList<>();

    /** What the positional words mean under the run rule. */
    record Invocation(String image, List<String> command) {}

    /** Splits the words after the options into the image (if any) and the command; see the class comment. */
    static Invocation split(List<String> words) {
        int dashes = words.indexOf("--");
        if (dashes == 0) return new Invocation(HOST_IMAGE, rest(words, 1));
        if (dashes == 1) return new Invocation(words.getFirst(), rest(words, 2));
        if (!words.isEmpty() && words.getFirst().startsWith("-"))
            throw new Berth.UsageError("unknown flag: " + words.getFirst());
        return new Invocation(HOST_IMAGE, List.copyOf(words));
    }

    private static List<String> rest(List<String> words, int from) {
        List<String> cmd = words.subList(from, words.size());
        if (cmd.isEmpty()) throw new Berth.UsageError("\"berth run\" requires a command after --");
        return List.copyOf(cmd);
    }

    @Override
    public Integer call() {
        Invocation inv = split(words);
        JsonNode created;
        try {
            created = api().post("/containers/create" + (name == null ? "" : "?name=" + Api.enc(name)), body(inv));
        } catch (ApiError e) {
            err().println("berth: Error response from daemon: " + e.getMessage() + ".");
            err().println("See 'berth run --help'.");
            return Berth.USAGE;
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
     * with the command's status, as {@code docker run} in the foreground does.
     */
    private int runAttached(String id) {
        String attach = "/containers/" + id + "/attach?stream=1&stdout=1&stderr=1" + (interactive ? "&stdin=1" : "");
        try (Api.Exchange ex = api().open("POST", attach, null, true)) {
            Thread output = Hijack.output(ex, out(), err());
            Api.Pending wait = api().postNow("/containers/" + id + "/wait?condition=" + (autoRemove ? "removed" : "next-exit"), null);
            wait.awaitHeaders(WAIT_REGISTERED);
            try {
                api().post("/containers/" + id + "/start", null);
            } catch (ApiError e) {
                wait.cancel();
                return startFailed(e);
            }
            if (interactive) Hijack.input(ex, io().in());
            Thread forward = Thread.ofPlatform().unstarted(() -> killQuietly(id));
            Runtime.getRuntime().addShutdownHook(forward); // Ctrl-C stops the container too (docker's sig-proxy)
            JsonNode result = wait.await();
            Hijack.join(output);
            try {
                Runtime.getRuntime().removeShutdownHook(forward);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
            JsonNode error = result == null ? null : result.path("Error").path("Message");
            if (error != null && !error.isMissingNode() && !error.asText().isEmpty()) err().println("berth: " + error.asText());
            return result == null ? 0 : result.path("StatusCode").asInt();
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
        return Berth.USAGE;
    }

    ObjectNode body(Invocation inv) {
        ObjectNode b = object();
        if (hostname != null) b.put("Hostname", hostname);
        b.put("AttachStdin", interactive && !detach);
        b.put("AttachStdout", !detach);
        b.put("AttachStderr", !detach);
        b.put("OpenStdin", interactive);
        b.put("StdinOnce", interactive && !detach);
        b.put("Tty", false);
        var envs = b.putArray("Env");
        for (String e : env) {
            if (e.contains("=")) envs.add(e);
            else if (io().env().containsKey(e)) envs.add(e + "=" + io().env().get(e)); // docker's -e NAME
        }
        inv.command().forEach(b.putArray("Cmd")::add);
        b.put("Image", inv.image());
        if (workdir != null) b.put("WorkingDir", workdir);
        ObjectNode exposed = b.putObject("ExposedPorts");
        ObjectNode host = b.putObject("HostConfig");
        host.put("NetworkMode", network == null ? "bridge" : network);
        ObjectNode bindings = host.putObject("PortBindings");
        for (String p : publish) PortBindings.publish(p, exposed, bindings);
        for (String e : expose) PortBindings.expose(e, exposed);
        host.put("PublishAllPorts", publishAll);
        host.put("AutoRemove", autoRemove);
        dns.forEach(host.putArray("Dns")::add);
        if (ip != null || ip6 != null || !aliases.isEmpty() || mac != null) {
            String net = network == null ? "bridge" : network;
            ObjectNode ep = b.putObject("NetworkingConfig").putObject("EndpointsConfig").putObject(net);
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
