package dev.berth.runtime.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.BusyboxImage;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.model.BerthException;
import dev.berth.runtime.containerd.Containerd;
import dev.berth.runtime.containerd.ManagedContainerd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The image store against a real containerd started inside a lab namespace, checked with containerd's own
 * {@code ctr} (images, content, snapshots, leases) and {@code tar}; busybox comes from busybox-static.
 */
class ImageStoreTest {
    private static Lab lab;
    private static Path base;
    private static ManagedContainerd containerd;
    private static Containerd client;
    private static ImageStore store;
    private static BusyboxImage.Archive busybox;
    private static BusyboxImage.Archive other;

    @BeforeAll
    static void start() throws IOException {
        lab = Lab.create();
        base = Files.createTempDirectory("berth-images-test-");
        try {
            LabHost h = lab.host("ctrd");
            containerd = ManagedContainerd.start(
                    new ManagedContainerd.Config(base.resolve("state"), base.resolve("run"), h.netnsPath()));
            client = Containerd.connect(containerd.socket(), "berth");
            store = ImageStore.open(client, new RegistryClient(Set.of()));
            busybox = BusyboxImage.write(base.resolve("busybox.tar"), List.of("busybox:latest"), List.of("sh"), "one");
            other = BusyboxImage.write(
                    base.resolve("other.tar"), List.of("busybox:latest"), List.of("httpd", "-f"), "two");
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            if (client != null) client.close();
            if (containerd != null) containerd.stop();
        } finally {
            try {
                String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
                assertFalse(mounts.contains(base.toString()), "nothing of the test is still mounted");
                try (Stream<Path> all = Files.walk(base)) {
                    for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            } finally {
                lab.close();
            }
        }
    }

    @BeforeEach
    void empty() {
        for (ImageSummary s : store.list()) store.remove(s.id(), true, ImageUsers.NONE);
    }

    @Test
    void loadsADockerSaveArchiveAndUnpacksItsLayer() throws IOException {
        List<ProgressEvent> events = new ArrayList<>();
        List<String> loaded = load(busybox.tar(), false, events::add);
        assertEquals(List.of("Loaded image: busybox:latest"), loaded);
        assertTrue(events.stream().anyMatch(e -> "Loading layer".equals(e.status())), events.toString());
        assertEquals("Loaded image: busybox:latest\n", events.getLast().stream());

        ImageSummary s = only(store.list());
        assertEquals(busybox.id(), s.id());
        assertEquals(List.of("busybox:latest"), s.repoTags());
        assertTrue(s.size() > 1_000_000, "the unpacked layer holds busybox: " + s.size());

        ImageStore.Resolved r = store.resolve("busybox");
        assertEquals("docker.io/library/busybox:latest", r.reference());
        assertEquals(busybox.id(), r.id());
        assertEquals(busybox.diffId(), r.chainId(), "one layer: the chain id is its diff id");
        assertEquals(List.of("sh"), r.config().cmd());
        assertEquals(r.id(), store.resolve(busybox.id().substring(7, 19)).id(), "an id prefix resolves");
        var missing = assertThrows(BerthException.NotFound.class, () -> store.resolve("nope"));
        assertEquals("No such image: nope", missing.getMessage());

        assertTrue(new String(store.file(r.id(), "/etc/passwd").orElseThrow(), StandardCharsets.UTF_8)
                .contains("berth:x:1000:1000"));
        assertTrue(store.file(r.id(), "/etc/shadow").isEmpty());
        assertTrue(store.file(r.id(), "/bin/sh").isEmpty(), "a link is not followed");
        assertTrue(store.file(r.id(), "/../../../../etc/hostname").isEmpty(), "nothing outside the image");

        assertEquals(
                "docker.io/library/busybox:latest", ctr("images", "ls", "-q").strip());
        assertTrue(ctr("snapshots", "ls").contains(busybox.diffId()), "committed snapshot named by chain id");
        assertEquals("", ctr("leases", "ls", "-q").strip(), "the load's lease is gone");

        ImageInspect i = store.inspect("busybox:latest");
        assertEquals(List.of(busybox.diffId()), i.rootFs().layers());
        assertEquals("sh", i.config().path("Cmd").path(0).asText());
        assertEquals("one", i.config().path("Labels").path("dev.berth.test").asText());
        assertEquals("2024-01-01T00:00:00Z", i.created());
        List<HistoryItem> h = store.history("busybox");
        assertEquals(busybox.id(), h.getFirst().id());
        assertEquals(s.size(), h.getFirst().size());
    }

    @Test
    void savesWhatLoadsAgainInBothLayouts() throws IOException {
        load(busybox.tar(), true, e -> {});
        store.tag("busybox", "localhost:5000/team/bb:v1");
        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        store.save(List.of("busybox", "localhost:5000/team/bb:v1")).writeTo(saved);
        Path tar = base.resolve("saved.tar");
        Files.write(tar, saved.toByteArray());
        Set<String> names = new TreeSet<>(Arrays.asList(
                Commands.run(List.of("tar", "-tf", tar.toString())).stdout().split("\n")));
        assertTrue(
                names.containsAll(List.of(
                        "index.json",
                        "manifest.json",
                        "oci-layout",
                        "blobs/sha256/" + busybox.id().substring(7))),
                names.toString());
        String manifestJson = Commands.run(List.of("tar", "-xOf", tar.toString(), "manifest.json"))
                .stdout();
        assertTrue(
                manifestJson.contains("\"busybox:latest\"") && manifestJson.contains("\"localhost:5000/team/bb:v1\""),
                manifestJson);

        store.remove(busybox.id(), true, ImageUsers.NONE);
        assertTrue(store.list().isEmpty());
        assertEquals("", snapshots(), "the collector took the snapshot with the image");
        assertEquals("", ctr("content", "ls", "-q").strip(), "and the content");

        assertEquals(
                List.of("Loaded image: busybox:latest", "Loaded image: localhost:5000/team/bb:v1"),
                load(tar, true, e -> {}));
        assertEquals(busybox.id(), only(store.list()).id());

        // the same archive as a pure OCI layout: names come from index.json's annotations alone
        store.remove(busybox.id(), true, ImageUsers.NONE);
        Path oci = base.resolve("oci.tar");
        withoutEntry(tar, oci, "manifest.json");
        assertEquals(
                List.of("Loaded image: busybox:latest", "Loaded image: localhost:5000/team/bb:v1"),
                load(oci, true, e -> {}));
        ImageSummary s = only(store.list());
        assertEquals(busybox.id(), s.id());
        assertEquals(Set.of("busybox:latest", "localhost:5000/team/bb:v1"), Set.copyOf(s.repoTags()));
        assertTrue(store.file(s.id(), "/etc/group").isPresent());
    }

    @Test
    void tagsMoveAndRemovalFollowsDocker() throws IOException {
        load(busybox.tar(), true, e -> {});
        store.tag(busybox.id(), "mine:1");
        store.tag("mine:1", "localhost:5000/mine");
        assertEquals(
                List.of("busybox:latest", "mine:1", "localhost:5000/mine:latest"),
                only(store.list()).repoTags());
        var refused =
                assertThrows(BerthException.Conflict.class, () -> store.remove(busybox.id(), false, ImageUsers.NONE));
        assertEquals(
                "conflict: unable to delete " + busybox.id().substring(7, 19)
                        + " (must be forced) - image is referenced in multiple repositories",
                refused.getMessage());
        assertEquals(List.of(DeleteItem.untagged("mine:1")), store.remove("mine:1", false, ImageUsers.NONE));
        assertEquals(
                List.of(DeleteItem.untagged("localhost:5000/mine:latest")),
                store.remove("localhost:5000/mine", false, ImageUsers.NONE));

        ImageUsers stopped = id -> List.of(new ImageUsers.User("0123456789abcdef", false));
        var inUse = assertThrows(BerthException.Conflict.class, () -> store.remove("busybox", false, stopped));
        assertEquals(
                "conflict: unable to remove repository reference \"busybox\" (must force) - container 0123456789ab"
                        + " is using its referenced image " + busybox.id().substring(7, 19),
                inUse.getMessage());
        ImageUsers running = id -> List.of(new ImageUsers.User("0123456789abcdef", true));
        var live = assertThrows(BerthException.Conflict.class, () -> store.remove(busybox.id(), true, running));
        assertTrue(
                live.getMessage()
                        .contains("(cannot be forced) - image is being used by running container 0123456789ab"),
                live.getMessage());

        // a newer image under the same tag leaves the old one dangling; prune takes it
        load(other.tar(), true, e -> {});
        List<ImageSummary> all = store.list();
        assertEquals(2, all.size());
        ImageSummary dangling = all.stream()
                .filter(x -> x.id().equals(busybox.id()))
                .findFirst()
                .orElseThrow();
        assertEquals(List.of(), dangling.repoTags());
        assertEquals(other.id(), store.resolve("busybox").id());
        assertTrue(ctr("images", "ls", "-q").contains("berth-dangling@" + busybox.id()));
        assertEquals(0, store.prune(false, x -> true, stopped).deleted().size(), "an image a container uses stays");
        ImageStore.PruneReport pruned = store.prune(false, x -> true, ImageUsers.NONE);
        assertEquals(List.of(DeleteItem.deleted(busybox.id())), pruned.deleted());
        assertTrue(pruned.spaceReclaimed() > 1_000_000);
        assertEquals(
                List.of(other.id()), store.list().stream().map(ImageSummary::id).toList());
        assertEquals(busybox.diffId(), other.diffId());
        assertTrue(ctr("snapshots", "ls").contains(busybox.diffId()), "the layer both images share stays");

        assertEquals(
                List.of(DeleteItem.untagged("busybox:latest"), DeleteItem.deleted(other.id())),
                store.remove("busybox", false, ImageUsers.NONE));
        assertEquals("", ctr("content", "ls", "-q").strip());
        assertEquals("", snapshots());
    }

    @Test
    void badArchivesAreRefusedAndLeaveNothing() throws IOException {
        Path notImage = base.resolve("plain.tar");
        Files.writeString(base.resolve("hello.txt"), "hi");
        Commands.run(List.of("tar", "-C", base.toString(), "-cf", notImage.toString(), "hello.txt"));
        var e = assertThrows(BerthException.InvalidRequest.class, () -> load(notImage, true, x -> {}));
        assertTrue(e.getMessage().contains("neither manifest.json nor index.json"), e.getMessage());
        assertThrows(BerthException.NotFound.class, () -> store.save(List.of("nope")));
        assertThrows(BerthException.InvalidRequest.class, () -> store.tag("busybox", "Bad:Name"));
        assertTrue(store.list().isEmpty());
        assertEquals("", ctr("leases", "ls", "-q").strip());
    }

    private static List<String> load(Path tar, boolean quiet, ProgressListener p) throws IOException {
        try (InputStream in = Files.newInputStream(tar)) {
            return store.load(in, quiet, p);
        }
    }

    /** The snapshot names {@code ctr snapshots ls} lists (it has no -q). */
    private static String snapshots() {
        return ctr("snapshots", "ls")
                .lines()
                .skip(1)
                .map(l -> l.split("\\s+")[0])
                .reduce("", (a, b) -> a + b + "\n")
                .strip();
    }

    private static ImageSummary only(List<ImageSummary> list) {
        assertEquals(1, list.size(), list.toString());
        return list.getFirst();
    }

    private static String ctr(String... args) {
        List<String> cmd =
                new ArrayList<>(List.of("ctr", "-a", containerd.socket().toString(), "-n", "berth"));
        cmd.addAll(List.of(args));
        ExecResult r = Commands.run(cmd);
        assertEquals(0, r.exitCode(), r.stderr());
        return r.stdout();
    }

    private static void withoutEntry(Path from, Path to, String drop) throws IOException {
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(from));
                TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(to))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.getName().equals(drop)) continue;
                out.putArchiveEntry(e);
                in.transferTo(out);
                out.closeArchiveEntry();
            }
        }
    }
}
