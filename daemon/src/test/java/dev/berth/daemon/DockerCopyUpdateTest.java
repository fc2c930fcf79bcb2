package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code docker cp} both ways (running and never-started containers), with links planted in the
 * container to reach host files, and {@code docker update} of a running container's limits.
 */
@ExtendWith(LabExtension.class)
class DockerCopyUpdateTest {

    @Test
    void copyBothWaysStaysInsideTheContainer(Lab lab) throws Exception {
        Path local = Files.createTempDirectory("berth-cp-");
        Path hostDir = Files.createTempDirectory("berth-cp-host-"); // what a hostile link aims at: must stay empty
        Path secret = Files.writeString(hostDir.resolve("secret.txt"), "host-secret-" + lab.runId());
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk("run", "-d", "--name", "box", "busybox", "sleep", "300");
            Files.writeString(local.resolve("hello.txt"), "hello from the host\n");
            Files.createDirectories(local.resolve("tree/sub"));
            Files.writeString(local.resolve("tree/sub/leaf"), "leaf\n");
            d.dockerOk("cp", local.resolve("hello.txt").toString(), "box:/tmp/");
            assertEquals(
                    "hello from the host",
                    d.dockerOk("exec", "box", "cat", "/tmp/hello.txt").trim());
            d.dockerOk("cp", local.resolve("tree").toString(), "box:/data");
            assertEquals(
                    "leaf", d.dockerOk("exec", "box", "cat", "/data/sub/leaf").trim());
            d.dockerOk("exec", "box", "sh", "-c", "echo made inside > /tmp/made; ln -s made /tmp/link");
            d.dockerOk("cp", "box:/tmp/made", local.resolve("made").toString());
            assertEquals("made inside", Files.readString(local.resolve("made")).trim());
            d.dockerOk("cp", "box:/data", local.resolve("back").toString());
            assertEquals(
                    "leaf", Files.readString(local.resolve("back/sub/leaf")).trim());
            d.dockerOk("cp", "box:/tmp/link", local.resolve("link").toString());
            assertTrue(Files.isSymbolicLink(local.resolve("link")), "a link is copied as a link");

            String stat = head(d, "/containers/box/archive?path=/tmp/made");
            JsonNode s = new ObjectMapper().readTree(Base64.getDecoder().decode(stat));
            assertEquals("made", s.get("name").asText(), s.toString());
            assertEquals(12, s.get("size").asLong(), s.toString());
            assertTrue(d.docker("cp", "box:/no/such", local.resolve("x").toString())
                    .stderr()
                    .contains("Could not find the file"));

            // links planted inside that name host paths resolve inside the container
            d.dockerOk(
                    "exec",
                    "box",
                    "sh",
                    "-c",
                    "ln -s " + secret + " /evil; ln -s ../../../../../../.." + hostDir + " /evildir");
            ExecResult out = d.docker(
                    "cp", "box:/evildir/secret.txt", local.resolve("stolen").toString());
            assertFalse(out.ok(), "the host file is not in the container: " + out.stdout());
            assertFalse(Files.exists(local.resolve("stolen")));
            ExecResult evil =
                    d.docker("cp", "-L", "box:/evil", local.resolve("stolen2").toString());
            assertFalse(
                    evil.ok()
                            && Files.exists(local.resolve("stolen2"))
                            && Files.readString(local.resolve("stolen2")).contains("host-secret"),
                    "following the link reads the container's path, not the host's");
            // the CLI copies onto the link's target: the container's path of that name, a file in the container
            d.dockerOk("cp", local.resolve("hello.txt").toString(), "box:/evildir");
            assertEquals(
                    "hello from the host",
                    d.dockerOk("exec", "box", "cat", hostDir.toString()).trim());
            d.dockerOk("exec", "box", "sh", "-c", "rm " + hostDir + " && mkdir -p " + hostDir);
            d.dockerOk("cp", local.resolve("hello.txt").toString(), "box:/evildir/");
            assertTrue(
                    d.dockerOk("exec", "box", "ls", hostDir.toString()).contains("hello.txt"),
                    "written in the container's directory");
            // a tar whose entries climb out with ../ lands inside the root too
            Path tar = local.resolve("climb.tar");
            try (OutputStream o = Files.newOutputStream(tar);
                    TarArchiveOutputStream t = new TarArchiveOutputStream(o)) {
                byte[] data = "climbed".getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry("../../../../../.." + hostDir + "/climbed.txt");
                e.setSize(data.length);
                t.putArchiveEntry(e);
                t.write(data);
                t.closeArchiveEntry();
            }
            DockerContainerOpsTest.curl(
                    d, "/containers/box/archive?path=/tmp", "-X", "PUT", "--data-binary", "@" + tar);
            assertEquals(
                    "climbed",
                    d.dockerOk("exec", "box", "cat", hostDir + "/climbed.txt").trim());
            try (Stream<Path> l = Files.list(hostDir)) {
                assertEquals(1, l.count(), "nothing was written on the host beside the secret");
            }

            // a container that never ran: its snapshot is mounted for the copy (testcontainers copies before start)
            d.dockerOk("create", "--name", "cold", "busybox", "cat", "/tmp/hello.txt");
            d.dockerOk("cp", local.resolve("hello.txt").toString(), "cold:/tmp/");
            assertEquals(
                    "hello from the host", d.dockerOk("start", "-a", "cold").trim());
            d.dockerOk("cp", "cold:/tmp/hello.txt", local.resolve("cold.txt").toString());
            assertEquals(
                    "hello from the host",
                    Files.readString(local.resolve("cold.txt")).trim(),
                    "and from a stopped one");
        } finally {
            deleteTree(local);
            deleteTree(hostDir);
        }
    }

    @Test
    void updateChangesTheRunningTasksLimits(Lab lab) throws Exception {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            String id = d.dockerOk("run", "-d", "--name", "lim", "busybox", "sleep", "300")
                    .trim();
            d.dockerOk(
                    "update",
                    "--memory",
                    "64m",
                    "--memory-swap",
                    "128m",
                    "--cpus",
                    "0.5",
                    "--pids-limit",
                    "20",
                    "--restart",
                    "on-failure:3",
                    "lim");
            String cg = d.cgroupParent + "/" + id;
            assertEquals(
                    "67108864",
                    Files.readString(Path.of("/sys/fs/cgroup/memory" + cg, "memory.limit_in_bytes"))
                            .trim());
            assertEquals(
                    "50000",
                    Files.readString(Path.of("/sys/fs/cgroup/cpu" + cg, "cpu.cfs_quota_us"))
                            .trim());
            assertEquals(
                    "20",
                    Files.readString(Path.of("/sys/fs/cgroup/pids" + cg, "pids.max"))
                            .trim());
            JsonNode h = d.inspect("inspect", "lim").get("HostConfig");
            assertEquals(67108864, h.get("Memory").asLong());
            assertEquals(500_000_000L, h.get("NanoCpus").asLong());
            assertEquals("on-failure", h.get("RestartPolicy").get("Name").asText());
            assertEquals(3, h.get("RestartPolicy").get("MaximumRetryCount").asInt());
            d.dockerOk("restart", "-t", "0", "lim");
            assertEquals(
                    "67108864",
                    Files.readString(Path.of("/sys/fs/cgroup/memory" + cg, "memory.limit_in_bytes"))
                            .trim(),
                    "kept for the next start");

            ExecResult blkio = d.docker("update", "--blkio-weight", "300", "lim");
            assertFalse(blkio.ok());
            assertTrue(blkio.stderr().contains("BlkioWeight"), blkio.stderr());
            ExecResult swap = d.docker("update", "--memory", "256m", "lim");
            assertFalse(swap.ok(), "memory above the memory+swap limit");
            assertTrue(swap.stderr().contains("memoryswap"), swap.stderr());
        }
    }

    private static String head(DaemonLab d, String path) {
        String headers = DockerContainerOpsTest.curl(d, path, "-I");
        for (String l : headers.split("\r?\n"))
            if (l.toLowerCase().startsWith("x-docker-container-path-stat:"))
                return l.substring(l.indexOf(':') + 1).trim();
        throw new AssertionError("no stat header: " + headers);
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x :
                    s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) Files.deleteIfExists(x);
        }
    }
}
