package dev.berth.cli;

import dev.berth.cli.cmd.ClusterCommand;
import dev.berth.cli.cmd.CommandRoot;
import dev.berth.cli.cmd.CompletionCommand;
import dev.berth.cli.cmd.ContainerCommands;
import dev.berth.cli.cmd.ExplainCommand;
import dev.berth.cli.cmd.ImageCommands;
import dev.berth.cli.cmd.InspectCommand;
import dev.berth.cli.cmd.Io;
import dev.berth.cli.cmd.NetworkCommands;
import dev.berth.cli.cmd.RunCommand;
import dev.berth.cli.cmd.Specs;
import dev.berth.cli.cmd.TopologyCommand;
import dev.berth.cli.cmd.UsageError;
import dev.berth.cli.cmd.VersionCommand;
import dev.berth.cli.http.ApiError;
import dev.berth.cli.http.DaemonUnreachable;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ScopeType;

/**
 * {@code berth}: Berth's command line, a client of berthd's Docker-shaped API on a Unix socket. The root is
 * modelled in code, as the groups and lists are (see {@link Specs}); the other verbs by annotations.
 */
public final class Berth implements Runnable, CommandRoot {
    /**
     * The verbs, in the order help lists them. Only the verb being run is given to picocli (all of them
     * for help, completion and mistakes): picocli reads every option of every command it is given by
     * reflection, which for all verbs took longer than the whole of {@code berth network ls} may.
     */
    private static final List<Map.Entry<String, Supplier<Object>>> VERBS = List.of(
            Map.entry("network", () -> new NetworkCommands().spec()),
            Map.entry("image", () -> new ImageCommands().spec()),
            Map.entry("run", RunCommand::new),
            Map.entry("exec", ContainerCommands.Exec::new),
            Map.entry("ps", () -> new ContainerCommands.Ps().spec()),
            Map.entry("inspect", InspectCommand::new),
            Map.entry("logs", ContainerCommands.Logs::new),
            Map.entry("port", ContainerCommands.Port::new),
            Map.entry("start", ContainerCommands.Start::new),
            Map.entry("stop", ContainerCommands.Stop::new),
            Map.entry("kill", ContainerCommands.Kill::new),
            Map.entry("rm", ContainerCommands.Rm::new),
            Map.entry("version", VersionCommand::new),
            Map.entry("explain", ExplainCommand::new),
            Map.entry("topology", TopologyCommand::new),
            Map.entry("cluster", ClusterCommand::new),
            Map.entry("completion", CompletionCommand::new));

    /** The verbs that have verbs of their own. */
    private static final Map<String, List<Map.Entry<String, Supplier<Object>>>> SUB_VERBS =
            Map.of("network", NetworkCommands.VERBS, "image", ImageCommands.VERBS);

    static {
        // picocli's documented switches, for a quicker start: no search of the class path for Groovy's Closure
        // class (a failing Class.forName), no converters made by reflection for java.sql and java.time types
        // (no option of berth has one)
        System.setProperty("picocli.disable.closures", "true");
        System.setProperty("picocli.converters.excludes", "java\\.(sql|time)\\..*");
    }

    /** Exit status of usage errors (docker's, for a CLI error before anything ran). */
    public static final int USAGE = UsageError.STATUS;

    /** -H anywhere on the line: inherited by every verb, whose copy shares this option's value. */
    private final OptionSpec host = OptionSpec.builder("-H", "--host")
            .scopeType(ScopeType.INHERIT)
            .type(String.class)
            .paramLabel("unix://PATH")
            .description("Daemon socket (default: $BERTH_HOST, else $DOCKER_HOST, else unix:///run/berth/berth.sock)")
            .build();

    /** {@code berth --version}, as {@code docker --version} prints it. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"berth version " + VersionCommand.clientVersion()};
        }
    }

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

    private CommandSpec spec() {
        CommandSpec s = Specs.command(
                this,
                "berth",
                "Container networking you can read: a client of berthd (Docker Engine API 1.50 on a Unix socket).");
        s.usageMessage().autoWidth(true);
        s.versionProvider(new Version());
        s.addOption(host);
        s.addOption(OptionSpec.builder("--help")
                .usageHelp(true)
                .scopeType(ScopeType.INHERIT)
                .type(boolean.class)
                .description("Print usage")
                .build());
        s.addOption(OptionSpec.builder("-v", "--version")
                .versionHelp(true)
                .type(boolean.class)
                .description("Print the version and quit")
                .build());
        return s;
    }

    /** Runs one command line and returns its exit status. */
    public static int run(Io io, String... args) {
        Berth root = new Berth(io);
        CommandLine cl = new CommandLine(root.spec());
        root.commandLine = cl;
        int at = verbIndex(args, VERBS);
        String verb = at < 0 ? null : args[at];
        for (Map.Entry<String, Supplier<Object>> v : VERBS) {
            if (verb != null && !verb.equals(v.getKey())) continue;
            CommandLine sub = new CommandLine(v.getValue().get());
            List<Map.Entry<String, Supplier<Object>>> subVerbs = SUB_VERBS.get(v.getKey());
            if (subVerbs != null) {
                int subAt = verb == null ? -1 : verbIndex(Arrays.copyOfRange(args, at + 1, args.length), subVerbs);
                String name = subAt < 0 ? null : args[at + 1 + subAt];
                for (Map.Entry<String, Supplier<Object>> n : subVerbs)
                    if (name == null || name.equals(n.getKey()))
                        sub.addSubcommand(n.getKey(), n.getValue().get());
            }
            cl.addSubcommand(v.getKey(), sub);
        }
        cl.setOut(new PrintWriter(io.out(), true));
        cl.setErr(new PrintWriter(io.err(), true));
        cl.setParameterExceptionHandler((ex, a) -> {
            io.err().println("berth: " + ex.getMessage());
            io.err().println("See '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> report(io, ex));
        // As docker: options end at the first word that is not one (`berth run busybox ls -l`, `berth exec X ls -l`).
        CommandLine run = cl.getSubcommands().get("run");
        if (run != null) {
            run.setStopAtPositional(true);
            run.setUnmatchedOptionsArePositionalParams(true);
        }
        CommandLine exec = cl.getSubcommands().get("exec");
        if (exec != null) exec.setStopAtPositional(true);
        return cl.execute(args);
    }

    /**
     * Where the verb of a command line is (the first word after the global options), when it is one of
     * {@code verbs} that needs no other; else -1: help, completion, and anything unknown get every verb.
     */
    static int verbIndex(String[] args, List<Map.Entry<String, Supplier<Object>>> verbs) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-H") || a.equals("--host")) {
                i++;
                continue;
            }
            if (a.startsWith("-")) {
                if (a.startsWith("-H") || a.startsWith("--host=")) continue;
                return -1; // --help, or a mistake: picocli explains it with every verb known
            }
            for (Map.Entry<String, Supplier<Object>> v : verbs)
                if (v.getKey().equals(a) && !a.equals("completion")) return i;
            return -1;
        }
        return -1;
    }

    static String verb(String[] args) {
        int i = verbIndex(args, VERBS);
        return i < 0 ? null : args[i];
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

    @Override
    public Io io() {
        return io;
    }

    @Override
    public String host() {
        return host.getValue();
    }

    @Override
    public CommandLine commandLine() {
        return commandLine;
    }
}
