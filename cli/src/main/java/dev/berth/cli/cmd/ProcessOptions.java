package dev.berth.cli.cmd;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The process options {@code run} and {@code exec} share: its environment and working directory. */
public final class ProcessOptions {
    @Option(
            names = {"-e", "--env"},
            description = "Set environment variables K=V (repeatable)")
    List<String> env = new ArrayList<>();

    @Option(names = "--env-file", description = "Read in a file of environment variables (repeatable)")
    List<String> envFiles = new ArrayList<>();

    @Option(
            names = {"-w", "--workdir"},
            description = "Working directory inside the container")
    String workdir;

    /** The files' variables, then the -e ones; {@code -e NAME} takes NAME's value from {@code hostEnv}, as docker's. */
    List<String> environment(Map<String, String> hostEnv) {
        List<String> out = new ArrayList<>();
        for (String f : envFiles) out.addAll(EnvFiles.read(f, hostEnv));
        for (String e : env) {
            if (e.contains("=")) out.add(e);
            else if (hostEnv.containsKey(e)) out.add(e + "=" + hostEnv.get(e));
        }
        return out;
    }
}
