package dev.berth.daemon;

import dev.berth.engine.tx.Faults;
import dev.berth.model.log.Log;
import dev.berth.netlink.NetlinkSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TEST ONLY: makes berthd kill itself with a real SIGKILL at a named step, so crash tests can prove that
 * a kill -9 anywhere leaves nothing behind after a restart. Off unless the environment variable
 * {@code BERTH_TEST_CRASH_DIR} names a directory; then every step berthd passes (the engine's transaction
 * steps, state-file renames, netlink batches and the container steps of {@code Containers}) is appended
 * to {@code DIR/trace} as {@code POINT NANOS} (System.nanoTime, which the API benchmark turns into a
 * per-step breakdown), and when {@code DIR/at} holds {@code POINT} (or {@code POINT#N}: its Nth pass
 * from the moment it was armed) berthd deletes that file (one crash per arming) and sends itself SIGKILL.
 */
public final class CrashPoints implements Faults {
    static final String ENV = "BERTH_TEST_CRASH_DIR";
    private final Path trace;
    private final Path at;
    private final Map<String, AtomicInteger> passes = new ConcurrentHashMap<>();
    private volatile String armed = "";

    private CrashPoints(Path dir) {
        this.trace = dir.resolve("trace");
        this.at = dir.resolve("at");
    }

    /** The hook the environment asks for, or {@link Faults#NONE} (always, outside crash tests). */
    public static Faults fromEnvironment() {
        String dir = System.getenv(ENV);
        if (dir == null || dir.isEmpty()) return Faults.NONE;
        CrashPoints c = new CrashPoints(Path.of(dir));
        NetlinkSocket.onBatchSent(() -> c.reach("netlink:batch-sent"));
        Log.warn("TEST ONLY: crash points are armed; berthd kills itself at the step named in " + c.at);
        return c;
    }

    @Override
    public synchronized void reach(String point) {
        try {
            Files.writeString(
                    trace,
                    point + " " + System.nanoTime() + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            String wanted = armedPoint();
            if (wanted.isEmpty()) return;
            String[] p = wanted.split("#", 2);
            if (!p[0].equals(point)) return;
            int n = p.length == 2 ? Integer.parseInt(p[1]) : 1;
            if (passes.computeIfAbsent(wanted, k -> new AtomicInteger()).incrementAndGet() < n) return;
            Files.deleteIfExists(at);
            killMyself();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String armedPoint() throws IOException {
        String wanted;
        try {
            wanted = Files.readString(at).strip();
        } catch (NoSuchFileException none) {
            wanted = "";
        }
        if (!wanted.equals(armed)) { // a new arming counts passes from zero
            passes.clear();
            armed = wanted;
        }
        return wanted;
    }

    /** A real SIGKILL, as the OOM killer or an operator's kill -9 sends: no shutdown hook, no finally block runs. */
    private static void killMyself() {
        try {
            new ProcessBuilder(List.of(
                            "kill",
                            "-KILL",
                            Long.toString(ProcessHandle.current().pid())))
                    .inheritIO()
                    .start()
                    .waitFor();
            Thread.sleep(60_000);
        } catch (IOException | InterruptedException e) {
            Runtime.getRuntime().halt(137);
        }
        Runtime.getRuntime().halt(137);
    }
}
