package dev.berth.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cli.format.GoJson;
import dev.berth.model.topology.Topology;
import dev.berth.model.topology.TopologyDot;
import dev.berth.model.topology.TopologySvg;
import dev.berth.model.topology.TopologyText;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code berth topology}: namespaces, veth pairs with their peer indexes, bridges and their ports,
 * addresses and routes, as the daemon reads them from the kernel ({@code GET /berth/topology}).
 */
@Command(
        name = "topology",
        description = "Show namespaces, veth pairs, bridges, addresses and routes (text, dot, svg or json)")
public final class TopologyCommand extends BaseCommand {
    @Option(
            names = "--format",
            defaultValue = "text",
            description = "text (default), dot (Graphviz), svg (needs Graphviz's dot) or json")
    String format;

    @Override
    public Integer call() throws IOException {
        if (!format.equals("text") && !format.equals("dot") && !format.equals("svg") && !format.equals("json"))
            throw new UsageError("--format '" + format + "' is not supported: use text, dot, svg or json");
        JsonNode r = api().get("/berth/topology");
        if (format.equals("json")) {
            out().println(GoJson.indent(r));
            return 0;
        }
        Topology t = new ObjectMapper().treeToValue(r, Topology.class);
        switch (format) {
            case "dot" -> out().print(TopologyDot.render(t));
            case "svg" -> {
                try {
                    out().print(TopologySvg.render(TopologyDot.render(t)));
                } catch (TopologySvg.Unavailable e) {
                    err().println("berth: " + e.getMessage());
                    return 1;
                }
            }
            default -> out().print(TopologyText.render(t));
        }
        return 0;
    }
}
