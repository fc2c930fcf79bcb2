package dev.berth.runtime.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** containerd's log is trimmed in place while containerd holds it open in append mode, as it does for months. */
class ContainerdLogCapTest {

    @Test
    void pastTheCapTheLogMovesToDotOneAndTheWriterGoesOnAtTheStart(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("containerd.log");
        // containerd's stdout: opened once with O_APPEND (ProcessBuilder.Redirect.appendTo), never reopened
        try (FileChannel containerd =
                FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            write(containerd, "old line\n".repeat(20));
            assertFalse(ContainerdLogCap.trim(log, 1000), "under the cap nothing happens");
            assertTrue(ContainerdLogCap.trim(log, 100));
            assertEquals("old line\n".repeat(20), Files.readString(dir.resolve("containerd.log.1")));
            assertEquals(0, Files.size(log));

            write(containerd, "new line\n");
            assertEquals("new line\n", Files.readString(log), "the next write lands at the start: no hole of zeros");

            write(containerd, "more\n".repeat(30));
            assertTrue(ContainerdLogCap.trim(log, 100));
            assertEquals(
                    "new line\n" + "more\n".repeat(30),
                    Files.readString(dir.resolve("containerd.log.1")),
                    "one older copy, replaced");
            assertFalse(Files.exists(dir.resolve("containerd.log.1.tmp")));
        }
        assertFalse(ContainerdLogCap.trim(dir.resolve("absent.log"), 100), "no log yet: nothing to do");
    }

    private static void write(FileChannel ch, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) ch.write(b);
    }
}
