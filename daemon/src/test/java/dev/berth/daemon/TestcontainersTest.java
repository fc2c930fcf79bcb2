package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * testcontainers-java (test scope) against berthd: {@link TestcontainersProbe} runs in a JVM of its own
 * inside the lab's outside host "ext" (nsenter --net), with DOCKER_HOST at berthd's socket, Ryuk and the
 * start-up checks off (they pull images; there is no registry), and the host its containers' mapped
 * ports are reached at overridden to berthd's lab address 192.0.2.1. Nothing touches this machine's
 * own namespace.
 */
@ExtendWith(LabExtension.class)
class TestcontainersTest {

    @Test
    void genericContainerNetworkAndCopy(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            String java = ProcessHandle.current().info().command().orElse("java");
            ExecResult r = Commands.run(
                    List.of(
                            "nsenter",
                            "--net=" + d.ext.netnsPath(),
                            "env",
                            "DOCKER_HOST=unix://" + d.socket,
                            "TESTCONTAINERS_RYUK_DISABLED=true",
                            "TESTCONTAINERS_CHECKS_DISABLE=true",
                            "TESTCONTAINERS_HOST_OVERRIDE=192.0.2.1",
                            "HOME=" + d.dir,
                            java,
                            "-cp",
                            System.getProperty("java.class.path"),
                            TestcontainersProbe.class.getName()),
                    Duration.ofSeconds(240),
                    null);
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr() + "\n--- berthd:\n" + d.log());
            assertTrue(r.stdout().contains("ok closed"), r.stdout());
            assertEquals("", d.dockerOk("ps", "-aq").trim(), "testcontainers removed its containers");
            assertTrue(
                    d.dockerOk("network", "ls", "--format", "{{.Name}}")
                            .lines()
                            .allMatch(n -> List.of("bridge", "host", "none").contains(n)),
                    "and its network");
        }
    }
}
