package dev.berth.cli.cmd;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.format.GoJson;
import dev.berth.cli.format.Table;
import java.io.PrintStream;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What an {@code ls} prints, in the form its options ask: the ids alone ({@code -q}, each once), one JSON object a
 * line ({@code --format json}, docker's fields) or docker's table.
 */
final class Listing {
    private final boolean quiet;
    private final boolean json;
    private final Table table;
    private final Set<String> ids = new LinkedHashSet<>();
    private final StringBuilder lines = new StringBuilder();

    Listing(ListOptions o, String... headers) {
        this.quiet = o.quiet();
        this.json = BaseCommand.jsonFormat(o.format());
        this.table = new Table(headers);
    }

    /** Whether only ids are printed (the caller may skip what a row costs). */
    boolean quiet() {
        return quiet;
    }

    /** One row: its id, its JSON line (asked only for --format json) and its table cells. */
    void add(String id, Supplier<ObjectNode> jsonLine, String... cells) {
        if (quiet) ids.add(id);
        else if (json) lines.append(GoJson.compact(jsonLine.get())).append('\n');
        else table.row(cells);
    }

    void print(PrintStream out) {
        if (quiet) {
            StringBuilder s = new StringBuilder();
            for (String id : ids) s.append(id).append('\n');
            out.print(s);
        } else if (json) {
            out.print(lines);
        } else {
            table.print(out);
        }
    }
}
