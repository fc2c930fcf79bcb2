package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * docker-compose 1.29 in the foreground against berthd, as a user at a terminal runs it: {@code up} attaches to
 * the services' output and stops them all on ctrl-c (SIGINT), {@code up --abort-on-container-exit} stops the
 * project when a service ends, {@code run --rm} runs a one-off command and removes its container.
 */
@ExtendWith(LabExtension.class)
class DockerComposeForegroundTest {
    private static final String PROJECT = """
            version: "2.4"
            services:
              talker:
                image: busybox
                command: sh -c "echo talker-up; trap 'exit 0' TERM; while true; do sleep 0.2; done"
              other:
                image: busybox
                command: sh -c "echo other-up; trap 'exit 0' TERM; while true; do sleep 0.2; done"
            """;
    private static final String ENDING = """
            version: "2.4"
            services:
              quick:
                image: busybox
                command: sh -c "sleep 1; echo quick-done; exit 3"
              other:
                image: busybox
                command: sh -c "echo other-up; trap 'exit 0' TERM; while true; do sleep 0.2; done"
            """;

    @Test
    void upInTheForegroundShowsTheServicesAndStopsThemOnCtrlC(Lab lab) throws Exception {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            Path file = Files.writeString(
                    Files.createDirectories(d.dir.resolve("fg")).resolve("docker-compose.yml"), PROJECT);
            LabProcess up = spawnCompose(d, file, "up");
            try {
                assertTrue(
                        waitFor(
                                () -> up.output().contains("talker-up")
                                        && up.output().contains("other-up"),
                                90),
                        "the services' output is shown:\n" + up.output() + "\n--- berthd:\n" + DaemonLab.tail(d.log()));
                assertEquals(2, running(d), d.dockerOk("ps", "-a"));
                Commands.run(List.of("kill", "-INT", Long.toString(up.pid())));
                up.waitFor(Duration.ofSeconds(60));
            } finally {
                up.close();
            }
            assertEquals(
                    0, running(d), "ctrl-c stopped every service:\n" + d.dockerOk("ps", "-a") + "\n" + up.output());
            assertEquals(
                    "0",
                    d.dockerOk("inspect", "-f", "{{.State.ExitCode}}", "fg_talker_1")
                            .trim(),
                    "the service ended on its stop signal (not killed after the grace period)");
            String states =
                    d.dockerOk("ps", "-a", "--filter", "label=com.docker.compose.project=fg", "--format", "{{.State}}");
            assertEquals(List.of("exited", "exited"), states.lines().toList());

            ExecResult run = compose(d, file, "run", "--rm", "-T", "talker", "echo", "one-off-here");
            assertTrue(
                    run.ok() && run.stdout().contains("one-off-here"),
                    run.stdout() + run.stderr() + DaemonLab.tail(d.log()));
            assertEquals(
                    "",
                    d.dockerOk("ps", "-aq", "--filter", "name=fg_talker_run").trim(),
                    "run --rm removed its container");
            compose(d, file, "down");
        }
    }

    @Test
    void upWithAbortOnContainerExitStopsTheProjectWhenAServiceEnds(Lab lab) throws Exception {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            Path file = Files.writeString(
                    Files.createDirectories(d.dir.resolve("fg")).resolve("docker-compose.yml"), ENDING);
            ExecResult up = Commands.run(
                    composeCommand(d, file, "up", "--abort-on-container-exit", "--exit-code-from", "quick"),
                    Duration.ofSeconds(120),
                    null);
            String out = up.stdout() + up.stderr();
            assertTrue(out.contains("quick-done") && out.contains("other-up"), out + DaemonLab.tail(d.log()));
            assertEquals(3, up.exitCode(), "--exit-code-from gives the service's exit code:\n" + out);
            assertEquals(0, running(d), d.dockerOk("ps", "-a"));
            compose(d, file, "down");
            assertEquals("", d.dockerOk("ps", "-aq").trim());
        }
    }

    private static int running(DaemonLab d) {
        return (int) d.dockerOk("ps", "-q", "--filter", "label=com.docker.compose.project=fg")
                .lines()
                .filter(l -> !l.isBlank())
                .count();
    }

    /**
     * Compose as a terminal would start it: SIGINT at its default disposition (a process started in the background
     * may inherit it ignored, and Python then installs no KeyboardInterrupt handler).
     */
    private static LabProcess spawnCompose(DaemonLab d, Path file, String... args) {
        List<String> c = new ArrayList<>(
                List.of(
                        "python3",
                        "-c",
                        "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])"));
        c.addAll(List.of("docker-compose", "-p", "fg", "-f", file.toString()));
        c.addAll(List.of(args));
        return d.host.spawnDaemon(
                Map.of("DOCKER_HOST", "unix://" + d.socket, "COMPOSE_HTTP_TIMEOUT", "120"), c.toArray(String[]::new));
    }

    private static List<String> composeCommand(DaemonLab d, Path file, String... args) {
        List<String> c = new ArrayList<>(
                List.of("env", "DOCKER_HOST=unix://" + d.socket, "docker-compose", "-p", "fg", "-f", file.toString()));
        c.addAll(List.of(args));
        return c;
    }

    private static ExecResult compose(DaemonLab d, Path file, String... args) {
        return Commands.run(composeCommand(d, file, args), Duration.ofSeconds(120), null);
    }

    private static boolean waitFor(BooleanSupplier c, int seconds) {
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < end) {
            if (c.getAsBoolean()) return true;
            DockerContainerCliTest.sleepMs(200);
        }
        return c.getAsBoolean();
    }
}
