package dev.berth.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.format.Human;
import dev.berth.cli.http.Api;
import dev.berth.cli.http.ApiError;
import dev.berth.cli.http.StreamDemux;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Container verbs other than run: exec, ps, logs, port, start, stop, kill, rm. */
public final class ContainerCommands {
    private ContainerCommands() {}

    @Command(name = "exec", description = "Execute a command in a running container")
    public static final class Exec extends BaseCommand {
        @Option(
                names = {"-i", "--interactive"},
                description = "Keep STDIN open and send it to the command")
        boolean interactive;

        @Option(
                names = {"-d", "--detach"},
                description = "Detached mode: run the command in the background")
        boolean detach;

        @Mixin
        ProcessOptions process;

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND")
        List<String> command;

        @Override
        public Integer call() {
            ObjectNode create = object();
            create.put("AttachStdin", interactive && !detach);
            create.put("AttachStdout", !detach);
            create.put("AttachStderr", !detach);
            create.put("Tty", false);
            process.environment(io().env()).forEach(create.putArray("Env")::add);
            if (process.workdir != null) create.put("WorkingDir", process.workdir);
            command.forEach(create.putArray("Cmd")::add);
            String id = text(api().post("/containers/" + Api.enc(container) + "/exec", create), "Id");
            ObjectNode start = object();
            start.put("Detach", detach);
            start.put("Tty", false);
            if (detach) {
                api().post("/exec/" + id + "/start", start);
                return 0;
            }
            try (Api.Exchange ex = api().open("POST", "/exec/" + id + "/start", start, true)) {
                Thread output = Hijack.output(ex, out(), err());
                if (interactive) Hijack.input(ex, io().in());
                Hijack.join(output);
            }
            JsonNode state = api().get("/exec/" + id + "/json");
            JsonNode code = state == null ? null : state.get("ExitCode");
            return code == null || code.isNull() ? 0 : code.asInt();
        }
    }

    /** {@code berth ps}, modelled in code (see {@link Specs}). */
    public static final class Ps extends BaseCommand {
        private final OptionSpec all = Specs.flag("Show all containers (default shows just running)", "-a", "--all");
        private final ListOptions options = new ListOptions();

        public CommandSpec spec() {
            return options.addTo(Specs.command(this, "ps", "List containers").addOption(all));
        }

        @Override
        public Integer call() {
            Listing listing =
                    new Listing(options, "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES");
            List<String> q = new ArrayList<>();
            if (Specs.isSet(all)) q.add("all=1");
            String f = options.filterQuery();
            if (!f.isEmpty()) q.add(f);
            JsonNode list = api().get("/containers/json" + (q.isEmpty() ? "" : "?" + String.join("&", q)));
            for (JsonNode c : list) {
                String id = options.id(text(c, "Id"));
                String command =
                        "\"" + (options.noTrunc() ? text(c, "Command") : Human.ellipsis(text(c, "Command"), 20)) + "\"";
                String created = Human.duration(Duration.between(
                                Instant.ofEpochSecond(c.path("Created").asLong()), Instant.now()))
                        + " ago";
                listing.add(
                        id,
                        () -> jsonLine(c, id, command, created),
                        id,
                        text(c, "Image"),
                        command,
                        created,
                        text(c, "Status"),
                        ports(c),
                        names(c));
            }
            listing.print(out());
            return 0;
        }

        /** The fields docker's {@code ps --format json} prints, in its (alphabetical) order. */
        private static ObjectNode jsonLine(JsonNode c, String id, String command, String created) {
            ObjectNode o = object();
            o.put("Command", command);
            o.put(
                    "CreatedAt",
                    DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                                    .withZone(ZoneOffset.UTC)
                                    .format(Instant.ofEpochSecond(
                                            c.path("Created").asLong()))
                            + " +0000 UTC");
            o.put("ID", id);
            o.put("Image", text(c, "Image"));
            o.put("Names", names(c));
            List<String> nets = new ArrayList<>();
            c.path("NetworkSettings").path("Networks").fieldNames().forEachRemaining(nets::add);
            o.put("Networks", String.join(",", nets));
            o.put("Ports", ports(c));
            o.put("RunningFor", created);
            o.put("State", text(c, "State"));
            o.put("Status", text(c, "Status"));
            return o;
        }

        private static String names(JsonNode c) {
            List<String> n = new ArrayList<>();
            for (JsonNode x : c.path("Names"))
                n.add(x.asText().startsWith("/") ? x.asText().substring(1) : x.asText());
            return String.join(",", n);
        }

        /** {@code 0.0.0.0:8080->80/tcp, 443/tcp} from the list's Ports array. */
        static String ports(JsonNode c) {
            List<String> out = new ArrayList<>();
            for (JsonNode p : c.path("Ports")) {
                String priv =
                        p.path("PrivatePort").asInt() + "/" + p.path("Type").asText("tcp");
                if (p.path("PublicPort").asInt() == 0) {
                    out.add(priv);
                } else {
                    String ip = p.path("IP").asText("0.0.0.0");
                    out.add((ip.contains(":") ? "[" + ip + "]" : ip) + ":"
                            + p.path("PublicPort").asInt() + "->" + priv);
                }
            }
            return String.join(", ", out);
        }
    }

