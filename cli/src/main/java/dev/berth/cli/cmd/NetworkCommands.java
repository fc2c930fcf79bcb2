package dev.berth.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.format.GoJson;
import dev.berth.cli.http.Api;
import dev.berth.cli.http.ApiError;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth network ...}: docker's network verbs with their common flags (the group and ls modelled in code, see {@link Specs}). */
public final class NetworkCommands extends BaseCommand {
    /** The sub-verbs in help's order; Berth gives picocli only the one being run (see Berth.VERBS). */
    public static final List<Map.Entry<String, Supplier<Object>>> VERBS = List.of(
            Map.entry("ls", () -> new Ls().spec()),
            Map.entry("create", Create::new),
            Map.entry("inspect", Inspect::new),
            Map.entry("rm", Rm::new),
            Map.entry("connect", Connect::new),
            Map.entry("disconnect", Disconnect::new),
            Map.entry("prune", Prune::new));

    public CommandSpec spec() {
        return Specs.command(this, "network", "Manage networks");
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(out());
        return 0;
    }

    /** {@code berth network ls}. */
    public static final class Ls extends BaseCommand {
        private final ListOptions options = new ListOptions();

        CommandSpec spec() {
            return options.addTo(Specs.command(this, "ls", "List networks")).aliases("list");
        }

        @Override
        public Integer call() {
            Listing listing = new Listing(options, "NETWORK ID", "NAME", "DRIVER", "SCOPE");
            String q = options.filterQuery();
            JsonNode list = api().get("/networks" + (q.isEmpty() ? "" : "?" + q));
            List<JsonNode> nets = new ArrayList<>();
            list.forEach(nets::add);
            // not Comparator.comparing: its lambda lives in the JDK and is spun at every start (the AOT cache has ours)
            nets.sort((a, b) -> text(a, "Name").compareTo(text(b, "Name")));
            for (JsonNode n : nets)
                listing.add(id(n), () -> jsonLine(n), id(n), text(n, "Name"), text(n, "Driver"), text(n, "Scope"));
            listing.print(out());
            return 0;
        }

        private String id(JsonNode n) {
            return options.id(text(n, "Id"));
        }

        /** The fields docker's {@code network ls --format json} prints, in its (alphabetical) order. */
        private ObjectNode jsonLine(JsonNode n) {
            ObjectNode o = object();
            o.put("CreatedAt", createdAt(text(n, "Created")));
            o.put("Driver", text(n, "Driver"));
            o.put("ID", id(n));
            o.put(
                    "IPv4",
                    String.valueOf(!n.has("EnableIPv4") || n.get("EnableIPv4").asBoolean(true)));
            o.put("IPv6", String.valueOf(n.path("EnableIPv6").asBoolean()));
            o.put("Internal", String.valueOf(n.path("Internal").asBoolean()));
            List<String> labels = new ArrayList<>();
            n.path("Labels")
                    .fields()
                    .forEachRemaining(
                            e -> labels.add(e.getKey() + "=" + e.getValue().asText()));
            o.put("Labels", String.join(",", labels));
            o.put("Name", text(n, "Name"));
            o.put("Scope", text(n, "Scope"));
            return o;
        }

