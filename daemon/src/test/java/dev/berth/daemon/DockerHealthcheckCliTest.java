package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Healthchecks from the docker CLI's flags run by berthd in the container: starting, healthy (shown by
 * {@code docker ps}, a {@code health_status: healthy} event), unhealthy after the retries, the log of the last
 * five runs, a timeout, {@code --no-healthcheck}, refusals in Docker's words, and no checks after the stop.
 */
@ExtendWith(LabExtension.class)
class DockerHealthcheckCliTest {

    @Test
    void healthchecksRunInTheContainer(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk(
                    "run",
                    "-d",
                    "--name",
                    "ok",
                    "--health-cmd",
                    "test -f /tmp/ready && echo fine",
                    "--health-interval",
                    "300ms",
                    "--health-retries",
                    "2",
                    "busybox",
                    "sh",
                    "-c",
                    "sleep 2; touch /tmp/ready; sleep 300");
            JsonNode cfg = d.inspect("inspect", "ok").at("/Config/Healthcheck");
            assertEquals("CMD-SHELL", cfg.get("Test").get(0).asText());
            assertEquals(300_000_000L, cfg.get("Interval").asLong());
            assertTrue(
                    eventually(() -> status(d, "ok").equals("healthy"), 20),
                    "healthy: " + d.inspect("inspect", "ok").at("/State"));
            JsonNode health = d.inspect("inspect", "ok").at("/State/Health");
            assertEquals(0, health.get("FailingStreak").asInt());
            JsonNode lastRun = health.get("Log").get(health.get("Log").size() - 1);
            assertEquals(0, lastRun.get("ExitCode").asInt());
            assertEquals("fine\n", lastRun.get("Output").asText());
            assertTrue(health.get("Log").size() <= 5);
            String ps = d.dockerOk("ps", "--filter", "name=ok", "--format", "{{.Status}}");
            assertTrue(
                    ps.contains("(healthy)"),
                    ps + " / " + d.inspect("inspect", "ok").at("/State/Health"));
            DockerContainerCliTest.sleepMs(
                    1100); // the CLI sends --until 0s in whole seconds (as Docker's): let this second pass
            String events = d.dockerOk(
                    "events",
                    "--since",
                    "1m",
                    "--until",
                    "0s",
                    "--filter",
                    "event=health_status",
                    "--format",
                    "{{.Action}} {{.Actor.Attributes.name}}");
            assertTrue(
                    events.contains("health_status: healthy ok"),
                    events + " / all: "
                            + d.dockerOk(
                                    "events",
                                    "--since",
                                    "1m",
                                    "--until",
                                    "0s",
                                    "--format",
                                    "{{.Action}} {{.Actor.Attributes.name}}"));

            d.dockerOk(
                    "run",
                    "-d",
                    "--name",
                    "bad",
                    "--health-cmd",
                    "echo nope; exit 1",
                    "--health-interval",
                    "200ms",
                    "--health-retries",
                    "3",
                    "busybox",
                    "sleep",
                    "300");
            assertTrue(eventually(() -> status(d, "bad").equals("unhealthy"), 20));
            JsonNode bad = d.inspect("inspect", "bad").at("/State/Health");
            assertTrue(bad.get("FailingStreak").asInt() >= 3, bad.toString());
            assertEquals("nope\n", bad.get("Log").get(0).get("Output").asText());
            assertTrue(
                    eventually(
                            () -> d.inspect("inspect", "bad")
                                            .at("/State/Health/Log")
                                            .size()
                                    == 5,
                            20),
                    "the last five runs are kept");

            d.dockerOk(
                    "run",
                    "-d",
                    "--name",
                    "slow",
                    "--health-cmd",
                    "sleep 5",
                    "--health-interval",
                    "200ms",
                    "--health-timeout",
                    "300ms",
                    "--health-retries",
                    "1",
                    "busybox",
                    "sleep",
                    "300");
            assertTrue(eventually(() -> status(d, "slow").equals("unhealthy"), 20));
            JsonNode slow = d.inspect("inspect", "slow").at("/State/Health/Log").get(0);
            assertEquals(-1, slow.get("ExitCode").asInt());
            assertTrue(slow.get("Output").asText().contains("exceeded timeout"), slow.toString());

            d.dockerOk("run", "-d", "--name", "none", "--no-healthcheck", "busybox", "sleep", "300");
            assertTrue(
                    d.inspect("inspect", "none").at("/State/Health").isMissingNode(),
                    "no Health with --no-healthcheck");
            assertTrue(d.docker("run", "--rm", "--health-cmd", "true", "--health-interval", "1us", "busybox", "true")
                    .stderr()
                    .contains("Interval in Healthcheck cannot be less than 1ms"));
            assertTrue(d.docker("run", "--rm", "--health-cmd", "true", "--health-retries", "-1", "busybox", "true")
                    .stderr()
                    .contains("cannot be negative"));

            // stopped: no more runs
            d.dockerOk("stop", "-t", "1", "bad");
            int runs = d.inspect("inspect", "bad").at("/State/Health/Log").size();
            String lastEnd = d.inspect("inspect", "bad")
                    .at("/State/Health/Log")
                    .get(runs - 1)
                    .get("End")
                    .asText();
            DockerContainerCliTest.sleepMs(1000);
            assertEquals(
                    lastEnd,
                    d.inspect("inspect", "bad")
                            .at("/State/Health/Log")
                            .get(runs - 1)
                            .get("End")
                            .asText());
            assertFalse(d.dockerOk("ps", "--format", "{{.Names}} {{.Status}}").contains("bad"));
        }
    }

    private static String status(DaemonLab d, String name) {
        JsonNode s = d.inspect("inspect", name).at("/State/Health/Status");
        return s.isMissingNode() ? "" : s.asText();
    }

    private static boolean eventually(BooleanSupplier c, int seconds) {
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < end) {
            if (c.getAsBoolean()) return true;
            DockerContainerCliTest.sleepMs(200);
        }
        return c.getAsBoolean();
    }
}
