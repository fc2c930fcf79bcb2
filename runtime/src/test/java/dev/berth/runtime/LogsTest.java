package dev.berth.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docker logs: streams kept apart, tail, follow until the exit (foreground docker run attaches so). */
class LogsTest {

    @Test
    void stdoutAndStderrAreSeparateAndTailCountsLinesPerStream() throws Exception {
        try (RunDir rt = new RunDir()) {
            rt.runToExit(RunDir.spec("log1", null, "sh", "-c",
                    "echo out1; echo err1 >&2; echo out2; echo out3; echo err2 >&2; printf partial"));
            assertArrayEquals(new String[] {"out1\nout2\nout3\npartial", "err1\nerr2\n"}, rt.logs("log1", new LogOptions(false, null, null, -1, false, true, true)));
            assertArrayEquals(new String[] {"out3\npartial", "err1\nerr2\n"}, rt.logs("log1", new LogOptions(false, null, null, 2, false, true, true)));
            assertArrayEquals(new String[] {"partial", "err2\n"}, rt.logs("log1", new LogOptions(false, null, null, 1, false, true, true)));
            assertArrayEquals(new String[] {"", ""}, rt.logs("log1", new LogOptions(false, null, null, 0, false, true, true)));
            assertArrayEquals(new String[] {"", "err1\nerr2\n"}, rt.logs("log1", new LogOptions(false, null, null, -1, false, false, true)));
            assertArrayEquals(new String[] {"out1\nout2\nout3\npartial", ""}, rt.logs("log1", new LogOptions(false, null, null, 100, false, true, false)));
        }
    }

    @Test
    void followFromBeforeTheStartDeliversEverythingAndEndsAtTheExit() throws Exception {
        try (RunDir rt = new RunDir()) {
            rt.sup.create(RunDir.spec("fg1", null, "sh", "-c",
                    "for i in 1 2 3 4 5; do echo line$i; echo warn$i >&2; sleep 0.05; done; exit 4"));
            // docker run attaches before it starts the container.
            CompletableFuture<String[]> attached = CompletableFuture.supplyAsync(() -> {
                try {
                    return rt.logs("fg1", new LogOptions(true, null, null, -1, false, true, true));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(50);
            assertTrue(!attached.isDone(), "follow waits for a container that has not started");
            rt.sup.start("fg1");
            String[] got = attached.get(10, TimeUnit.SECONDS);
            assertEquals("line1\nline2\nline3\nline4\nline5\n", got[0]);
            assertEquals("warn1\nwarn2\nwarn3\nwarn4\nwarn5\n", got[1]);
            assertEquals(4, rt.sup.state("fg1").exitCode(), "the follow ended after the exit");
        }
    }

    @Test
    void followStreamsOutputWhileItIsWrittenAndEndsAtStop() throws Exception {
        try (RunDir rt = new RunDir()) {
            rt.run(RunDir.spec("tick", null, "sh", "-c", "i=0; while :; do i=$((i+1)); echo tick$i; sleep 0.02; done"));
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            try (LogReader r = rt.sup.logs("tick", new LogOptions(true, null, null, 0, false, true, true))) {
                while (seen.toString().lines().count() < 3) seen.write(r.next().data());
                assertTrue(seen.toString().startsWith("tick"), seen.toString());
                rt.sup.stop("tick", Duration.ofSeconds(5));
                while (true) {
                    LogChunk c = r.next();
                    if (c == null) break;
                    seen.write(c.data());
                }
                assertNull(r.next());
            }
            String all = rt.stdout("tick");
            assertTrue(all.endsWith(seen.toString()), "the follow delivered everything to the end");
        }
    }

    @Test
    void followOfAnExitedContainerReturnsWhatItWroteAndEnds() throws Exception {
        try (RunDir rt = new RunDir()) {
            rt.runToExit(RunDir.spec("done1", null, "echo", "bye"));
            assertArrayEquals(new String[] {"bye\n", ""}, rt.logs("done1", new LogOptions(true, null, null, -1, false, true, true)));
        }
    }

    @Test
    void tailStartFindsLineBoundaries(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("log");
        StringBuilder big = new StringBuilder();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3000; i++) lines.add("line number " + i);
        for (String l : lines) big.append(l).append('\n');
        Files.writeString(f, big);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            assertEquals(big.length() - "line number 2999\n".length(), FileLogReader.tailStart(ch, 1));
            assertEquals(big.indexOf("line number 1000\n"), FileLogReader.tailStart(ch, 2000));
            assertEquals(0, FileLogReader.tailStart(ch, 3000));
            assertEquals(0, FileLogReader.tailStart(ch, 5000));
            assertEquals(big.length(), FileLogReader.tailStart(ch, 0));
        }
        Files.writeString(f, "");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            assertEquals(0, FileLogReader.tailStart(ch, 3));
        }
    }
}
