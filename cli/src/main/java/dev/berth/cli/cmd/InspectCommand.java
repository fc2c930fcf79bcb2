package dev.berth.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.berth.cli.format.GoJson;
import dev.berth.cli.http.Api;
import dev.berth.cli.http.ApiError;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth inspect NAME|ID...}: a container, else a network, as docker's JSON array. */
@Command(name = "inspect", description = "Return low-level information on containers and networks")
public final class InspectCommand extends BaseCommand {
    @Option(names = "--type", description = "Only look for: container or network")
    String type;

    @Option(
            names = {"-f", "--format"},
            description = "json (default)")
    String format;

    @Parameters(arity = "1..*", paramLabel = "NAME|ID")
    List<String> names;

    @Override
    public Integer call() {
        if (format != null && !format.equals("json")) jsonFormat(format);
        if (type != null && !type.equals("container") && !type.equals("network"))
            throw new UsageError("--type '" + type + "' is not supported: use container or network");
        ArrayNode all = array();
        int status = 0;
        for (String n : names) {
            JsonNode found = find(n);
            if (found == null) {
                err().println("Error: No such object: " + n);
                status = 1;
            } else {
                all.add(found);
            }
        }
        out().println(GoJson.indent(all));
        return status;
    }

    private JsonNode find(String name) {
        if (type == null || type.equals("container")) {
            try {
                return api().get("/containers/" + Api.enc(name) + "/json");
            } catch (ApiError e) {
                if (!e.notFound()) throw e;
            }
        }
        if (type == null || type.equals("network")) {
            try {
                return api().get("/networks/" + Api.enc(name));
            } catch (ApiError e) {
                if (!e.notFound()) throw e;
            }
        }
        return null;
    }
}
