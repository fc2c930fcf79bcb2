package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code docker volume create/ls/inspect/rm/prune} with the docker CLI against berthd: labels and filters, data
 * shared by containers through a named volume, Docker's refusals in Docker's words, {@code rm -v} removing only
 * anonymous volumes, a default prune removing only anonymous ones, and records kept across a berthd restart.
 */
@ExtendWith(LabExtension.class)
class DockerVolumeCliTest {

    @Test
    void volumesAsTheDockerCliManagesThem(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            assertEquals("data\n", d.dockerOk("volume", "create", "--label", "team=blue", "data"));
            JsonNode v = d.inspect("volume", "inspect", "data");
            assertEquals("data", v.get("Name").asText());
            assertEquals("local", v.get("Driver").asText());
            assertEquals("local", v.get("Scope").asText());
            assertEquals("blue", v.get("Labels").get("team").asText());
            Path mountpoint = Path.of(v.get("Mountpoint").asText());
            assertEquals(d.dir.resolve("state/volumes/data/_data"), mountpoint);
            assertTrue(Files.isDirectory(mountpoint));
            assertTrue(v.get("CreatedAt").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), v.toString());

            // refusals name what is not implemented, in Docker's words where Docker has them
            ExecResult plugin = d.docker("volume", "create", "-d", "nfs", "x1");
            assertFalse(plugin.ok());
            assertTrue(plugin.stderr().contains("Driver"), plugin.stderr());
            ExecResult opts = d.docker("volume", "create", "-o", "type=tmpfs", "x2");
            assertTrue(opts.stderr().contains("DriverOpts.type"), opts.stderr());
            ExecResult badName = d.docker("volume", "create", "a b");
            assertTrue(
                    badName.stderr().contains("includes invalid characters for a local volume name"), badName.stderr());
            assertTrue(d.docker("volume", "inspect", "nope").stderr().contains("get nope: no such volume"));
            assertTrue(d.docker("volume", "rm", "nope").stderr().contains("no such volume"));
            assertTrue(
                    d.docker("volume", "rm", "-f", "nope").ok(), "rm -f of a missing volume is no error (as Docker)");
            assertEquals(
                    "data\n", d.dockerOk("volume", "create", "data"), "a second create returns the existing volume");

            // data written by one container is read by the next through the named volume
            d.dockerOk("run", "--name", "writer", "-v", "data:/data", "busybox", "sh", "-c", "echo kept > /data/f");
            assertEquals(
                    "kept",
                    d.dockerOk("run", "--rm", "-v", "data:/d:ro", "busybox", "cat", "/d/f")
                            .trim());
            assertEquals("kept\n", Files.exists(mountpoint.resolve("f")) ? "kept\n" : "missing");
            // a volume a mount names is created by the run, as docker run -v does
            d.dockerOk("run", "--rm", "-v", "made-by-run:/m", "busybox", "true");
            assertTrue(d.dockerOk("volume", "ls", "-q").contains("made-by-run"));

            String writer = d.dockerOk("inspect", "-f", "{{.Id}}", "writer").trim();
            ExecResult inUse = d.docker("volume", "rm", "data");
            assertTrue(inUse.stderr().contains("remove data: volume is in use - [" + writer + "]"), inUse.stderr());
            assertTrue(
                    d.docker("volume", "rm", "-f", "data").stderr().contains("volume is in use"),
                    "force does not remove a used volume");

            // filters
            assertEquals(List.of("data"), lines(d.dockerOk("volume", "ls", "-q", "--filter", "label=team=blue")));
            assertEquals(List.of("data"), lines(d.dockerOk("volume", "ls", "-q", "--filter", "name=^da")));
            assertEquals(List.of("made-by-run"), lines(d.dockerOk("volume", "ls", "-q", "--filter", "dangling=true")));
            assertEquals(List.of("data"), lines(d.dockerOk("volume", "ls", "-q", "--filter", "dangling=false")));
            assertTrue(
                    d.docker("volume", "ls", "--filter", "colour=red").stderr().contains("invalid filter"));

            // anonymous volumes: rm -v removes them, never a named one
            d.dockerOk("run", "--name", "anon", "-v", "/scratch", "-v", "data:/data", "busybox", "true");
            JsonNode mounts = d.inspect("inspect", "anon").get("Mounts");
            String anon = null;
            for (JsonNode m : mounts)
                if (m.get("Destination").asText().equals("/scratch"))
                    anon = m.get("Name").asText();
            assertTrue(anon != null && anon.matches("[0-9a-f]{64}"), mounts.toString());
            assertEquals(
                    "",
                    d.inspect("volume", "inspect", anon)
                            .get("Labels")
                            .get("com.docker.volume.anonymous")
                            .asText());
            d.dockerOk("rm", "-v", "anon");
            assertFalse(d.dockerOk("volume", "ls", "-q").contains(anon), "rm -v removed the anonymous volume");
            assertTrue(d.dockerOk("volume", "ls", "-q").contains("data"), "and kept the named one");

            // a default prune removes unused anonymous volumes only; --all the named ones too; filters select
            d.dockerOk("create", "--name", "holder", "-v", "/held", "busybox", "true");
            d.dockerOk("run", "--name", "gone", "-v", "/loose", "busybox", "true");
            d.dockerOk("rm", "gone"); // without -v: its anonymous volume stays, unused
            d.dockerOk("volume", "create", "--label", "keep=yes", "kept");
            d.dockerOk("volume", "create", "spare");
            int before = lines(d.dockerOk("volume", "ls", "-q")).size();
            String pruned = d.dockerOk("volume", "prune", "-f");
            assertTrue(pruned.contains("Deleted Volumes:"), pruned);
            assertEquals(
                    before - 1,
                    lines(d.dockerOk("volume", "ls", "-q")).size(),
                    "one anonymous unused volume pruned:\n" + pruned);
            Set<String> named = Set.of("data", "made-by-run", "kept", "spare");
            assertTrue(lines(d.dockerOk("volume", "ls", "-q")).containsAll(named));
            d.dockerOk("volume", "prune", "-af", "--filter", "label!=keep");
            List<String> left = lines(d.dockerOk("volume", "ls", "-q"));
            assertTrue(
                    left.contains("data")
                            && left.contains("kept")
                            && !left.contains("spare")
                            && !left.contains("made-by-run"),
                    left.toString());
            assertEquals(3, left.size(), "data (used), kept (label), holder's anonymous one (used): " + left);

            // records survive a restart of berthd
            d.stop();
            d.start();
            assertEquals(
                    "blue",
                    d.inspect("volume", "inspect", "data")
                            .get("Labels")
                            .get("team")
                            .asText());
            assertEquals(left, lines(d.dockerOk("volume", "ls", "-q")));
            d.dockerOk("rm", "-f", "writer", "holder");
            d.dockerOk("volume", "rm", "data", "kept");
            d.dockerOk("volume", "prune", "-af");
            assertEquals("", d.dockerOk("volume", "ls", "-q"));
            assertFalse(Files.exists(mountpoint), "the data went with the volume");
        }
    }

    private static List<String> lines(String s) {
        return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
    }
}
