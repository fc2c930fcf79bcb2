package dev.berth.cli.cmd;

import dev.berth.cli.format.Human;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The options every {@code ls} shares (image ls, network ls, ps), added to their models (see {@link Specs}). */
public final class ListOptions {
    private final OptionSpec filters = Specs.values(
            "<filters>", "Filter output based on conditions provided (e.g. label=K[=V], name=NAME)", "-f", "--filter");
    private final OptionSpec quiet = Specs.flag("Only display IDs", "-q", "--quiet");
    private final OptionSpec noTrunc = Specs.flag("Do not truncate the output", "--no-trunc");
    private final OptionSpec format =
            Specs.value("<format>", "table (default) or json (one object per line)", "--format");

    /** Adds the options to a list command's model; returns it. */
    CommandSpec addTo(CommandSpec spec) {
        return spec.addOption(filters).addOption(quiet).addOption(noTrunc).addOption(format);
    }

    /** The filters as the API's {@code filters=} query parameter, or "" when none. */
    String filterQuery() {
        return Filters.query(Specs.list(filters));
    }

    boolean quiet() {
        return Specs.isSet(quiet);
    }

    boolean noTrunc() {
        return Specs.isSet(noTrunc);
    }

    String format() {
        return format.getValue();
    }

    /** A full id with --no-trunc, else its first 12 characters, as docker prints ids in lists. */
    String id(String full) {
        return noTrunc() ? full : Human.shortId(full);
    }
}
