package dev.berth.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.format.GoJson;
import dev.berth.cli.http.Api;
import dev.berth.cli.http.ApiError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code berth explain NETWORK|CONTAINER}: the {@code ip}, {@code nft} or {@code iptables} commands a
 * user of the seeds would type to build the same thing by hand, from {@code GET /berth/explain}.
 */
@Command(
        name = "explain",
        description = "Show the ip/nft/iptables commands that build a network or a container's networking by hand")
public final class ExplainCommand extends BaseCommand {
    @Option(names = "--type", description = "network or container (default: a network by that name, else a container)")
    String type;

    @Option(names = "--format", description = "text (default: a runnable shell script with comments) or json")
    String format;

    @Parameters(index = "0", paramLabel = "NETWORK|CONTAINER")
    String name;

    @Override
    public Integer call() {
        boolean asJson = format != null && !format.equals("text") && jsonFormat(format);
        if (type != null && !type.equals("network") && !type.equals("container"))
            throw new UsageError("--type '" + type + "' is not supported: use network or container");
        JsonNode r = null;
        if (type == null || type.equals("network")) {
            try {
                r = api().get("/berth/explain?network=" + Api.enc(name));
            } catch (ApiError e) {
                if (!e.notFound() || "network".equals(type)) throw e;
            }
        }
        if (r == null) r = api().get("/berth/explain?container=" + Api.enc(name));
        if (asJson) {
            out().println(GoJson.indent(r));
            return 0;
        }
        out().print(text(r));
        return 0;
    }

    /** Each step as a comment line and its command, a blank line between steps. */
    static String text(JsonNode r) {
        StringBuilder s = new StringBuilder();
        for (JsonNode step : r.path("steps")) {
            if (!s.isEmpty()) s.append('\n');
            s.append("# ").append(step.path("what").asText()).append('\n');
            s.append(step.path("command").asText()).append('\n');
        }
        return s.toString();
    }
}
