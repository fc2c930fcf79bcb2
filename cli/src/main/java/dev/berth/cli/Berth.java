package dev.berth.cli;

import dev.berth.cli.cmd.CompletionCommand;
import dev.berth.cli.cmd.ContainerCommands;
import dev.berth.cli.cmd.ExplainCommand;
import dev.berth.cli.cmd.InspectCommand;
import dev.berth.cli.cmd.NetworkCommands;
import dev.berth.cli.cmd.RunCommand;
import dev.berth.cli.cmd.TopologyCommand;
import dev.berth.cli.cmd.VersionCommand;
import dev.berth.cli.http.ApiError;
import dev.berth.cli.http.DaemonUnreachable;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code berth}: Berth's command line, a client of berthd's Docker-shaped API on a Unix socket. */
@Command(name = "berth", usageHelpAutoWidth = true,
        description = "Container networking you can read: a client of berthd (Docker Engine API 1.50 on a Unix socket).",
        subcommands = {
                NetworkCommands.class, RunCommand.class, ContainerCommands.Exec.class, ContainerCommands.Ps.class,
                InspectCommand.class, ContainerCommands.Logs.class, ContainerCommands.Port.class,
                ContainerCommands.Start.class, ContainerCommands.Stop.class, ContainerCommands.Kill.class,
                ContainerCommands.Rm.class, VersionCommand.class, ExplainCommand.class, TopologyCommand.class,
                CompletionCommand.class})
public final class Berth implements Runnable {
    /** Exit status of usage errors (docker's, for a CLI error before anything ran). */
    public static final int USAGE = 125;

    @Option(names = {"-H", "--host"}, scope = ScopeType.INHERIT, paramLabel = "unix://PATH",
            description = "Daemon socket (default: $BERTH_HOST, else unix:///run/berth/berth.sock)")
    String host;

    @Option(names = "--help", usageHelp = true, scope = ScopeType.INHERIT, description = "Print usage")
    boolean help;

    final Io io;
    CommandLine commandLine;

    Berth(Io io) {
        this.io = io;
    }

    public static void main(String[] args) {
        Io io = Io.system();
        int code = run(io, args);
        io.out().flush();
        io.err().flush();
        // halt, not exit: System.exit logs through System.Logger, whose start-up costs tens of milliseconds
        // (run removes its shutdown hook before it returns, so there is nothing left to run)
        Runtime.getRuntime().halt(code);
    }

    /** Runs one command line and returns its exit status. */
    public static int run(Io io, String... args) {
        Berth root = new Berth(io);
        CommandLine cl = new CommandLine(root);
        root.commandLine = cl;
        cl.setOut(new PrintWriter(io.out(), true));
        cl.setErr(new PrintWriter(io.err(), true));
        cl.setParameterExceptionHandler((ex, a) -> {
            io.err().println("berth: " + ex.getMessage());
            io.err().println("See '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> report(io, ex));
        // As docker: options end at the first word that is not one (`berth exec X ls -l`); for run, `--`
        // stays among the words because it separates [IMAGE] from the command (RunCommand.split).
        CommandLine run = cl.getSubcommands().get("run");
        run.setStopAtPositional(true);
        run.setEndOfOptionsDelimiter("--\0");
        run.setUnmatchedOptionsArePositionalParams(true);
        cl.getSubcommands().get("exec").setStopAtPositional(true);
        return cl.execute(args);
    }

    /** Prints an error as docker does and returns the exit status for it. */
    static int report(Io io, Exception ex) {
        // instanceof rather than a pattern switch: its bootstrap costs milliseconds at every start
        if (ex instanceof ApiError) {
            io.err().println("Error response from daemon: " + ex.getMessage());
        } else if (ex instanceof DaemonUnreachable) {
            io.err().println(ex.getMessage());
        } else if (ex instanceof UsageError || ex instanceof IllegalArgumentException) {
            io.err().println("berth: " + ex.getMessage());
            return USAGE;
        } else {
            io.err().println("berth: " + ex);
        }
        return 1;
    }

    @Override
    public void run() {
        commandLine.usage(io.out());
    }

    public Io io() {
        return io;
    }

    public String host() {
        return host;
    }

    public CommandLine commandLine() {
        return commandLine;
    }

    /** A mistake on the command line found after parsing (a bad flag value, a missing argument). */
    public static final class UsageError extends RuntimeException {
        public UsageError(String message) {
            super(message);
        }
    }
}
