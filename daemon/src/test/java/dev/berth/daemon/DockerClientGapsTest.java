package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What clients see that the first client tests left out: health kept across a berthd restart, a healthcheck past
 * its timeout killed, Docker's events for top, cp (archive-path, extract-to-dir) and network connects of a
 * stopped container (none until it starts, as Docker), and a renamed running container's namespace file.
 */
@ExtendWith(LabExtension.class)
class DockerClientGapsTest {

    @Test
    void healthIsKeptAcrossARestartOfBerthd(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk(
                    "run",
                    "-d",
                    "--name",
                    "ok",
                    "--health-cmd",
                    "true",
                    "--health-interval",
                    "300ms",
                    "busybox",
                    "sleep",
                    "300");
            assertTrue(
                    eventually(() -> status(d, "ok").equals("healthy"), 20),
                    d.inspect("inspect", "ok").at("/State").toString());
            d.dockerOk(
                    "run",
                    "-d",
                    "--name",
                    "bad",
                    "--health-cmd",
                    "false",
                    "--health-interval",
                    "300ms",
                    "--health-retries",
                    "1",
                    "busybox",
                    "sleep",
                    "300");
            assertTrue(eventually(() -> status(d, "bad").equals("unhealthy"), 20));
            d.stop();
            d.start();
            JsonNode ok = d.inspect("inspect", "ok").at("/State/Health");
            assertEquals("healthy", ok.get("Status").asText(), "not 'starting' again: " + ok);
            assertFalse(ok.get("Log").isEmpty(), "the runs before the restart are kept: " + ok);
            assertEquals("unhealthy", status(d, "bad"));
            assertTrue(d.dockerOk("ps", "--filter", "name=ok", "--format", "{{.Status}}")
                    .contains("(healthy)"));
            int runs = d.inspect("inspect", "ok").at("/State/Health/Log").size();
            String lastEnd = d.inspect("inspect", "ok")
                    .at("/State/Health/Log")
                    .get(runs - 1)
                    .get("End")
                    .asText();
            assertTrue(
                    eventually(() -> !lastEnd.equals(last(d, "ok").get("End").asText()), 10),
                    "the checks go on after the restart");

            d.dockerOk("stop", "-t", "0", "ok");
            d.stop();
            d.start();
            assertEquals("healthy", status(d, "ok"), "a stopped container shows its last health, as Docker");
        }
    }

    @Test
    void aHealthcheckPastItsTimeoutIsKilled(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk(
                    "run",
                    "-d",
                    "--name",
                    "slow",
                    "--health-cmd",
                    "sleep 77",
                    "--health-interval",
                    "200ms",
                    "--health-timeout",
                    "300ms",
                    "--health-retries",
                    "1",
                    "busybox",
                    "sleep",
                    "300");
            assertTrue(eventually(
                    () -> d.inspect("inspect", "slow").at("/State/Health/Log").size() >= 4, 30));
            // each probe is killed at its timeout: at most the one running now is left, not one per probe
            long sleepers = d.dockerOk("exec", "slow", "ps", "-o", "args")
                    .lines()
                    .filter(l -> l.contains("sleep 77"))
                    .count();
            assertTrue(
                    sleepers <= 1,
                    sleepers + " probes still run:\n" + d.dockerOk("exec", "slow", "ps", "-o", "pid,args"));
        }
    }

    @Test
    void eventsOfTopCopyAndConnects(Lab lab) throws Exception {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            long since = System.currentTimeMillis() / 1000;
            d.dockerOk("run", "-d", "--name", "cc", "busybox", "sleep", "300");
            d.dockerOk("top", "cc");
            Path file = Files.writeString(d.dir.resolve("note.txt"), "hello\n");
            d.dockerOk("cp", file.toString(), "cc:/tmp/");
            d.dockerOk("cp", "cc:/tmp/note.txt", d.dir.resolve("back.txt").toString());
            assertEquals("hello\n", Files.readString(d.dir.resolve("back.txt")));

            d.dockerOk("network", "create", "n2");
            d.dockerOk("create", "--name", "stopped", "busybox", "sleep", "300");
            d.dockerOk("network", "connect", "n2", "stopped");
            String beforeStart = events(d, since, "type=network", "event=connect");
            assertFalse(beforeStart.contains("n2"), "Docker sends no connect for a stopped container: " + beforeStart);
            d.dockerOk("start", "stopped");
            String afterStart = events(d, since, "type=network", "event=connect");
            assertTrue(afterStart.contains("n2"), "its networks are connected at the start: " + afterStart);

            String all = events(d, since, "container=cc");
            for (String action : new String[] {"top", "extract-to-dir", "archive-path"})
                assertTrue(all.lines().anyMatch(l -> l.startsWith(action + " ")), action + " in:\n" + all);
        }
    }

    @Test
    void aRenamedRunningContainersNamespaceFileFollowsItsName(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk("run", "-d", "--name", "first", "busybox", "sleep", "300");
            Path oldFile = Path.of("/run/netns", d.netnsPrefix + "first");
            Path newFile = Path.of("/run/netns", d.netnsPrefix + "second");
            assertTrue(Files.exists(oldFile));
            d.dockerOk("rename", "first", "second");
            assertTrue(Files.exists(newFile) && !Files.exists(oldFile), "the namespace file follows the name");
            assertTrue(Commands.run(List.of("nsenter", "--net=" + newFile, "ip", "-br", "addr"))
                    .stdout()
                    .contains("eth0"));
            // the old name is free at once, also for a namespace file, while the renamed one runs
            d.dockerOk("run", "-d", "--name", "first", "busybox", "sleep", "300");
            assertTrue(d.dockerOk("exec", "second", "ip", "-4", "addr").contains("172.17."));
            d.stop();
            d.start();
            assertTrue(Files.exists(newFile) && Files.exists(oldFile), "both kept after a restart of berthd");
            d.dockerOk("rm", "-f", "second", "first");
            assertFalse(Files.exists(newFile) || Files.exists(oldFile), "and removed with their containers");
        }
    }

    @Test
    void importMakesAnImageFromARootFileSystem(Lab lab) throws Exception {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            long since = System.currentTimeMillis() / 1000;
            Path root = Files.createDirectories(d.dir.resolve("rootfs/bin"));
            Files.copy(Path.of("/bin/busybox"), root.resolve("busybox"));
            Files.createSymbolicLink(root.resolve("sh"), Path.of("busybox"));
            Files.createSymbolicLink(root.resolve("echo"), Path.of("busybox"));
            Path tgz = d.dir.resolve("rootfs.tgz");
            assertTrue(Commands.run(List.of(
                            "tar",
                            "-czf",
                            tgz.toString(),
                            "-C",
                            d.dir.resolve("rootfs").toString(),
                            "."))
                    .ok());
            String id = d.dockerOk(
                            "import",
                            "-c",
                            "CMD [\"/bin/sh\", \"-c\", \"echo imported-$WHO\"]",
                            "-c",
                            "ENV WHO=me",
                            "-m",
                            "from a test",
                            tgz.toString(),
                            "mine:1")
                    .trim();
            assertTrue(id.startsWith("sha256:"), id);
            assertEquals(
                    id,
                    d.dockerOk("image", "inspect", "-f", "{{.Id}}", "mine:1").trim());
            assertEquals(
                    "from a test",
                    d.dockerOk("image", "inspect", "-f", "{{.Comment}}", "mine:1")
                            .trim());
            assertEquals("imported-me", d.dockerOk("run", "--rm", "mine:1").trim());
            String all = events(d, since, "type=image");
            assertTrue(all.lines().anyMatch(l -> l.equals("import " + id)), all);
            ExecResult bad = d.docker("import", "-c", "FROM busybox", tgz.toString());
            assertFalse(bad.ok());
            assertTrue(bad.stderr().contains("from is not a valid change command"), "Docker's words: " + bad.stderr());
        }
    }

    private static String events(DaemonLab d, long since, String... filters) {
        DockerContainerCliTest.sleepMs(1100); // --until is in whole seconds: let this second pass
        List<String> args = new ArrayList<>(List.of(
                "events",
                "--since",
                Long.toString(since),
                "--until",
                Long.toString(System.currentTimeMillis() / 1000),
                "--format",
                "{{.Action}} {{.Actor.Attributes.name}}"));
        for (String f : filters) {
            args.add("--filter");
            args.add(f);
        }
        return d.dockerOk(args.toArray(String[]::new));
    }

    private static String status(DaemonLab d, String name) {
        JsonNode s = d.inspect("inspect", name).at("/State/Health/Status");
        return s.isMissingNode() ? "" : s.asText();
    }

    private static JsonNode last(DaemonLab d, String name) {
        JsonNode log = d.inspect("inspect", name).at("/State/Health/Log");
        return log.get(log.size() - 1);
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
