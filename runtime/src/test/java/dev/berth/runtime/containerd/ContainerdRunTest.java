package dev.berth.runtime.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.lab.Commands;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.model.BerthException;
import dev.berth.runtime.ContainerRuntime;
import dev.berth.runtime.ContainerRuntime.LogConfig;
import dev.berth.runtime.TaskState;
import dev.berth.runtime.containerd.api.snapshots.CommitSnapshotRequest;
import dev.berth.runtime.containerd.api.snapshots.PrepareSnapshotRequest;
import dev.berth.runtime.containerd.api.snapshots.StatSnapshotRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Runs, exit codes, start failures, OOM, logs in Docker's json-file format, deletion: containerd + runc, busybox root. */
@ExtendWith(LabExtension.class)
@Timeout(120)
class ContainerdRunTest {
    private static final LogConfig NO_ROTATION = new LogConfig(-1, 1);

    @Test
    void runsExitsWithItsCodeAndLogsBothStreamsInJsonFileFormat(Lab lab) throws Exception {
        try (RuntimeLab l = new RuntimeLab(lab)) {
            l.create(
                    "run1",
                    false,
                    false,
                    false,
                    NO_ROTATION,
                    l.spec("run1", "sh", "-c", "echo out1; echo err1 >&2; echo out2; exit 3")
                            .build());
            assertEquals(Set.of("run1"), l.rt.ids());
            Instant before = Instant.now();
            TaskState started = l.rt.start("run1");
            assertEquals(TaskState.Status.RUNNING, started.status());
            assertTrue(started.pid() > 0);
            TaskState end = l.rt.exited("run1").get(20, TimeUnit.SECONDS);
            assertEquals(TaskState.Status.STOPPED, end.status());
            assertEquals(3, end.exitCode());
            assertFalse(end.oomKilled());
            assertNotNull(end.finishedAt());
            assertFalse(end.finishedAt().isBefore(before.minusSeconds(1)));
            assertEquals(3, l.rt.state("run1").exitCode(), "the stopped task still says how it ended");
            List<String> logs = l.logs("run1", RuntimeLab.all());
            assertEquals(
                    List.of("out:out1", "out:out2"),
                    logs.stream().filter(s -> s.startsWith("out:")).toList());
            assertEquals(
                    List.of("err:err1"),
                    logs.stream().filter(s -> s.startsWith("err:")).toList());

            Path file = l.rt.logFile("run1");
            List<String> lines = Files.readAllLines(file);
            assertEquals(3, lines.size(), lines.toString());
            for (String line : lines) {
                JsonNode n = new ObjectMapper().readTree(line);
                assertEquals(List.of("log", "stream", "time"), iterable(n), "Docker's json-file keys: " + line);
                assertTrue(n.get("log").asText().endsWith("\n"));
                Instant.parse(n.get("time").asText());
            }

            l.rt.deleteTask("run1");
            assertThrows(BerthException.NotFound.class, () -> l.rt.state("run1"));
            assertTrue(l.rt.exited("run1").isCompletedExceptionally(), "no task: exited fails with NotFound");
            assertFalse(Files.exists(l.rt.fifoDir("run1")), "the FIFOs went with the task");

            l.rt.start("run1"); // a second run appends to the same log
            assertEquals(3, l.rt.exited("run1").get(20, TimeUnit.SECONDS).exitCode());
            l.rt.deleteTask("run1");
            assertEquals(
                    4,
                    l.logs("run1", RuntimeLab.all()).stream()
                            .filter(s -> s.startsWith("out:"))
                            .count());

            l.rt.delete("run1");
            assertEquals(Set.of(), l.rt.ids());
            assertFalse(Files.exists(file), "the log went with the container");
            assertThrows(BerthException.NotFound.class, () -> l.rt.start("run1"));
        }
    }

    @Test
    void startFailuresCarryRuncsWordsAndLeaveNoTask(Lab lab) throws Exception {
        try (RuntimeLab l = new RuntimeLab(lab)) {
            l.create(
                    "bad",
                    false,
                    false,
                    false,
                    NO_ROTATION,
                    l.spec("bad", "no-such-program").build());
            BerthException e = assertThrows(BerthException.class, () -> l.rt.start("bad"));
            assertTrue(e.getMessage().contains("executable file not found"), e.getMessage());
            assertThrows(BerthException.NotFound.class, () -> l.rt.state("bad"));
            l.rt.delete("bad");
            l.create(
                    "dup",
                    false,
                    false,
                    false,
                    NO_ROTATION,
                    l.spec("dup", "true").build());
            assertThrows(
                    BerthException.Conflict.class,
                    () -> l.create(
                            "dup",
                            false,
                            false,
                            false,
                            NO_ROTATION,
                            l.spec("dup", "true").build()));
            l.rt.start("dup");
            assertThrows(BerthException.Conflict.class, () -> l.rt.delete("dup"), "a container with a task cannot go");
            l.rt.exited("dup").get(20, TimeUnit.SECONDS);
            assertThrows(
                    BerthException.Conflict.class,
                    () -> l.rt.start("dup"),
                    "the earlier run's task must be deleted first");
            l.rt.deleteTask("dup");
            l.rt.delete("dup");
        }
    }

