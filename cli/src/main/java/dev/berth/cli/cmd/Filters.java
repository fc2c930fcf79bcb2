package dev.berth.cli.cmd;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.format.GoJson;
import dev.berth.cli.http.Api;
import java.util.List;

/** Docker's {@code --filter key=value} flags as the API's {@code filters} query: {"key":{"value":true}}. */
final class Filters {
    private Filters() {}

    /** The query parameter ({@code &filters=...}), or "" when there are no filters. */
    static String query(List<String> filters) {
        if (filters == null || filters.isEmpty()) return "";
        ObjectNode f = BaseCommand.object();
        for (String kv : filters) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new UsageError("bad format of filter (expected name=value): " + kv);
            f.withObjectProperty(kv.substring(0, eq)).put(kv.substring(eq + 1), true);
        }
        return "filters=" + Api.enc(GoJson.compact(f));
    }
}
