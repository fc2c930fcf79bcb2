package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.SeedImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Crash runs on a berthd whose crash points are armed ({@link CrashPoints}): a lab with two user networks
 * and a bystander container on both, the baseline world, and for one step of an operation: setup, arm,
 * the operation (berthd kills itself in it), restart, consistency checks ({@link CrashWorld#problems}),
 * removal of the victim and comparison with the baseline ({@link CrashWorld#diff}).
 */
final class CrashRuns implements AutoCloseable {
    /** One user operation, the container it makes or touches being called {@code victim}. */
    record Op(String name, Consumer<DaemonLab> setup, Function<DaemonLab, ExecResult> run) {}

    static final List<Op> OPS = List.of(
            new Op(
                    "docker run -d",
                    d -> {},
                    d -> d.docker(
                            "run",
                            "-d",
                            "--name",
                            "victim",
                            "--network",
                            "front",
                            "-p",
                            "8085:80",
                            "busybox",
                            "sleep",
                            "3600")),
            new Op(
                    "docker create",
                    d -> {},
                    d -> d.docker("create", "--name", "victim", "--network", "front", "busybox", "sleep", "3600")),
            new Op(
                    "docker run --rm",
                    d -> {},
                    d -> d.docker("run", "--rm", "--name", "victim", "--network", "front", "busybox", "true")),
            new Op(
                    "docker start",
                    d -> d.dockerOk("create", "--name", "victim", "busybox", "sleep", "3600"),
                    d -> d.docker("start", "victim")),
            new Op(
                    "docker stop",
                    d -> d.dockerOk("run", "-d", "--name", "victim", "--network", "front", "busybox", "sleep", "3600"),
                    d -> d.docker("stop", "-t", "1", "victim")),
            new Op(
                    "docker rm -f",
                    d -> d.dockerOk("run", "-d", "--name", "victim", "-p", "8086:80", "busybox", "sleep", "3600"),
                    d -> d.docker("rm", "-f", "victim")),
            new Op(
                    "docker network connect",
                    d -> d.dockerOk("run", "-d", "--name", "victim", "--network", "front", "busybox", "sleep", "3600"),
                    d -> d.docker("network", "connect", "back", "victim")),
            new Op(
                    "docker network disconnect",
                    d -> {
                        d.dockerOk("run", "-d", "--name", "victim", "--network", "front", "busybox", "sleep", "3600");
                        d.dockerOk("network", "connect", "back", "victim");
                    },
                    d -> d.docker("network", "disconnect", "back", "victim")));

    static Op op(String name) {
        for (Op o : OPS) if (o.name().equals(name)) return o;
        throw new IllegalArgumentException(name);
    }

    final DaemonLab d;
    private final Path crashDir;
    private final CrashWorld baseline;

    CrashRuns(Lab lab) {
        try {
            crashDir = Files.createTempDirectory("berth-crash-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        d = new DaemonLab(lab, Map.of(CrashPoints.ENV, crashDir.toString()));
        try {
            d.dockerOk("load", "-i", SeedImages.archive().toString());
            d.dockerOk("network", "create", "--subnet", "10.77.0.0/24", "front");
            d.dockerOk("network", "create", "--subnet", "10.78.0.0/24", "back");
            // a bystander on both networks, with a published port: no crash may disturb it
            d.dockerOk(
                    "run", "-d", "--name", "anchor", "--network", "front", "-p", "8084:80", "busybox", "sleep", "3600");
            d.dockerOk("network", "connect", "back", "anchor");
            baseline = CrashWorld.of(d);
        } catch (RuntimeException | AssertionError e) {
            close();
            throw e;
        }
    }

    /** Runs {@code op} without a crash; returns the distinct steps it passed, in order. */
    List<String> steps(Op op) {
        op.setup().accept(d);
        write(crashDir.resolve("trace"), "");
        ExecResult clean = op.run().apply(d);
        assertTrue(clean.ok(), op.name() + " works without a crash: " + clean.stderr());
        sleep(1500); // steps that follow the answer (an exit's clean-up)
        List<String> points;
        try {
            points = List.copyOf(new LinkedHashSet<>(Files.readAllLines(crashDir.resolve("trace")).stream()
                    .map(l -> l.split(" ")[0])
                    .toList()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        undo();
        assertEquals("", baseline.diff(CrashWorld.of(d)), op.name() + ": a clean run and rm leave the world as it was");
        return points;
    }

    /** One kill -9 at {@code point} (or {@code point#N}) of {@code op}; returns what went wrong, or null. */
    String crashAt(Op op, String point) {
        op.setup().accept(d);
        write(crashDir.resolve("at"), point);
        op.run().apply(d); // fails: berthd dies under it
        if (!d.died(Duration.ofSeconds(10))) {
            try {
                Files.deleteIfExists(crashDir.resolve("at"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            undo();
            return "=== " + op.name() + ", " + point + ": not reached";
        }
        d.start();
        List<String> problems = new ArrayList<>(CrashWorld.problems(d));
        // the daemon still works for the container the crash hit: it can be removed
        ExecResult rm = d.docker("rm", "-f", "victim");
        if (!rm.ok() && !rm.stderr().contains("No such container"))
            problems.add("docker rm -f victim after the restart: " + rm.stderr());
        undo();
        String diff = baseline.diff(CrashWorld.of(d));
        if (!diff.isEmpty()) problems.add("after removing the victim, not as before:\n" + diff);
        System.out.println("kill -9 in " + op.name() + " at " + point + ": "
                + (problems.isEmpty() ? "clean" : problems.size() + " problems"));
        if (problems.isEmpty()) return null;
        return "=== kill -9 in " + op.name() + " at " + point + ":\n  " + String.join("\n  ", problems)
                + "\n--- berthd log:\n" + DaemonLab.tail(d.log());
    }

    /**
     * As {@link #crashAt}, and after the restart the victim must start and run (a start finishes what the
     * crash left of its create: containerd's container, its snapshot); returns what went wrong, or null.
     */
    String crashThenStart(Op op, String point) {
        op.setup().accept(d);
        write(crashDir.resolve("at"), point);
        op.run().apply(d);
        if (!d.died(Duration.ofSeconds(10))) {
            try {
                Files.deleteIfExists(crashDir.resolve("at"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            undo();
            return "=== " + op.name() + ", " + point + " then start: not reached";
        }
        d.start();
        List<String> problems = new ArrayList<>(CrashWorld.problems(d));
        ExecResult start = d.docker("start", "victim");
        if (!start.ok()) problems.add("docker start victim after the restart: " + start.stderr());
        else {
            ExecResult exec = d.docker("exec", "victim", "true");
            if (!exec.ok()) problems.add("docker exec victim true after its start: " + exec.stderr());
            problems.addAll(CrashWorld.problems(d));
        }
        undo();
        String diff = baseline.diff(CrashWorld.of(d));
        if (!diff.isEmpty()) problems.add("after removing the victim, not as before:\n" + diff);
        System.out.println("kill -9 in " + op.name() + " at " + point + ", then start: "
                + (problems.isEmpty() ? "clean" : problems.size() + " problems"));
        if (problems.isEmpty()) return null;
        return "=== kill -9 in " + op.name() + " at " + point + ", then docker start:\n  "
                + String.join("\n  ", problems) + "\n--- berthd log:\n" + DaemonLab.tail(d.log());
    }

    private void undo() {
        ExecResult rm = d.docker("rm", "-f", "victim");
        if (!rm.ok() && !rm.stderr().contains("No such container"))
            throw new AssertionError("rm -f victim: " + rm.stderr());
    }

    private static void write(Path p, String s) {
        try {
            Files.writeString(p, s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        try {
            d.close();
        } finally {
            try (var s = Files.walk(crashDir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temp directory left behind is harmless
            }
        }
    }
}
