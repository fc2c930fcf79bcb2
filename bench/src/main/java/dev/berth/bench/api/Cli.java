package dev.berth.bench.api;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Runs a command line and times it from fork to exit, the wall time a user waits for. */
final class Cli {
    private Cli() {}

    /** A finished command: exit code, stdout and stderr together, and its wall time in nanoseconds. */
    record Run(List<String> command, int exitCode, String output, long nanos) {
        Run check() {
            if (exitCode != 0)
                throw new IllegalStateException(
                        String.join(" ", command) + " exited " + exitCode + ": " + UnixHttp.abbreviate(output));
            return this;
        }
    }

    /** Starts the command, reads its output to EOF and waits; the clock covers all of it. */
    static Run run(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        long t0 = System.nanoTime();
        try {
            Process p = pb.start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            int code = p.waitFor();
            long nanos = System.nanoTime() - t0;
            return new Run(command, code, new String(out, StandardCharsets.UTF_8), nanos);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Runs the command and returns its output; throws with the output when it fails. */
    static String output(List<String> command) {
        return run(command).check().output();
    }
}
