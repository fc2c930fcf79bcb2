package dev.berth.daemon;

import dev.berth.engine.tx.Faults;
import dev.berth.model.log.Log;
import dev.berth.netlink.NetlinkSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * BENCHMARK ONLY: where the time of each API request goes inside berthd. Off unless the environment
 * variable {@code BERTH_BENCH_TRACE} names a file; then every step a request's thread passes (the HTTP
 * dispatch, the points of {@code NetworksApi} and {@code Containers}, the engine's transaction steps,
 * state-file renames and netlink batches) is kept in memory with its System.nanoTime, and after the
 * answer went out the request's steps are appended to the file as one line:
 * {@code ROUTE POINT NANOS POINT NANOS ...}. The file is written once per request, after the answer,
 * so the request's own timing carries nothing of it (the connect benchmark reads it).
 * The steps of other work (crash points, when those are armed too) are passed on to {@code inner}.
 */
public final class StageTrace implements Faults {
    static final String ENV = "BERTH_BENCH_TRACE";
    private static volatile StageTrace active;
    private static final ThreadLocal<StringBuilder> CURRENT = new ThreadLocal<>();

    private final Path file;
    private final Faults inner;

    private StageTrace(Path file, Faults inner) {
        this.file = file;
        this.inner = inner;
    }

    /** A trace when the environment asks for one, passing every step on to {@code inner}; else {@code inner} itself. */
    public static Faults fromEnvironment(Faults inner) {
        String f = System.getenv(ENV);
        if (f == null || f.isEmpty()) return inner;
        StageTrace t = new StageTrace(Path.of(f), inner);
        if (inner == Faults.NONE)
            NetlinkSocket.onBatchSent(() -> t.reach("netlink:batch-sent")); // the crash points set it otherwise
        active = t;
        Log.warn("BENCHMARK ONLY: every API request's steps are traced to " + f);
        return t;
    }

    @Override
    public void reach(String point) {
        point(point);
        inner.reach(point);
    }

    /** A request starts on this thread (its route's pattern, e.g. {@code POST /networks/{id}/connect}). */
    public static void begin(String route) {
        if (active == null) return;
        StringBuilder b = new StringBuilder(512).append(route.replace(' ', '_'));
        CURRENT.set(b);
        stamp(b, "http:dispatch");
    }

    /** A named step of the request on this thread; nothing when no trace is on or no request runs. */
    public static void point(String name) {
        if (active == null) return;
        StringBuilder b = CURRENT.get();
        if (b != null) stamp(b, name);
    }

    /** The request on this thread has been answered: its line goes to the file. */
    public static void end() {
        StageTrace t = active;
        if (t == null) return;
        StringBuilder b = CURRENT.get();
        CURRENT.remove();
        if (b == null) return;
        b.append('\n');
        synchronized (t) {
            try {
                Files.writeString(
                        t.file, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void stamp(StringBuilder b, String name) {
        b.append(' ').append(name.replace(' ', '_')).append(' ').append(System.nanoTime());
    }
}
