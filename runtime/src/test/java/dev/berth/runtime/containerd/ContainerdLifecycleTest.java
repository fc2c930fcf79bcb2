package dev.berth.runtime.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.runtime.AttachSession;
import dev.berth.runtime.ContainerRuntime.LogConfig;
import dev.berth.runtime.LogChunk;
import dev.berth.runtime.LogOptions;
import dev.berth.runtime.LogReader;
import dev.berth.runtime.TaskState;
import dev.berth.runtime.logs.JsonFileLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Log rotation and follow, pause, and a berthd restart while tasks run: containerd + runc in a lab. */
@ExtendWith(LabExtension.class)
@Timeout(180)
class ContainerdLifecycleTest {

    @Test
    void logsRotateAndAFollowerReadsEveryLineAcrossRotations(Lab lab) throws Exception {
        try (RuntimeLab l = new RuntimeLab(lab)) {
            l.create(
                    "rot",
                    false,
                    false,
                    false,
                    new LogConfig(4000, 3),
                    l.spec(
                                    "rot",
                                    "sh",
                                    "-c",
                                    "i=0; while [ $i -lt 400 ]; do echo line$i; i=$((i+1)); [ $((i % 20)) = 0 ] && sleep 0.05; done")
                            .build());
            l.rt.start("rot");
            CompletableFuture<List<String>> followed = CompletableFuture.supplyAsync(() -> {
                try {
                    return l.logs("rot", new LogOptions(true, null, null, -1, false, true, true));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals(0, l.rt.exited("rot").get(60, TimeUnit.SECONDS).exitCode());
            List<String> expected =
                    IntStream.range(0, 400).mapToObj(i -> "out:line" + i).toList();
            assertEquals(
                    expected,
                    followed.get(30, TimeUnit.SECONDS),
                    "follow delivered every line once, in order, and ended at the exit");

            Path file = l.rt.logFile("rot");
            assertTrue(
                    Files.exists(JsonFileLog.rotated(file, 1)) && Files.exists(JsonFileLog.rotated(file, 2)),
                    "rotated");
            assertTrue(!Files.exists(JsonFileLog.rotated(file, 3)), "max-file 3 keeps three files in all");
            for (Path f : List.of(file, JsonFileLog.rotated(file, 1), JsonFileLog.rotated(file, 2)))
                assertTrue(Files.size(f) <= 4000, f + " holds at most max-size: " + Files.size(f));
            List<String> kept = l.logs("rot", RuntimeLab.all());
            assertEquals(
                    expected.subList(400 - kept.size(), 400), kept, "the kept files hold the latest lines, contiguous");
            assertEquals(
                    expected.subList(395, 400),
                    l.logs("rot", new LogOptions(false, null, null, 5, false, true, true)),
                    "tail 5");

            List<Instant> times = new ArrayList<>();
            try (LogReader r = l.rt.logs("rot", RuntimeLab.all())) {
                for (LogChunk c; (c = r.next()) != null; ) times.add(c.time());
            }
            Instant mid = times.get(times.size() / 2);
            List<String> since = l.logs("rot", new LogOptions(false, mid, null, -1, false, true, true));
            List<String> until = l.logs("rot", new LogOptions(false, null, mid, -1, false, true, true));
            assertEquals(kept.size(), since.size() + until.size(), "since and until split the log at one instant");
            assertEquals(kept.getLast(), since.getLast());
            assertEquals(
                    List.of(),
                    l.logs("rot", new LogOptions(false, null, null, -1, false, false, true)),
                    "no stderr was written");
            l.rt.deleteTask("rot");
        }
    }

    @Test
    void pauseFreezesAndResumeThaws(Lab lab) throws Exception {
        try (RuntimeLab l = new RuntimeLab(lab)) {
            l.create(
                    "tick",
                    false,
                    false,
                    false,
                    new LogConfig(-1, 1),
                    l.spec("tick", "sh", "-c", "while true; do echo tick; sleep 0.05; done")
                            .build());
            l.rt.start("tick");
            Thread.sleep(300);
            l.rt.pause("tick");
            assertEquals(TaskState.Status.PAUSED, l.rt.state("tick").status());
            Path freezer = Path.of("/sys/fs/cgroup/freezer", l.cgroupParent.substring(1), "tick", "freezer.state");
            assertEquals("FROZEN", Files.readString(freezer).strip());
            Thread.sleep(200);
            long frozen = Files.size(l.rt.logFile("tick"));
            Thread.sleep(500);
            assertEquals(frozen, Files.size(l.rt.logFile("tick")), "a frozen task writes nothing");
            l.rt.resume("tick");
            assertEquals(TaskState.Status.RUNNING, l.rt.state("tick").status());
            Thread.sleep(500);
            assertTrue(Files.size(l.rt.logFile("tick")) > frozen, "it runs again");
            l.rt.pause("tick");
            l.rt.stop("tick", 15, Duration.ofSeconds(1)); // stopping a paused task thaws it for the signal
            assertEquals(137, l.rt.state("tick").exitCode());
            l.rt.deleteTask("tick");
        }
    }

    @Test
    void tasksOutliveTheRuntimeAndAreAdoptedWithTheirLogsStdinAndExit(Lab lab) throws Exception {
        try (RuntimeLab l = new RuntimeLab(lab)) {
            l.create(
                    "long",
                    false,
                    false,
                    false,
                    new LogConfig(-1, 1),
                    l.spec(
                                    "long",
                                    "sh",
                                    "-c",
                                    "i=0; while [ $i -lt 40 ]; do echo tick$i; i=$((i+1)); sleep 0.1; done; exit 5")
                            .build());
            l.create(
                    "cat",
                    false,
                    true,
                    false,
                    new LogConfig(-1, 1),
                    l.spec("cat", "cat").build());
            l.create(
                    "gone",
                    false,
                    false,
                    false,
                    new LogConfig(-1, 1),
                    l.spec("gone", "sh", "-c", "sleep 1; echo bye; exit 6").build());
            TaskState first = l.rt.start("long");
            l.rt.start("cat");
            l.rt.start("gone");
            try (AttachSession a = l.rt.attach("cat", true, true, false)) {
                a.stdin().write("one\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("one\n", RuntimeLab.readUntil(a.stdout(), "one\n"));
            }
            Thread.sleep(500);

            l.rt.close(); // berthd goes away: tasks run on, "gone" exits meanwhile
            Thread.sleep(2000);
            l.rt = l.open();

            TaskState adopted = l.rt.state("long");
            assertEquals(TaskState.Status.RUNNING, adopted.status());
            assertEquals(first.pid(), adopted.pid());
            assertEquals(first.startedAt(), adopted.startedAt(), "the start time is kept with the container");
            TaskState gone = l.rt.exited("gone").get(10, TimeUnit.SECONDS);
            assertEquals(6, gone.exitCode(), "an exit that happened while berthd was down is found");
            try (AttachSession a = l.rt.attach("cat", true, true, false)) {
                a.stdin().write("two\n".getBytes(StandardCharsets.UTF_8));
                assertEquals(
                        "two\n", RuntimeLab.readUntil(a.stdout(), "two\n"), "stdin stayed open across the restart");
            }
            assertEquals(5, l.rt.exited("long").get(30, TimeUnit.SECONDS).exitCode());
            List<String> expected =
                    IntStream.range(0, 40).mapToObj(i -> "out:tick" + i).toList();
            assertEquals(
                    expected,
                    l.logs("long", RuntimeLab.all()),
                    "nothing lost, nothing twice: the output waited in the FIFO");
            assertEquals(List.of("out:one", "out:two"), l.logs("cat", RuntimeLab.all()));
            l.rt.stop("cat", 15, Duration.ofSeconds(1));
            for (String id : List.of("long", "cat", "gone")) {
                l.rt.deleteTask(id);
                l.rt.delete(id);
            }
            assertTrue(Files.list(l.dirs.run.resolve("runtime/fifo")).findAny().isEmpty(), "no FIFO left");
        }
    }
}
