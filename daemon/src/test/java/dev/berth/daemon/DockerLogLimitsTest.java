package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A container's log is capped as Docker's json-file driver caps it: {@code --log-opt max-size} and
 * {@code max-file} from the API's {@code HostConfig.LogConfig} rotate the file and drop the oldest, and
 * {@code docker logs} (whole, {@code --tail}, and a follower present while the files rotate) still reads
 * what is kept; other drivers and options are refused by name, creating nothing.
 */
@ExtendWith(LabExtension.class)
class DockerLogLimitsTest {
    private static final String PAD = "-padding-padding-padding-padding";

    @Test
    void maxSizeAndMaxFileRotateAndLogsStillRead(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            // about 110 bytes a line in the json-file format: 3000 lines are ~330 KB, ~11x what three 10 KB files keep
            String id = d.dockerOk(
                            "run",
                            "-d",
                            "--name",
                            "chatty",
                            "--log-opt",
                            "max-size=10k",
                            "--log-opt",
                            "max-file=3",
                            "busybox",
                            "sh",
                            "-c",
                            "i=0; while [ $i -lt 3000 ]; do echo line-$i" + PAD + "; i=$((i+1)); done")
                    .trim();
            assertEquals("0", d.dockerOk("wait", "chatty").trim());
            JsonNode log = d.inspect("container", "inspect", "chatty")
                    .path("HostConfig")
                    .path("LogConfig");
            assertEquals("json-file", log.path("Type").asText());
            assertEquals("10k", log.path("Config").path("max-size").asText());
            assertEquals("3", log.path("Config").path("max-file").asText());

            Path dir = d.dir.resolve("state/runtime/logs").resolve(id);
            assertEquals(
                    List.of(id + "-json.log", id + "-json.log.1", id + "-json.log.2"),
                    files(dir),
                    "max-file=3 keeps three files");
            for (String f : files(dir))
                assertTrue(size(dir.resolve(f)) <= 10 * 1024, f + " holds " + size(dir.resolve(f)) + " bytes");

            List<String> lines = d.dockerOk("logs", "chatty").lines().toList();
            assertEquals("line-2999" + PAD, lines.getLast());
            assertTrue(
                    lines.size() > 150 && lines.size() < 300,
                    "what three 10 KB files hold: " + lines.size() + " lines");
            int first = Integer.parseInt(
                    lines.getFirst().substring(5, lines.getFirst().indexOf('-', 5)));
            for (int i = 0; i < lines.size(); i++)
                assertEquals("line-" + (first + i) + PAD, lines.get(i), "in order, none missing");
            assertEquals(
                    List.of("line-2998" + PAD, "line-2999" + PAD),
                    d.dockerOk("logs", "--tail", "2", "chatty").lines().toList());
        }
    }

    @Test
    void aFollowerGetsEveryLineWhileTheFilesRotate(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            // 60 bursts of 50 lines, 0.2 s apart: the three 20 KB files hold ~3 s of output, the follower must keep up
            // with that
            d.dockerOk(
                    "run",
                    "-d",
                    "--name",
                    "paced",
                    "--log-opt",
                    "max-size=20k",
                    "--log-opt",
                    "max-file=3",
                    "busybox",
                    "sh",
                    "-c",
                    "sleep 1; i=0; while [ $i -lt 3000 ]; do echo line-$i" + PAD
                            + "; i=$((i+1)); [ $((i % 50)) -eq 0 ] && sleep 0.2; done; true");
            ExecResult follow = d.docker("logs", "-f", "paced");
            assertEquals(0, follow.exitCode(), follow.stderr());
            List<String> lines = follow.stdout().lines().toList();
            assertEquals(3000, lines.size(), "a follower from the start saw every line across rotations");
            for (int i = 0; i < 3000; i++) assertEquals("line-" + i + PAD, lines.get(i));
            assertTrue(d.dockerOk("logs", "paced").lines().count() < 600, "yet only what the files hold stays");
        }
    }

    @Test
    void otherDriversAndOptionsAreRefusedByName(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            refused(d, "HostConfig.LogConfig.Type: the log driver 'syslog' is not supported", "--log-driver", "syslog");
            refused(d, "unknown log opt 'compress' for json-file log driver", "--log-opt", "compress=true");
            refused(d, "HostConfig.LogConfig.Config.max-size: 'ten' is not a size", "--log-opt", "max-size=ten");
            refused(d, "HostConfig.LogConfig.Config.max-size: '-1' is not a size", "--log-opt", "max-size=-1");
            refused(
                    d,
                    "HostConfig.LogConfig.Config.max-file: '0' is not a number of files",
                    "--log-opt",
                    "max-size=1m",
                    "--log-opt",
                    "max-file=0");
            assertEquals("", d.dockerOk("ps", "-aq").trim(), "nothing was created");

            // without options: Docker's json-file default, one file that is never rotated
            d.dockerOk("run", "--name", "plain", "busybox", "true");
            JsonNode log = d.inspect("container", "inspect", "plain")
                    .path("HostConfig")
                    .path("LogConfig");
            assertEquals("json-file", log.path("Type").asText());
            assertEquals(0, log.path("Config").size());
        }
    }

    private static void refused(DaemonLab d, String message, String... flags) {
        List<String> args = new ArrayList<>(List.of("run", "--rm"));
        args.addAll(List.of(flags));
        args.addAll(List.of("busybox", "true"));
        ExecResult r = d.docker(args.toArray(String[]::new));
        assertEquals(125, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stderr().contains(message), "expected \"" + message + "\" in: " + r.stderr());
    }

    private static List<String> files(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
