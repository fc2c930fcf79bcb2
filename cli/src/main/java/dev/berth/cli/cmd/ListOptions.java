package dev.berth.cli.cmd;

import dev.berth.cli.format.Human;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options every {@code ls} shares (image ls, network ls, ps), mixed in with {@code @Mixin}. */
public final class ListOptions {
    @Option(
            names = {"-f", "--filter"},
            description = "Filter output based on conditions provided (e.g. label=K[=V], name=NAME)")
    List<String> filters = new ArrayList<>();

    @Option(
            names = {"-q", "--quiet"},
            description = "Only display IDs")
    boolean quiet;

    @Option(names = "--no-trunc", description = "Do not truncate the output")
    boolean noTrunc;

    @Option(names = "--format", description = "table (default) or json (one object per line)")
    String format;

    /** The filters as the API's {@code filters=} query parameter, or "" when none. */
    String filterQuery() {
        return Filters.query(filters);
    }

    /** A full id with --no-trunc, else its first 12 characters, as docker prints ids in lists. */
    String id(String full) {
        return noTrunc ? full : Human.shortId(full);
    }
}
