package dev.berth.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion with a time limit, capturing its output; kills it (by its own PID) on timeout. */
public final class Commands {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final Executor DRAINERS = r -> Thread.ofVirtual().start(r);

    private Commands() {}

    public static ExecResult run(List<String> command) {
        return run(command, DEFAULT_TIMEOUT, null);
    }

    public static ExecResult run(List<String> command, Duration timeout, String stdin) {
        ProcessBuilder pb = new ProcessBuilder(command);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new LabException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (stdin != null) p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                throw new LabException("command " + String.join(" ", command) + " did not finish within " + timeout);
            }
            return new ExecResult(List.copyOf(command), p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            p.destroyForcibly();
            throw new LabException("cannot talk to " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + String.join(" ", command), e);
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try (in) {
                        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        return "";
                    }
                },
                DRAINERS);
    }
}
