package dev.berth.runtime.containerd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * berthd killed inside containerd's task create leaves a runc container containerd has no task for (its
 * state, its init process waiting to be started, its cgroup): the next open removes it.
 */
@ExtendWith(LabExtension.class)
class RuncLeftoversTest {

    @Test
    void aRuncContainerWithoutTaskIsDeletedAtOpen(Lab lab) throws Exception {
        try (RuntimeLab l = new RuntimeLab(lab)) {
            String id = "0123456789abcdef".repeat(4);
            Path bundle = l.dirs.base.resolve("bundle");
            Files.createDirectories(bundle);
            Files.writeString(
                    bundle.resolve("config.json"),
                    l.json(l.spec(id, "sleep", "60").hostname("leftover").build()));
            Path root = l.dirs.run.resolve("runtime/runc/berth");
            Process p = new ProcessBuilder(
                            "runc", "--root", root.toString(), "create", "--bundle", bundle.toString(), id)
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "runc create");
            assertTrue(Files.exists(root.resolve(id).resolve("state.json")), "runc's half-made container is there");

            l.reopen();

            assertFalse(Files.exists(root.resolve(id)), "runc's container is gone after the open");
        } // RuntimeLab's close: no process left in the containers' cgroups, no cgroup left
    }
}
