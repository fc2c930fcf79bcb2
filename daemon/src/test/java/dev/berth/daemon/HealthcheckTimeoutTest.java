package dev.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.soak.Gauges;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A healthcheck whose test hangs is killed at its timeout (as Docker kills it), so probe after probe leaves
 * no process in the container and no descriptor in berthd; the container turns unhealthy.
 */
@ExtendWith(LabExtension.class)
class HealthcheckTimeoutTest {

    @Test
    void aHangingTestIsKilledAtItsTimeoutAndNothingPilesUp(Lab lab) throws Exception {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            Gauges gauges = new Gauges(d.pid(), d.host, d.dir.resolve("state"), d.dir.resolve("run"), d.netnsPrefix);
            d.dockerOk("run", "-d", "--name", "hang", "--health-cmd", "sleep 1000; true", "--health-interval", "1s",
                    "--health-timeout", "1s", "--health-retries", "2", "busybox", "sleep", "100000");
            JsonNode health = awaitStreak(d, 2);
            int afterTwo = gauges.read(false).fds();
            health = awaitStreak(d, 6);
            assertEquals("unhealthy", health.path("Status").asText());
            assertTrue(health.path("Log").get(0).path("Output").asText().contains("Health check exceeded timeout (1s)"), health.toString());
            long hanging = d.dockerOk("exec", "hang", "ps", "-o", "args").lines().filter(l -> l.contains("sleep 1000")).count();
            assertTrue(hanging <= 1, hanging + " timed-out tests still run in the container (at most the current one may)");
            int now = gauges.read(false).fds();
            assertTrue(now <= afterTwo + 4, "berthd's open files grew with the probes: " + afterTwo + " -> " + now);
        }
    }

    /** The container's State.Health once its failing streak reached {@code streak} (60 s at most). */
    private static JsonNode awaitStreak(DaemonLab d, int streak) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonNode h = d.inspect("container", "inspect", "hang").path("State").path("Health");
            if (h.path("FailingStreak").asInt() >= streak) return h;
            if (System.nanoTime() > end) throw new AssertionError("no failing streak of " + streak + " within 60 s: " + h);
            Thread.sleep(500);
        }
    }
}