    @Command(name = "logs", description = "Fetch the logs of a container")
    public static final class Logs extends BaseCommand {
        @Option(
                names = {"-f", "--follow"},
                description = "Follow log output")
        boolean follow;

        @Option(
                names = {"-t", "--timestamps"},
                description = "Show timestamps")
        boolean timestamps;

        @Option(
                names = {"-n", "--tail"},
                description = "Number of lines to show from the end of the logs (default: all)")
        String tail;

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Override
        public Integer call() throws IOException {
            StringBuilder q = new StringBuilder("?stdout=1&stderr=1");
            if (follow) q.append("&follow=1");
            if (timestamps) q.append("&timestamps=1");
            if (tail != null) q.append("&tail=").append(Api.enc(tail));
            try (Api.Exchange ex = api().open("GET", "/containers/" + Api.enc(container) + "/logs" + q, null, false)) {
                StreamDemux.copy(ex.response().body(), out(), err());
            }
            return 0;
        }
    }

    @Command(name = "port", description = "List port mappings or a specific mapping for the container")
    public static final class Port extends BaseCommand {
        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Parameters(index = "1", arity = "0..1", paramLabel = "PRIVATE_PORT[/PROTO]")
        String port;

        @Override
        public Integer call() {
            JsonNode c = api().get("/containers/" + Api.enc(container) + "/json");
            Map<String, JsonNode> ports = new TreeMap<>((a, b) -> {
                int pa = Integer.parseInt(a.split("/")[0]), pb = Integer.parseInt(b.split("/")[0]);
                return pa != pb ? Integer.compare(pa, pb) : a.compareTo(b);
            });
            for (Iterator<Map.Entry<String, JsonNode>> it =
                            c.path("NetworkSettings").path("Ports").fields();
                    it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                ports.put(e.getKey(), e.getValue());
            }
            String want = port == null ? null : port.contains("/") ? port : port + "/tcp";
            StringBuilder s = new StringBuilder();
            boolean found = false;
            for (Map.Entry<String, JsonNode> e : ports.entrySet()) {
                if (want != null && !e.getKey().equals(want)) continue;
                for (JsonNode b : e.getValue()) {
                    String ip = b.path("HostIp").asText();
                    if (ip.isEmpty()) ip = "0.0.0.0";
                    String hostPort = (ip.contains(":") ? "[" + ip + "]" : ip) + ":"
                            + b.path("HostPort").asText();
                    s.append(want == null ? e.getKey() + " -> " + hostPort : hostPort)
                            .append('\n');
                    found = true;
                }
            }
            if (want != null && !found) {
                err().println("Error: No public port '" + want + "' published for " + container);
                return 1;
            }
            out().print(s);
            return 0;
        }
    }

    /** A verb applied to each named container in turn, printing each name that succeeded (docker's way). */
    abstract static class EachContainer extends BaseCommand {
        @Parameters(arity = "1..*", paramLabel = "CONTAINER")
        List<String> containers;

        abstract void apply(String container);

        @Override
        public Integer call() {
            int status = 0;
            for (String c : containers) {
                try {
                    apply(c);
                    out().println(c);
                } catch (ApiError e) {
                    err().println("Error response from daemon: " + e.getMessage());
                    status = 1;
                }
            }
            return status;
        }
    }

    @Command(name = "start", description = "Start one or more stopped containers")
    public static final class Start extends EachContainer {
        @Override
        void apply(String c) {
            api().post("/containers/" + Api.enc(c) + "/start", null);
        }
    }

    @Command(name = "stop", description = "Stop one or more running containers")
    public static final class Stop extends EachContainer {
        @Option(
                names = {"-t", "--timeout", "--time"},
                description = "Seconds to wait before killing the container")
        Integer timeout;

        @Option(
                names = {"-s", "--signal"},
                description = "Signal to send to the container")
        String signal;

        @Override
        void apply(String c) {
            List<String> q = new ArrayList<>();
            if (timeout != null) q.add("t=" + timeout);
            if (signal != null) q.add("signal=" + Api.enc(signal));
            api().post("/containers/" + Api.enc(c) + "/stop" + (q.isEmpty() ? "" : "?" + String.join("&", q)), null);
        }
    }

    @Command(name = "kill", description = "Kill one or more running containers")
    public static final class Kill extends EachContainer {
        @Option(
                names = {"-s", "--signal"},
                description = "Signal to send to the container (default KILL)")
        String signal;

        @Override
        void apply(String c) {
            api().post(
                            "/containers/" + Api.enc(c) + "/kill"
                                    + (signal == null ? "" : "?signal=" + Api.enc(signal)),
                            null);
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove one or more containers")
    public static final class Rm extends EachContainer {
        @Option(
                names = {"-f", "--force"},
                description = "Force the removal of a running container (uses SIGKILL)")
        boolean force;

        @Override
        void apply(String c) {
            api().delete("/containers/" + Api.enc(c) + (force ? "?force=1" : ""));
        }
    }
}
