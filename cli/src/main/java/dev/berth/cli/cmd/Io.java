package dev.berth.cli.cmd;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/** The process's streams and environment, passed in so tests can run the CLI in-process. */
public record Io(PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
    public static Io system() {
        return new Io(System.out, System.err, System.in, System.getenv());
    }
}