        /** Go's time.Time String(): {@code 2026-11-21 07:41:04.031782269 +0000 UTC}. */
        static String createdAt(String rfc3339) {
            try {
                OffsetDateTime t = OffsetDateTime.parse(rfc3339).withOffsetSameInstant(ZoneOffset.UTC);
                String frac = t.getNano() == 0 ? "" : ("." + String.format("%09d", t.getNano())).replaceAll("0+$", "");
                return t.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)) + frac + " +0000 UTC";
            } catch (RuntimeException e) {
                return rfc3339;
            }
        }
    }

    @Command(name = "create", description = "Create a network")
    public static final class Create extends BaseCommand {
        @Option(
                names = {"-d", "--driver"},
                defaultValue = "bridge",
                description = "Driver to manage the network (default: bridge)")
        String driver;

        @Option(names = "--subnet", description = "Subnet in CIDR format, e.g. 172.30.0.0/16 (repeatable)")
        List<String> subnets = new ArrayList<>();

        @Option(names = "--gateway", description = "Gateway for a subnet (repeatable)")
        List<String> gateways = new ArrayList<>();

        @Option(names = "--ip-range", description = "Allocate container IPs from a sub-range (repeatable)")
        List<String> ranges = new ArrayList<>();

        @Option(
                names = "--aux-address",
                description = "Auxiliary address the IPAM must not hand out, NAME=IP (repeatable)")
        List<String> aux = new ArrayList<>();

        @Option(names = "--ipv6", description = "Enable IPv6")
        boolean ipv6;

        @Option(names = "--internal", description = "Restrict external access to the network")
        boolean internal;

        @Option(names = "--attachable", description = "Enable manual container attachment")
        boolean attachable;

        @Option(
                names = {"-o", "--opt"},
                description = "Driver option KEY=VALUE (repeatable)")
        List<String> opts = new ArrayList<>();

        @Option(names = "--label", description = "Label KEY[=VALUE] (repeatable)")
        List<String> labels = new ArrayList<>();

        @Parameters(index = "0", paramLabel = "NETWORK")
        String name;

        @Override
        public Integer call() {
            JsonNode r = api().post("/networks/create", body());
            out().println(text(r, "Id"));
            String warning = text(r, "Warning");
            if (!warning.isEmpty()) err().println("WARNING: " + warning);
            return 0;
        }

        ObjectNode body() {
            ObjectNode b = object();
            b.put("Name", name);
            b.put("Driver", driver);
            b.put("Internal", internal);
            b.put("Attachable", attachable);
            if (ipv6) b.put("EnableIPv6", true);
            ObjectNode ipam = b.putObject("IPAM");
            ipam.put("Driver", "default");
            ipam.set("Config", IpamConfig.build(subnets, ranges, gateways, aux));
            ipam.putObject("Options");
            b.set("Options", KeyValues.map(opts, "--opt", false));
            b.set("Labels", KeyValues.map(labels, "--label", true));
            return b;
        }
    }

    @Command(name = "inspect", description = "Display detailed information on one or more networks")
    public static final class Inspect extends BaseCommand {
        @Option(
                names = {"-f", "--format"},
                description = "json (default)")
        String format;

        @Option(
                names = {"-v", "--verbose"},
                description = "Verbose output for diagnostics")
        boolean verbose;

        @Parameters(arity = "1..*", paramLabel = "NETWORK")
        List<String> names;

        @Override
        public Integer call() {
            if (format != null && !format.equals("json")) jsonFormat(format);
            ArrayNode all = array();
            int status = 0;
            for (String n : names) {
                try {
                    all.add(api().get("/networks/" + Api.enc(n) + (verbose ? "?verbose=true" : "")));
                } catch (ApiError e) {
                    if (!e.notFound()) throw e;
                    err().println("Error response from daemon: " + e.getMessage());
                    status = 1;
                }
            }
            out().println(GoJson.indent(all));
            return status;
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove one or more networks")
    public static final class Rm extends BaseCommand {
        @Option(
                names = {"-f", "--force"},
                description = "Do not error if the network does not exist")
        boolean force;

        @Parameters(arity = "1..*", paramLabel = "NETWORK")
        List<String> names;

        @Override
        public Integer call() {
            int status = 0;
            for (String n : names) {
                try {
                    api().delete("/networks/" + Api.enc(n));
                    out().println(n);
                } catch (ApiError e) {
                    if (force && e.notFound()) continue;
                    err().println("Error response from daemon: " + e.getMessage());
                    status = 1;
                }
            }
            return status;
        }
    }

    @Command(name = "connect", description = "Connect a container to a network")
    public static final class Connect extends BaseCommand {
        @Option(names = "--ip", description = "IPv4 address (e.g. 172.30.100.104)")
        String ip;

        @Option(names = "--ip6", description = "IPv6 address (e.g. 2001:db8::33)")
        String ip6;

        @Option(names = "--alias", description = "Network-scoped alias for the container (repeatable)")
        List<String> aliases = new ArrayList<>();

        @Parameters(index = "0", paramLabel = "NETWORK")
        String network;

        @Parameters(index = "1", paramLabel = "CONTAINER")
        String container;

        @Override
        public Integer call() {
            api().post("/networks/" + Api.enc(network) + "/connect", body());
            return 0;
        }

        ObjectNode body() {
            ObjectNode b = object();
            b.put("Container", container);
            ObjectNode ep = b.putObject("EndpointConfig");
            if (ip != null || ip6 != null) {
                ObjectNode ipam = ep.putObject("IPAMConfig");
                if (ip != null) ipam.put("IPv4Address", ip);
                if (ip6 != null) ipam.put("IPv6Address", ip6);
            }
            if (!aliases.isEmpty()) aliases.forEach(ep.putArray("Aliases")::add);
            return b;
        }
    }

    @Command(name = "disconnect", description = "Disconnect a container from a network")
    public static final class Disconnect extends BaseCommand {
        @Option(
                names = {"-f", "--force"},
                description = "Force the container to disconnect from a network")
        boolean force;

        @Parameters(index = "0", paramLabel = "NETWORK")
        String network;

        @Parameters(index = "1", paramLabel = "CONTAINER")
        String container;

        @Override
        public Integer call() {
            ObjectNode b = object();
            b.put("Container", container);
            b.put("Force", force);
            api().post("/networks/" + Api.enc(network) + "/disconnect", b);
            return 0;
        }
    }

    @Command(name = "prune", description = "Remove all unused networks")
    public static final class Prune extends BaseCommand {
        @Option(
                names = {"-f", "--force"},
                description = "Do not prompt for confirmation")
        boolean force;

        @Option(names = "--filter", description = "Provide filter values (e.g. until=24h, label=K)")
        List<String> filters = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            if (!force) {
                out().print("WARNING! This will remove all custom networks not used by at least one container.\n"
                        + "Are you sure you want to continue? [y/N] ");
                out().flush();
                String answer = new BufferedReader(new InputStreamReader(io().in())).readLine();
                if (answer == null || !answer.strip().toLowerCase(Locale.ROOT).startsWith("y")) return 0;
            }
            String q = Filters.query(filters);
            JsonNode r = api().post("/networks/prune" + (q.isEmpty() ? "" : "?" + q), null);
            JsonNode deleted = r == null ? null : r.get("NetworksDeleted");
            if (deleted != null && deleted.isArray() && !deleted.isEmpty()) {
                StringBuilder s = new StringBuilder("Deleted Networks:\n");
                deleted.forEach(d -> s.append(d.asText()).append('\n'));
                out().print(s);
            }
            return 0;
        }
    }
}
