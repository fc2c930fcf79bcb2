package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code docker events}: what berthd did to containers, networks, volumes and images, replayed with
 * {@code --since/--until} and followed live, in Docker's shape (legacy fields too) and with its filters.
 */
@ExtendWith(LabExtension.class)
class DockerEventsCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eventsOfContainersNetworksVolumesAndImages(Lab lab) throws Exception {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk("network", "create", "evnet");
            d.dockerOk("volume", "create", "evvol");
            d.docker(
                    "run",
                    "--name",
                    "ev1",
                    "--label",
                    "team=blue",
                    "--network",
                    "evnet",
                    "-v",
                    "evvol:/v",
                    "busybox",
                    "sh",
                    "-c",
                    "exit 3");
            d.dockerOk("run", "-d", "--name", "ev2", "busybox", "sleep", "300");
            d.dockerOk("exec", "ev2", "true");
            d.dockerOk("pause", "ev2");
            d.dockerOk("unpause", "ev2");
            d.dockerOk("stop", "-t", "5", "ev2");
            d.dockerOk("rm", "ev1", "ev2");
            d.dockerOk("tag", "busybox", "evtag:1");
            d.dockerOk("rmi", "evtag:1");
            d.dockerOk("volume", "rm", "evvol");
            d.dockerOk("network", "rm", "evnet");

            DockerContainerCliTest.sleepMs(
                    1100); // the CLI sends --until 0s in whole seconds (as Docker's): let this second pass
            List<JsonNode> ctr = events(d, "--filter", "type=container");
            assertTrue(ctr.stream().allMatch(e -> e.get("Type").asText().equals("container")), ctr.toString());
            assertEquals(List.of("create", "attach", "start", "die", "destroy"), actions(ctr, "ev1"));
            assertEquals(
                    List.of(
                            "create",
                            "start",
                            "exec_create: true",
                            "exec_start: true",
                            "exec_die",
                            "pause",
                            "unpause",
                            "kill",
                            "die",
                            "stop",
                            "destroy"),
                    actions(ctr, "ev2"));
            JsonNode die = ctr.stream()
                    .filter(e -> e.get("Action").asText().equals("die")
                            && e.at("/Actor/Attributes/name").asText().equals("ev1"))
                    .findFirst()
                    .orElseThrow();
            assertEquals("3", die.at("/Actor/Attributes/exitCode").asText());
            assertEquals("blue", die.at("/Actor/Attributes/team").asText(), "the container's labels are attributes");
            assertEquals("busybox", die.get("from").asText());
            assertEquals("die", die.get("status").asText());
            assertEquals(die.at("/Actor/ID").asText(), die.get("id").asText());
            assertEquals("local", die.get("scope").asText());
            assertEquals(die.get("time").asLong(), die.get("timeNano").asLong() / 1_000_000_000L);
            JsonNode kill = ctr.stream()
                    .filter(e -> e.get("Action").asText().equals("kill"))
                    .findFirst()
                    .orElseThrow();
            assertEquals("15", kill.at("/Actor/Attributes/signal").asText());

            assertEquals(
                    List.of("create", "connect", "disconnect", "destroy"),
                    events(d, "--filter", "type=network", "--filter", "network=evnet").stream()
                            .map(e -> e.get("Action").asText())
                            .toList());
            List<JsonNode> vol = events(d, "--filter", "volume=evvol");
            assertEquals(
                    List.of("create", "mount", "unmount", "destroy"),
                    vol.stream().map(e -> e.get("Action").asText()).toList());
            assertEquals("/v", vol.get(1).at("/Actor/Attributes/destination").asText());
            List<String> img = events(d, "--filter", "type=image").stream()
                    .map(e -> e.get("Action").asText())
                    .toList();
            assertTrue(img.containsAll(List.of("load", "tag", "untag")), img.toString());
            assertEquals(
                    List.of("die"),
                    events(d, "--filter", "event=die", "--filter", "container=ev1").stream()
                            .map(e -> e.get("Action").asText())
                            .toList());
            assertEquals(
                    List.of("exec_create: true", "exec_start: true"),
                    events(d, "--filter", "event=exec_create", "--filter", "event=exec_start").stream()
                            .map(e -> e.get("Action").asText())
                            .toList());
            assertEquals(
                    2,
                    events(d, "--filter", "label=team=blue").stream()
                            .filter(e -> e.get("Action").asText().matches("die|destroy"))
                            .count());
            assertTrue(d.docker("events", "--since", "1m", "--until", "0s", "--filter", "type=spaceship")
                    .stderr()
                    .contains("invalid filter"));

            // live: a follower sees a new container's life as it happens
            Process follow = new ProcessBuilder(
                            DaemonLab.DOCKER,
                            "-H",
                            "unix://" + d.socket,
                            "events",
                            "--since",
                            "1m",
                            "--filter",
                            "type=container",
                            "--filter",
                            "container=ev3",
                            "--format",
                            "{{.Action}}")
                    .redirectErrorStream(true)
                    .start();
            try {
                BlockingQueue<String> lines = new LinkedBlockingQueue<>();
                Thread.ofVirtual().start(() -> {
                    try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String l; (l = r.readLine()) != null; ) lines.add(l);
                    } catch (Exception ignored) {
                        // the process was ended
                    }
                });
                d.dockerOk("run", "--rm", "--name", "ev3", "busybox", "true");
                List<String> seen = new ArrayList<>();
                while (!seen.contains("destroy")) {
                    String l = lines.poll(20, TimeUnit.SECONDS);
                    assertTrue(l != null, "the follower saw " + seen);
                    seen.add(l);
                }
                assertEquals(List.of("create", "attach", "start", "die", "destroy"), seen);
            } finally {
                follow.destroy();
                follow.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static List<JsonNode> events(DaemonLab d, String... filters) throws Exception {
        List<String> args =
                new ArrayList<>(List.of("events", "--since", "1m", "--until", "0s", "--format", "{{json .}}"));
        args.addAll(List.of(filters));
        List<JsonNode> out = new ArrayList<>();
        for (String l : d.dockerOk(args.toArray(String[]::new)).split("\n"))
            if (!l.isBlank()) out.add(JSON.readTree(l));
        return out;
    }

    private static List<String> actions(List<JsonNode> events, String name) {
        return events.stream()
                .filter(e -> e.at("/Actor/Attributes/name").asText().equals(name))
                .map(e -> e.get("Action").asText())
                .toList();
    }
}
