package dev.berth.cli.cmd;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code berth completion bash}: a bash (and zsh) completion script, from picocli's AutoComplete. */
@Command(name = "completion", description = "Print a shell completion script: source <(berth completion bash)")
public final class CompletionCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh")
    String shell;

    @Override
    public Integer call() {
        if (!shell.equals("bash") && !shell.equals("zsh"))
            throw new UsageError("shell '" + shell + "' is not supported: use bash or zsh (the script works in both)");
        out().print(AutoComplete.bash("berth", root().commandLine()));
        return 0;
    }
}
