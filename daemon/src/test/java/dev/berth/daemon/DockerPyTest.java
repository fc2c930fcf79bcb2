package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * docker-py against berthd, with its own code paths (dockerpy_check.py): Debian's python3-docker 5.0
 * and docker-py 7 in a virtualenv (from the machine's local Python package index, no network).
 */
@ExtendWith(LabExtension.class)
class DockerPyTest {
    /** The machine's local package index (pip's extra index here); PyPI itself is not reachable. */
    private static final String LOCAL_INDEX = "file:///opt/pypi/simple";

    @Test
    void debiansDockerPy(Lab lab) throws IOException {
        ExecResult v = Commands.run(List.of("/usr/bin/python3", "-c", "import docker; print(docker.__version__)"));
        assertTrue(v.stdout().startsWith("5."), "Debian's python3-docker: " + v.stdout() + v.stderr());
        run(lab, "/usr/bin/python3");
    }

    @Test
    void dockerPy7InAVirtualenv(Lab lab) throws IOException {
        Path venv = Files.createTempDirectory("berth-dockerpy-");
        try {
            // system site packages: requests and urllib3 come from Debian, docker 7 from the local index
            ExecResult mk =
                    Commands.run(List.of("/usr/bin/python3", "-m", "venv", "--system-site-packages", venv.toString()));
            assertEquals(0, mk.exitCode(), mk.stderr());
            ExecResult pip = Commands.run(
                    List.of(
                            venv.resolve("bin/pip").toString(),
                            "install",
                            "-q",
                            "--index-url",
                            LOCAL_INDEX,
                            "docker>=7,<8"),
                    Duration.ofSeconds(120),
                    null);
            assertEquals(0, pip.exitCode(), pip.stdout() + pip.stderr());
            run(lab, venv.resolve("bin/python").toString());
        } finally {
            Commands.run(List.of("rm", "-rf", venv.toString()));
        }
    }

    private static void run(Lab lab, String python) throws IOException {
        Path script = Files.createTempFile("dockerpy_check", ".py");
        try (InputStream in = DockerPyTest.class.getResourceAsStream("/dockerpy_check.py")) {
            Files.write(script, in.readAllBytes());
        }
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            ExecResult r = Commands.run(
                    List.of(python, script.toString(), "unix://" + d.socket), Duration.ofSeconds(180), null);
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr() + "\n--- berthd:\n" + d.log());
            assertTrue(r.stdout().contains("ok stop remove"), r.stdout());
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
