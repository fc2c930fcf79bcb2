package dev.berth.runtime.containerd.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Keeps a task's stdin FIFO open for writing while berthd is down. The shim closes the process's stdin
 * when the last writer of the FIFO goes, so without it a berthd restart would end {@code docker run -i}
 * shells; the keeper is a {@code sleep} in a session of its own with the FIFO as its stdout (it never
 * writes). Its pid is kept in a file beside the FIFO, so the next berthd can end it.
 */
public final class StdinKeeper {
    private StdinKeeper() {}

    public static void start(Path fifo, Path pidFile) throws IOException {
        Process p = new ProcessBuilder("setsid", "sleep", "infinity")
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(fifo.toFile()))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Files.writeString(pidFile, p.pid() + "\n"); // setsid execs sleep in place: the pid is the keeper's
    }

    /** Ends the keeper named by {@code pidFile}, if it is still that sleep. */
    public static void stop(Path pidFile) {
        try {
            if (!Files.exists(pidFile)) return;
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            if (h.isPresent() && cmdline(pid).startsWith("sleep infinity")) {
                h.get().destroyForcibly();
                h.get().onExit().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).exceptionally(t -> null).join();
            }
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NumberFormatException e) {
            // a torn pid file: nothing to end
        }
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }
}