    @Test
    void oomKillIsReported(Lab lab) throws Exception {
        try (RuntimeLab l = new RuntimeLab(lab)) {
            l.create(
                    "oom",
                    false,
                    false,
                    false,
                    NO_ROTATION,
                    l.spec("oom", "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1")
                            .memory(8L << 20)
                            .build());
            l.rt.start("oom");
            TaskState end = l.rt.exited("oom").get(20, TimeUnit.SECONDS);
            assertEquals(137, end.exitCode(), "128 + SIGKILL");
            assertTrue(end.oomKilled(), end.toString());
            l.rt.deleteTask("oom");
        }
    }

    @Test
    void stopSendsTheSignalThenKillsAfterTheGrace(Lab lab) throws Exception {
        try (RuntimeLab l = new RuntimeLab(lab)) {
            // pid 1 of a PID namespace ignores SIGTERM unless it handles it: sleep needs the SIGKILL
            l.create(
                    "stubborn",
                    false,
                    false,
                    false,
                    NO_ROTATION,
                    l.spec("stubborn", "sleep", "1000").build());
            l.create(
                    "polite",
                    false,
                    false,
                    false,
                    NO_ROTATION,
                    l.spec("polite", "sh", "-c", "trap 'echo bye; exit 0' TERM; while true; do sleep 0.1; done")
                            .build());
            l.rt.start("stubborn");
            l.rt.start("polite");
            Thread.sleep(300);
            long t0 = System.nanoTime();
            l.rt.stop("polite", 15, Duration.ofSeconds(10));
            long politeMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, l.rt.state("polite").exitCode());
            assertTrue(politeMs < 3000, "the handled SIGTERM ended it at once: " + politeMs + " ms");
            assertEquals(List.of("out:bye"), l.logs("polite", RuntimeLab.all()));

            t0 = System.nanoTime();
            l.rt.stop("stubborn", 15, Duration.ofSeconds(1));
            long stubbornMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(137, l.rt.state("stubborn").exitCode());
            assertTrue(stubbornMs >= 1000 && stubbornMs < 8000, "grace, then SIGKILL: " + stubbornMs + " ms");
            l.rt.deleteTask("polite");
            l.rt.deleteTask("stubborn");
        }
    }

    /** Without a lease or this label, containerd's garbage collector removes an unreferenced snapshot after any deletion. */
    private static final String GC_ROOT = "containerd.io/gc.root";

    @Test
    void rootFromASnapshotOnTheImagesChainIsTheContainersOwn(Lab lab) throws Exception {
        try (RuntimeLab l = new RuntimeLab(lab)) {
            // an "image" of one layer: a committed overlayfs snapshot holding the busybox tree, named like a chain id
            String chain = "sha256:" + "ab".repeat(32);
            try (Containerd c = Containerd.connect(l.containerd.socket(), "berth")) {
                var mounts = c.snapshots()
                        .prepare(PrepareSnapshotRequest.newBuilder()
                                .setSnapshotter("overlayfs")
                                .setKey("layer-extract")
                                .putLabels(GC_ROOT, "test")
                                .build())
                        .getMountsList();
                assertEquals("bind", mounts.getFirst().getType(), "a first layer is a plain directory");
                Path fs = Path.of(mounts.getFirst().getSource());
                Commands.run(List.of("cp", "-a", l.rootfs + "/.", fs.toString()))
                        .check();
                c.snapshots()
                        .commit(CommitSnapshotRequest.newBuilder()
                                .setSnapshotter("overlayfs")
                                .setName(chain)
                                .setKey("layer-extract")
                                .putLabels(GC_ROOT, "test")
                                .build());

                l.rt.create(
                        "snap1",
                        new ContainerRuntime.CreateRequest(
                                "test/busybox:latest",
                                chain,
                                RuntimeLab.json(
                                        l.spec(
                                                        "snap1",
                                                        "sh",
                                                        "-c",
                                                        "echo mine > /written && cat /written && test -x /bin/busybox")
                                                .build(),
                                        root -> root),
                                false,
                                false,
                                false,
                                Map.of(),
                                NO_ROTATION));
                l.rt.start("snap1");
                assertEquals(
                        0,
                        l.rt.exited("snap1").get(20, TimeUnit.SECONDS).exitCode(),
                        l.logs("snap1", RuntimeLab.all()).toString());
                assertEquals(List.of("out:mine"), l.logs("snap1", RuntimeLab.all()));
                assertFalse(
                        Files.exists(fs.resolve("written")),
                        "the image's layer is untouched: the write went to the container's snapshot");
                l.rt.deleteTask("snap1");
                l.rt.delete("snap1");
                var gone = assertThrows(
                        StatusRuntimeException.class,
                        () -> c.snapshots()
                                .stat(StatSnapshotRequest.newBuilder()
                                        .setSnapshotter("overlayfs")
                                        .setKey("snap1")
                                        .build()));
                assertEquals(
                        Status.Code.NOT_FOUND, gone.getStatus().getCode(), "the container's snapshot went with it");
                c.snapshots()
                        .stat(StatSnapshotRequest.newBuilder()
                                .setSnapshotter("overlayfs")
                                .setKey(chain)
                                .build()); // the image's stays
            }
        }
    }

    private static List<String> iterable(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
