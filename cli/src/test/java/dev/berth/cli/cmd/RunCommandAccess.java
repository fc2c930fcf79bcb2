package dev.berth.cli.cmd;

import java.util.List;

/** Test access to RunCommand's package-private run rule. */
public final class RunCommandAccess {
    public record Inv(String image, List<String> command) {}

    public static Inv split(List<String> words) {
        RunCommand.Invocation i = RunCommand.split(words);
        return new Inv(i.image(), i.command());
    }

    private RunCommandAccess() {}
}
