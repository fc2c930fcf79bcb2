package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.Commands;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What would make the state and run directories grow for as long as berthd runs is capped or swept:
 * the managed containerd's own log is trimmed past 8 MiB (one older copy kept) while containerd goes on
 * writing to it, and the per-container directories a crash inside a remove or a copy leaves behind (a
 * log, FIFOs, /etc files, a mounted root file system) are removed at the next start; a live container's
 * are kept.
 */
@ExtendWith(LabExtension.class)
class StateGrowthTest {
    private static final String ORPHAN = "0123456789abcdef".repeat(4);

    @Test
    void containerdsLogIsTrimmedAndOrphanedContainerFilesAreSweptAtStart(Lab lab) throws IOException {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            String keep = d.dockerOk("run", "-d", "--name", "keep", "busybox", "sh", "-c", "echo kept; sleep 100000")
                    .trim();
            Path state = d.dir.resolve("state"), run = d.dir.resolve("run");
            Path containerdLog = state.resolve("containerd/containerd.log");
            d.stop();

            // months of containerd's log, and what crashes inside removes and copies would have left
            try (OutputStream out = Files.newOutputStream(containerdLog, StandardOpenOption.APPEND)) {
                byte[] line = "time=\"2026-01-01T00:00:00Z\" level=info msg=\"shim disconnected\" id=x\n".getBytes();
                for (long n = 0; n < 9L * 1024 * 1024; n += line.length) out.write(line);
            }
            List<Path> orphans = List.of(
                    state.resolve("runtime/logs").resolve(ORPHAN),
                    run.resolve("runtime/fifo").resolve(ORPHAN),
                    run.resolve("containers").resolve(ORPHAN));
            for (Path p : orphans) {
                Files.createDirectories(p);
                Files.writeString(p.resolve("left"), "from a crash");
            }
            Path mounted = run.resolve("rootfs").resolve(keep);
            Files.createDirectories(mounted);
            Commands.run(List.of("mount", "-t", "tmpfs", "-o", "size=1m", "berth-test", mounted.toString()))
                    .check();
            try {
                d.start();
                for (Path p : orphans) assertFalse(Files.exists(p), p + " was swept");
                assertFalse(mounts().contains(mounted.toString()), "the leftover root file system mount was unmounted");
                assertFalse(Files.exists(mounted));

                assertTrue(Files.exists(state.resolve("runtime/logs").resolve(keep)), "the live container's log stays");
                assertTrue(
                        Files.exists(run.resolve("containers").resolve(keep).resolve("hosts")), "and its /etc files");
                assertEquals("kept", d.dockerOk("logs", "keep").trim());
                assertEquals(
                        "true",
                        d.inspect("container", "inspect", "keep")
                                .path("State")
                                .path("Running")
                                .asText());

                Path older = state.resolve("containerd/containerd.log.1");
                assertTrue(Files.size(older) >= 9L * 1024 * 1024, "the long log moved to containerd.log.1");
                assertTrue(
                        Files.size(containerdLog) < 1024 * 1024,
                        "containerd.log starts over: " + Files.size(containerdLog));
                d.dockerOk("run", "--rm", "busybox", "true");
                byte[] now = Files.readAllBytes(containerdLog);
                assertTrue(now.length > 0, "containerd goes on writing to its log");
                assertNotEquals(0, now[0], "at the start of the emptied file, not after a hole");
            } finally {
                if (mounts().contains(mounted.toString())) Commands.run(List.of("umount", "-l", mounted.toString()));
            }
        }
    }

    private static String mounts() throws IOException {
        return Files.readString(Path.of("/proc/self/mountinfo"));
    }
}
