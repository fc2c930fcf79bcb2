package dev.berth.runtime.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.model.BerthException;
import dev.berth.runtime.AttachSession;
import dev.berth.runtime.ContainerRuntime.LogConfig;
import dev.berth.runtime.ExecRequest;
import dev.berth.runtime.ExecSession;
import dev.berth.runtime.TaskState;
import dev.berth.runtime.oci.SpecRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Terminals, exec, attach and stdin through containerd's FIFOs, on the real kernel. */
@ExtendWith(LabExtension.class)
@Timeout(120)
class ContainerdStdioTest {
    private static final LogConfig LOG = new LogConfig(-1, 1);

    @Test
    void execsWithAndWithoutTerminalAndResizesSeenByStty(Lab lab) throws Exception {
        try (RuntimeLab l = new RuntimeLab(lab)) {
            SpecRequest spec = l.spec("tty1", "sh").terminal(true).build();
            l.create("tty1", true, true, false, LOG, spec);
            l.rt.start("tty1");

            try (ExecSession e = l.rt.exec(
                    "tty1",
                    new ExecRequest(
                            "e1",
                            RuntimeLab.execJson(spec, false, "sh", "-c", "echo hi; echo oops >&2; exit 7"),
                            false,
                            false))) {
                assertTrue(e.pid() > 0);
                assertEquals("hi\n", new String(e.stdout().readAllBytes(), StandardCharsets.UTF_8));
                assertEquals("oops\n", new String(e.stderr().readAllBytes(), StandardCharsets.UTF_8));
                assertEquals(7, e.exitCode().get(10, TimeUnit.SECONDS));
            }
            try (ExecSession e =
                    l.rt.exec("tty1", new ExecRequest("e2", RuntimeLab.execJson(spec, false, "cat"), false, true))) {
                e.stdin().write("piped through\n".getBytes(StandardCharsets.UTF_8));
                e.stdin().close();
                assertEquals("piped through\n", new String(e.stdout().readAllBytes(), StandardCharsets.UTF_8));
                assertEquals(0, e.exitCode().get(10, TimeUnit.SECONDS));
            }
            try (ExecSession e = l.rt.exec(
                    "tty1",
                    new ExecRequest(
                            "e3", RuntimeLab.execJson(spec, true, "sh", "-c", "sleep 0.5; stty size"), true, false))) {
                e.resize(100, 40);
                String out = new String(e.stdout().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals("40 100", out.strip(), "stty in the exec's terminal sees its size");
                assertEquals(-1, e.stderr().read(), "a terminal has no stderr");
                assertEquals(0, e.exitCode().get(10, TimeUnit.SECONDS));
            }
            var missing = assertThrows(
                    BerthException.class,
                    () -> l.rt.exec(
                            "tty1",
                            new ExecRequest("e4", RuntimeLab.execJson(spec, false, "no-such-thing"), false, false)));
            assertTrue(missing.getMessage().contains("executable file not found"), missing.getMessage());

            l.rt.resize("tty1", 120, 50);
            try (ExecSession e = l.rt.exec(
                    "tty1",
                    new ExecRequest(
                            "e5",
                            RuntimeLab.execJson(spec, false, "stty", "-F", "/dev/console", "size"),
                            false,
                            false))) {
                assertEquals(
                        "50 120",
                        new String(e.stdout().readAllBytes(), StandardCharsets.UTF_8).strip(),
                        "the task's own terminal was resized");
            }
            l.rt.stop("tty1", 9, Duration.ofSeconds(1));
            l.rt.deleteTask("tty1");
            assertTrue(Files.list(l.dirs.run.resolve("runtime/fifo")).findAny().isEmpty(), "no FIFO left");
        }
    }

    @Test
    void attachEchoesStdinOnPipesAndOnATerminal(Lab lab) throws Exception {
        try (RuntimeLab l = new RuntimeLab(lab)) {
            l.create("cat1", false, true, false, LOG, l.spec("cat1", "cat").build());
            l.create(
                    "sh1",
                    true,
                    true,
                    false,
                    LOG,
                    l.spec("sh1", "sh").terminal(true).build());
            l.rt.start("cat1");
            l.rt.start("sh1");
            try (AttachSession a = l.rt.attach("cat1", true, true, true)) {
                a.stdin().write("hello\n".getBytes(StandardCharsets.UTF_8));
                a.stdin().flush();
                assertEquals("hello\n", RuntimeLab.readUntil(a.stdout(), "hello\n"));
            }
            try (AttachSession a = l.rt.attach("sh1", true, true, true)) {
                a.stdin().write("echo $((6*7))\n".getBytes(StandardCharsets.UTF_8));
                assertTrue(RuntimeLab.readUntil(a.stdout(), "42").contains("42"));
                assertEquals(-1, a.stderr().read(), "with a terminal there is no stderr");
            }
            assertEquals(TaskState.Status.RUNNING, l.rt.state("sh1").status(), "detaching leaves the task running");
            assertEquals(TaskState.Status.RUNNING, l.rt.state("cat1").status());
            try (AttachSession a = l.rt.attach("sh1", true, true, false)) {
                a.stdin().write("exit 4\n".getBytes(StandardCharsets.UTF_8));
                RuntimeLab.readUntil(a.stdout(), "never printed");
            }
            assertEquals(
                    4,
                    l.rt.exited("sh1").get(10, TimeUnit.SECONDS).exitCode(),
                    "the attacher's stream ended at the exit");
            l.rt.stop("cat1", 15, Duration.ofSeconds(1));
            l.rt.deleteTask("cat1");
            l.rt.deleteTask("sh1");
        }
    }

    @Test
    void stdinOnceClosesTheTasksStdinAndAttachBeforeStartSeesEverything(Lab lab) throws Exception {
        try (RuntimeLab l = new RuntimeLab(lab)) {
            l.create(
                    "once",
                    false,
                    true,
                    true,
                    LOG,
                    l.spec("once", "sh", "-c", "echo early; cat; echo done").build());
            try (AttachSession a = l.rt.attach("once", true, true, true)) { // docker run -i: attach, then start
                l.rt.start("once");
                assertEquals("early\n", RuntimeLab.readUntil(a.stdout(), "early\n"), "output from the first byte");
                a.stdin().write("typed\n".getBytes(StandardCharsets.UTF_8));
                a.stdin().close();
                String rest = RuntimeLab.readUntil(a.stdout(), "the end of the stream");
                assertEquals("typed\ndone\n", rest);
            }
            assertEquals(0, l.rt.exited("once").get(10, TimeUnit.SECONDS).exitCode(), "cat saw end of file");
            l.rt.deleteTask("once");
        }
    }

    @Test
    void anAttacherThatStopsReadingDoesNotBlockTheTask(Lab lab) throws Exception {
        try (RuntimeLab l = new RuntimeLab(lab)) {
            l.create(
                    "flood",
                    false,
                    false,
                    false,
                    LOG,
                    l.spec(
                                    "flood",
                                    "sh",
                                    "-c",
                                    "sleep 0.5; dd if=/dev/zero bs=1M count=12 2>/dev/null | tr '\\0' 'x'; echo")
                            .build());
            try (AttachSession a = l.rt.attach("flood", false, true, true)) {
                l.rt.start("flood");
                TaskState end = l.rt.exited("flood").get(30, TimeUnit.SECONDS);
                assertEquals(0, end.exitCode());
                assertThrows(
                        IOException.class, () -> drain(a.stdout()), "the slow attacher was detached with an error");
            }
            long logged = 0;
            try (var r = l.rt.logs("flood", RuntimeLab.all())) {
                for (var c = r.next(); c != null; c = r.next()) logged += c.data().length;
            }
            assertEquals(12L * 1024 * 1024 + 1, logged, "all output reached the log, whatever the attacher did");
            l.rt.deleteTask("flood");
        }
    }

    private static void drain(InputStream in) throws IOException {
        byte[] b = new byte[65536];
        while (in.read(b) >= 0) {
            // read to the end
        }
    }
}
