package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.lab.BusyboxImage;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The docker CLI's image verbs against berthd: load, images (with filters), inspect, history, tag, push to
 * and pull from Debian's docker-registry running in the lab (plain HTTP on the lab host's loopback), save
 * (loaded again by berthd, and by podman as an independent reader), rmi and prune.
 */
@ExtendWith(LabExtension.class)
class DockerImageCliTest {

    @Test
    void loadTagPushPullSaveRemoveAndPrune(Lab lab) throws IOException {
        try (DaemonLab d = new DaemonLab(lab)) {
            Path tars = Files.createDirectories(d.dir.resolve("tars"));
            BusyboxImage.Archive bb =
                    BusyboxImage.write(tars.resolve("busybox.tar"), List.of("busybox:latest"), List.of("sh"), "one");
            String shortId = bb.id().substring(7, 19);

            assertEquals(
                    "Loaded image: busybox:latest",
                    d.dockerOk("load", "-i", bb.tar().toString()).strip());
            assertEquals(
                    "busybox latest " + shortId,
                    d.dockerOk("images", "--format", "{{.Repository}} {{.Tag}} {{.ID}}")
                            .strip());
            JsonNode img = d.inspect("image", "inspect", "busybox");
            assertEquals(bb.id(), img.get("Id").asText());
            assertEquals("busybox:latest", img.get("RepoTags").get(0).asText());
            assertEquals(bb.diffId(), img.get("RootFS").get("Layers").get(0).asText());
            assertEquals("sh", img.get("Config").get("Cmd").get(0).asText());
            assertTrue(img.get("Size").asLong() > 1_000_000, img.toString());
            assertTrue(d.dockerOk("history", "busybox").contains("BusyboxImage: busybox-static"));
            ExecResult missing = d.docker("image", "inspect", "nope");
            assertEquals(1, missing.exitCode());
            assertTrue(missing.stderr().contains("No such image: nope"), missing.stderr());

            // push to a registry inside the lab, checked with the registry's own API
            Path cfg = registryConfig(d.dir);
            d.host.spawnDaemon(Map.of(), "docker-registry", "serve", cfg.toString());
            assertTrue(
                    eventually(() -> d.host.exec("curl", "-sf", "http://127.0.0.1:5000/v2/")
                            .ok()),
                    "the registry answers");
            d.dockerOk("tag", "busybox", "localhost:5000/team/bb:v1");
            assertEquals(
                    "busybox:latest localhost:5000/team/bb:v1",
                    String.join(
                            " ",
                            d.dockerOk("images", "--format", "{{.Repository}}:{{.Tag}}")
                                    .strip()
                                    .lines()
                                    .sorted()
                                    .toList()));
            String pushed = d.dockerOk("push", "localhost:5000/team/bb:v1");
            assertTrue(pushed.contains("The push refers to repository [localhost:5000/team/bb]"), pushed);
            assertTrue(pushed.contains("Pushed"), pushed);
            String digest = pushed.replaceAll("(?s).*v1: digest: (sha256:[0-9a-f]{64}) size: \\d+.*", "$1");
            assertTrue(digest.startsWith("sha256:"), pushed);
            assertTrue(d.host.run("curl", "-sf", "http://127.0.0.1:5000/v2/team/bb/tags/list")
                    .stdout()
                    .contains("\"v1\""));
            assertTrue(
                    d.host.run(
                                    "curl",
                                    "-sf",
                                    "-o",
                                    "/dev/null",
                                    "-w",
                                    "%{http_code}",
                                    "http://127.0.0.1:5000/v2/team/bb/blobs/" + bb.id())
                            .stdout()
                            .contains("200"),
                    "the config blob is there");

            // rmi of both names deletes the image; pull brings it back with the same id and its repo digest
            String removed = d.dockerOk("rmi", "busybox", "localhost:5000/team/bb:v1");
            assertTrue(
                    removed.contains("Untagged: busybox:latest")
                            && removed.contains("Untagged: localhost:5000/team/bb:v1")
                            && removed.contains("Deleted: " + bb.id()),
                    removed);
            assertEquals("", d.dockerOk("images", "-q").strip());
            String pulled = d.dockerOk("pull", "localhost:5000/team/bb:v1");
            assertTrue(pulled.contains("v1: Pulling from team/bb"), pulled);
            assertTrue(pulled.contains("Pull complete"), pulled);
            assertTrue(pulled.contains("Digest: " + digest), pulled);
            assertTrue(pulled.contains("Status: Downloaded newer image for localhost:5000/team/bb:v1"), pulled);
            JsonNode again = d.inspect("image", "inspect", "localhost:5000/team/bb:v1");
            assertEquals(bb.id(), again.get("Id").asText());
            assertEquals(
                    "localhost:5000/team/bb@" + digest,
                    again.get("RepoDigests").get(0).asText());
            assertTrue(d.dockerOk("pull", "localhost:5000/team/bb:v1")
                    .contains("Status: Image is up to date for localhost:5000/team/bb:v1"));
            ExecResult unknown = d.docker("pull", "localhost:5000/team/nope");
            assertEquals(1, unknown.exitCode());
            assertTrue(
                    unknown.stderr().contains("manifest for localhost:5000/team/nope:latest not found"),
                    unknown.stderr());

            // save, then load into berthd again and into podman (an independent reader of the archive)
            Path saved = tars.resolve("saved.tar");
            d.dockerOk("save", "-o", saved.toString(), "localhost:5000/team/bb:v1");
            d.dockerOk("rmi", "localhost:5000/team/bb:v1");
            assertEquals(
                    "Loaded image: localhost:5000/team/bb:v1",
                    d.dockerOk("load", "-i", saved.toString()).strip());
            assertEquals(
                    bb.id(),
                    d.inspect("image", "inspect", "localhost:5000/team/bb:v1")
                            .get("Id")
                            .asText());
            assertEquals(bb.id().substring(7), podmanLoadsAndReportsId(saved));

            // a newer image under a used tag leaves the old one dangling; filters and prune see it
            BusyboxImage.Archive two = BusyboxImage.write(
                    tars.resolve("two.tar"), List.of("localhost:5000/team/bb:v1"), List.of("httpd", "-f"), "two");
            d.dockerOk("load", "-i", two.tar().toString());
            assertEquals(
                    shortId,
                    d.dockerOk("images", "-q", "--filter", "dangling=true").strip());
            assertEquals(
                    two.id().substring(7, 19),
                    d.dockerOk("images", "-q", "--filter", "label=dev.berth.test=two")
                            .strip());
            assertEquals(
                    two.id().substring(7, 19),
                    d.dockerOk("images", "-q", "--filter", "reference=localhost:5000/team/*")
                            .strip());
            String pruned = d.dockerOk("image", "prune", "-f");
            assertTrue(pruned.contains("deleted: " + bb.id()), pruned);
            assertEquals(two.id().substring(7, 19), d.dockerOk("images", "-qa").strip());
            // an archive larger than the API's 16 MiB limit on gathered bodies: load streams it
            BusyboxImage.Archive big =
                    BusyboxImage.write(tars.resolve("big.tar"), List.of("big:1"), List.of("sh"), "big", 40 << 20);
            assertTrue(Files.size(big.tar()) > 40 << 20);
            assertEquals(
                    "Loaded image: big:1",
                    d.dockerOk("load", "-i", big.tar().toString()).strip());
            assertTrue(d.inspect("image", "inspect", "big:1").get("Size").asLong() > 40 << 20);
            ExecResult noSuch = d.docker("rmi", "nope");
            assertEquals(1, noSuch.exitCode());
            assertTrue(noSuch.stderr().contains("No such image: nope"), noSuch.stderr());
            ExecResult bad = d.docker("tag", "localhost:5000/team/bb:v1", "Bad:Name");
            assertFalse(bad.ok());
        }
    }

