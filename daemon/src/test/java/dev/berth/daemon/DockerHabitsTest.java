package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.SeedImages;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What Docker's users take for granted and notice when it differs: generated names shaped as Docker's, and
 * {@code -p} with {@code --net=host} dropped with Docker's warning (the container runs on the host's ports).
 */
@ExtendWith(LabExtension.class)
class DockerHabitsTest {

    @Test
    void unnamedContainersGetDockerShapedNames(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            for (int i = 0; i < 4; i++) d.dockerOk("create", "busybox", "true");
            List<String> names =
                    d.dockerOk("ps", "-a", "--format", "{{.Names}}").lines().toList();
            assertEquals(4, names.size(), names.toString());
            assertEquals(4, names.stream().distinct().count(), names.toString());
            for (String name : names) {
                assertTrue(name.matches("[a-z]+_[a-z]+[0-9]?"), "adjective_noun as Docker's: " + name);
                assertEquals(
                        name, d.inspect("inspect", name).get("Name").asText().substring(1));
            }
        }
    }

    @Test
    void publishingOnTheHostNetworkIsDroppedWithDockersWarning(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            ExecResult run = d.docker("run", "-d", "--name", "web", "--net=host", "-p", "8080:80", SeedImages.NGINX);
            assertEquals(0, run.exitCode(), run.stderr());
            assertTrue(
                    run.stderr().contains("WARNING: Published ports are discarded when using host network mode"),
                    "the docker CLI prints the daemon's warning: " + run.stderr());
            assertEquals(
                    "",
                    d.dockerOk("ps", "--filter", "name=web", "--format", "{{.Ports}}")
                            .trim());
            assertTrue(
                    d.dockerOk("inspect", "-f", "{{json .HostConfig.PortBindings}}", "web")
                            .contains("8080"),
                    "HostConfig keeps what was asked, as Docker's");
            // the server listens on the host's own port 80, reached from the outside machine
            assertEquals(SeedImages.NGINX_PAGE, DaemonLab.http(d.ext, "http://192.0.2.1:80/"));
            assertFalse(
                    d.ext.exec("curl", "-s", "--max-time", "2", "http://192.0.2.1:8080/")
                            .ok(),
                    "nothing was published on 8080");

            ExecResult shared = d.docker("run", "-d", "--net=container:web", "-p", "9090:80", "busybox", "sleep", "30");
            assertTrue(!shared.ok() && shared.stderr().contains("conflicting options"), shared.stderr());
        }
    }
}
