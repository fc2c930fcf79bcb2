package dev.berth.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.berth.runtime.sys.ProcStat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A test's run dir with a supervisor on it. Closing stops every container still running (through a
 * supervisor, by their pidfds), checks that no process of any of them is left, and deletes the run dir.
 */
final class RunDir implements AutoCloseable {
    final Path runDir;
    Supervisor sup;

    RunDir() {
        try {
            runDir = Files.createTempDirectory("berth-runtime-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sup = Supervisor.open(runDir);
    }

    /** Closes the supervisor (containers keep running) and opens a new one on the same run dir. */
    Supervisor reopen() {
        sup.close();
        sup = Supervisor.open(runDir);
        return sup;
    }

    static ContainerSpec spec(String id, Path netns, String... command) {
        return new ContainerSpec(id, "n-" + id, id, netns, netns != null, List.of(command), Map.of(), null, null, null);
    }

    ContainerState run(ContainerSpec spec) {
        sup.create(spec);
        return sup.start(spec.id());
    }

    /** Starts the container and waits for its exit. */
    ContainerState runToExit(ContainerSpec spec) throws Exception {
        run(spec);
        return sup.exited(spec.id()).get(10, TimeUnit.SECONDS);
    }

    /** Starts a created container and waits for its exit. */
    ContainerState runToExitAfterCreate(String id) throws Exception {
        sup.start(id);
        return sup.exited(id).get(10, TimeUnit.SECONDS);
    }

    /** Everything logged so far: [stdout, stderr]. */
    String[] logs(String id, LogOptions o) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try (LogReader r = sup.logs(id, o)) {
            for (LogChunk c; (c = r.next()) != null; )
                (c.stream() == LogStream.STDOUT ? out : err).write(c.data());
        }
        return new String[] {out.toString(), err.toString()};
    }

    String stdout(String id) throws Exception {
        return logs(id, new LogOptions(false, null, null, -1, false, true, true))[0];
    }

    /** Follows the logs until {@code text} shows up in stdout (at most 5 s). */
    void awaitOutput(String id, String text) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!stdout(id).contains(text)) {
            if (System.nanoTime() > deadline) throw new AssertionError(id + " never printed '" + text + "'; stdout: " + stdout(id));
            Thread.sleep(5);
        }
    }

    /** The host PIDs (command and wrapper) a container's last run recorded, with their start times. */
    List<long[]> pids() throws IOException {
        List<long[]> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(runDir.resolve("containers"))) {
            for (Path d : dirs.toList()) {
                Path pid = d.resolve("pid");
                if (!Files.exists(pid)) continue;
                String[] f = Files.readString(pid).strip().split(" ");
                out.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])});
                out.add(new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        try {
            if (sup == null) return;
            for (ContainerState s : sup.list())
                if (s.running()) sup.stop(s.id(), Duration.ZERO);
            for (long[] p : pids()) assertFalse(ProcStat.alive(p[0], p[1]), "process " + p[0] + " was left running");
            sup.close();
        } finally {
            try (Stream<Path> walk = Files.walk(runDir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}