    private static Path registryConfig(Path dir) throws IOException {
        Path cfg = dir.resolve("registry.yml");
        Files.writeString(cfg, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:5000
                """.formatted(dir.resolve("registry")));
        return cfg;
    }

    /** podman with throw-away storage loads the archive berthd saved; answers the image id it reports. */
    private static String podmanLoadsAndReportsId(Path archive) throws IOException {
        Path root = Files.createTempDirectory("bp"); // podman wants a run root under 50 characters
        Path conf = root.resolve("containers.conf");
        Files.writeString(conf, "[engine]\nevents_logger = \"file\"\ncgroup_manager = \"cgroupfs\"\n");
        List<String> podman = List.of(
                "env",
                "CONTAINERS_CONF=" + conf,
                "podman",
                "--root",
                root.resolve("root").toString(),
                "--runroot",
                root.resolve("rr").toString(),
                "--storage-driver",
                "vfs",
                "--tmpdir",
                root.resolve("tmp").toString());
        try {
            ExecResult load = Commands.run(concat(podman, "load", "-q", "-i", archive.toString()));
            assertEquals(0, load.exitCode(), load.stdout() + load.stderr());
            ExecResult ids = Commands.run(concat(podman, "images", "--no-trunc", "-q"));
            assertEquals(0, ids.exitCode(), ids.stderr());
            return ids.stdout().strip().replace("sha256:", "");
        } finally {
            Commands.run(concat(podman, "system", "reset", "-f"));
            Commands.run(List.of("rm", "-rf", root.toString()));
        }
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }

    private static boolean eventually(BooleanSupplier check) {
        long end = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < end) {
            if (check.getAsBoolean()) return true;
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
