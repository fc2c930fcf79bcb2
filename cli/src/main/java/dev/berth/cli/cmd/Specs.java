package dev.berth.cli.cmd;

import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * picocli models built in code, for the commands whose start must be quick: the root, {@code network},
 * {@code image}, and the lists ({@code network ls}, {@code image ls}, {@code ps}). picocli reads annotations
 * by reflection, and each annotation type read at a start makes the JDK generate a proxy class (with its
 * ClassFile API, in the interpreter; the AOT cache cannot hold such classes): reading the five of
 * {@code berth network ls} took more than half of its run. The options' values stay in their
 * {@link OptionSpec}s (picocli's own binding), where the commands read them.
 */
public final class Specs {
    private Specs() {}

    /** The model of {@code user}, which picocli runs (Callable or Runnable) without inspecting it. */
    public static CommandSpec command(Object user, String name, String description) {
        CommandSpec s = CommandSpec.wrapWithoutInspection(user);
        s.name(name);
        s.usageMessage().description(description);
        if (user instanceof BaseCommand c) c.spec = s;
        return s;
    }

    /** An option without a value ({@code -q}). */
    public static OptionSpec flag(String description, String... names) {
        return OptionSpec.builder(names)
                .type(boolean.class)
                .description(description)
                .build();
    }

    /** An option with one value; {@code label} as picocli names an annotated field's ({@code <format>}). */
    public static OptionSpec value(String label, String description, String... names) {
        return OptionSpec.builder(names)
                .type(String.class)
                .paramLabel(label)
                .description(description)
                .build();
    }

    /** A repeatable option ({@code -f a -f b}). */
    public static OptionSpec values(String label, String description, String... names) {
        return OptionSpec.builder(names)
                .type(List.class)
                .auxiliaryTypes(String.class)
                .paramLabel(label)
                .description(description)
                .build();
    }

    static boolean isSet(OptionSpec flag) {
        return Boolean.TRUE.equals(flag.getValue());
    }

    static List<String> list(OptionSpec values) {
        List<String> v = values.getValue();
        return v == null ? List.of() : v;
    }
}
