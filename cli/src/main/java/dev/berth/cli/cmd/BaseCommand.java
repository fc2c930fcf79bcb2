package dev.berth.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.format.Json;
import dev.berth.cli.http.Api;
import dev.berth.cli.http.DaemonAddress;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command needs: the streams, the daemon's API, JSON. */
public abstract class BaseCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    private Api api;

    protected CommandRoot root() {
        return (CommandRoot) spec.root().userObject();
    }

    protected Io io() {
        return root().io();
    }

    protected PrintStream out() {
        return io().out();
    }

    protected PrintStream err() {
        return io().err();
    }

    /**
     * The API of the daemon chosen by -H, else $BERTH_HOST, else $DOCKER_HOST (the docker CLI pointed at berthd
     * is the usual set-up), else the default socket.
     */
    protected Api api() {
        if (api == null) {
            String h = root().host();
            if (h == null || h.isBlank()) h = io().env().get("BERTH_HOST");
            if (h == null || h.isBlank()) h = io().env().get("DOCKER_HOST");
            api = new Api(DaemonAddress.parse(h));
        }
        return api;
    }

    protected static ObjectNode object() {
        return Json.object();
    }

    protected static ArrayNode array() {
        return Json.array();
    }

    protected static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }

    /** Requires {@code --format} to be empty, "table" or "json"; returns true for json. */
    protected static boolean jsonFormat(String format) {
        if (format == null || format.isEmpty() || format.equals("table")) return false;
        if (format.equals("json")) return true;
        throw new UsageError("--format '" + format + "' is not supported: use table or json");
    }
}
