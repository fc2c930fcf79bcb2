package dev.berth.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.format.GoJson;
import dev.berth.cli.format.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code berth cluster status|leases}: the multi-host view from {@code GET /berth/cluster}: the store and
 * its health, the cluster network and backend, and every host's subnet lease.
 */
@Command(name = "cluster", description = "Show the cluster: status (default) or leases")
public final class ClusterCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "status|leases", defaultValue = "status")
    String what;

    @Option(names = "--format", description = "json to print the daemon's answer")
    String format;

    @Override
    public Integer call() {
        if (!what.equals("status") && !what.equals("leases"))
            throw new UsageError("'" + what + "' is not a cluster view: use status or leases");
        JsonNode c = api().get("/berth/cluster");
        if (jsonFormat(format)) {
            out().println(GoJson.indent(c));
            return 0;
        }
        if (!c.path("Enabled").asBoolean()) {
            out().println("This host is not in a cluster (start berthd with --cluster-store or --cluster-static).");
            return 0;
        }
        if (what.equals("status")) status(c);
        else leases(c);
        return 0;
    }

    private void status(JsonNode c) {
        JsonNode self = c.path("Self");
        out().println("Store:      " + c.path("Store").asText()
                + (c.path("StoreHealthy").asBoolean() ? " (healthy)" : " (UNREACHABLE)"));
        out().println("Network:    " + c.path("Network").asText() + "  backend "
                + c.path("Backend").asText() + "  MTU " + c.path("MTU").asInt());
        out().println("This host:  " + self.path("Subnet").asText() + " at "
                + self.path("PublicIP").asText()
                + (self.path("Expires").isNull()
                        ? ""
                        : "  lease until " + self.path("Expires").asText()));
        int routed = 0, other = 0;
        for (JsonNode p : c.path("Peers")) {
            if (p.path("State").asText().equals("routed")) routed++;
            else other++;
        }
        out().println("Peers:      " + routed + " routed"
                + (other == 0 ? "" : ", " + other + " not routed (see berth cluster leases)"));
        if (!c.path("LastError").isNull() && !c.path("LastError").asText().isEmpty())
            out().println("Last error: " + c.path("LastError").asText());
    }

    private void leases(JsonNode c) {
        Table t = new Table("SUBNET", "PUBLIC IP", "BACKEND", "EXPIRES", "STATE");
        row(t, c.path("Self"));
        for (JsonNode p : c.path("Peers")) row(t, p);
        t.print(out());
    }

    private static void row(Table t, JsonNode h) {
        t.row(
                h.path("Subnet").asText(),
                h.path("PublicIP").asText(),
                h.path("Backend").asText(),
                h.path("Expires").isNull() ? "-" : h.path("Expires").asText(),
                h.path("State").asText());
    }
}
