package dev.berth.bench.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import dev.berth.lab.ContainerLeftovers;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.SeedImages;
import dev.berth.runtime.containerd.Containerd;
import dev.berth.runtime.containerd.ManagedContainerd;
import dev.berth.runtime.containerd.api.containers.Container;
import dev.berth.runtime.containerd.api.containers.CreateContainerRequest;
import dev.berth.runtime.containerd.api.containers.GetContainerRequest;
import dev.berth.runtime.containerd.api.snapshots.PrepareSnapshotRequest;
import dev.berth.runtime.containerd.api.tasks.CreateTaskRequest;
import dev.berth.runtime.containerd.api.tasks.StartRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * containerd's own floor: the same containerd and runc, configured as berthd's managed containerd is,
 * started in its own lab namespace and driven by {@code ctr} (its process start included in every time),
 * with the same busybox image. {@code ctr run} gives a container a new network namespace with only lo
 * (no network at all) and, without {@code --seccomp}, no seccomp filter.
 */
final class CtrFloor implements AutoCloseable {
    static final String NAME = "ctr";
    /** The container that runs berthd's own spec (see {@link #runBerthSpec}). */
    static final String BERTH_SPEC = "ctr-berthspec";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPEC_TYPE = "types.containerd.io/opencontainers/runtime-spec/1/Spec";
    private static final String IMAGE = "docker.io/library/" + SeedImages.BUSYBOX;
    private final Path dir;
    private final String namespace;
    private final ManagedContainerd containerd;

    private CtrFloor(Path dir, String namespace, ManagedContainerd containerd) {
        this.dir = dir;
        this.namespace = namespace;
        this.containerd = containerd;
    }

    static CtrFloor start(Lab lab, LabHost host) {
        Path dir;
        try {
            dir = Files.createTempDirectory("ctr-" + lab.runId() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String ns = lab.prefix("ctr"); // ctr puts a container's cgroup at /NAMESPACE/ID
        ManagedContainerd c;
        try {
            c = ManagedContainerd.start(
                    new ManagedContainerd.Config(dir.resolve("state"), dir.resolve("run"), host.netnsPath()));
        } catch (RuntimeException e) {
            Targets.deleteTree(dir);
            throw e;
        }
        CtrFloor f = new CtrFloor(dir, ns, c);
        try {
            f.ctr("images", "import", SeedImages.archive().toString());
            f.ctr("run", "-d", IMAGE, "ctr-base", "sleep", "3600");
            f.ctr("run", "-d", "--seccomp", IMAGE, "ctr-seccomp", "sleep", "3600");
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    long pid() {
        return containerd.pid();
    }

    /** ctr's arguments naming this containerd and namespace (for a shell). */
    String args() {
        return "-a " + containerd.socket() + " -n " + namespace;
    }

    /** {@code ctr run -d IMAGE ID sleep 3600}, timed; the container is removed after, untimed. */
    long runDetached(int k) {
        String id = "ctr-d" + k;
        long ns = ctr("run", "-d", IMAGE, id, "sleep", "3600").nanos();
        remove(id);
        return ns;
    }

    /** {@code ctr run --rm IMAGE ID true} (with {@code --seccomp}: containerd's default profile). */
    long runRm(int k, boolean seccomp) {
        List<String> a = new ArrayList<>(List.of("run", "--rm"));
        if (seccomp) a.add("--seccomp");
        a.addAll(List.of(IMAGE, "ctr-r" + k, "true"));
        return ctr(a.toArray(String[]::new)).nanos();
    }

    /** {@code ctr task exec --exec-id E ctr-base true}. */
    long exec(int k) {
        return ctr("task", "exec", "--exec-id", "e" + k, "ctr-base", "true").nanos();
    }

    /**
     * The same into {@link #BERTH_SPEC}, a container with the very spec berthd gave one of its own
     * containers (Docker's seccomp profile as Berth writes it, Docker's capabilities, masked paths, the
     * same process): the floor for berthd's {@code docker exec}.
     */
    long execBerthSpec(int k) {
        return ctr("task", "exec", "--exec-id", "b" + k, BERTH_SPEC, "true").nanos();
    }

    /**
     * Runs {@link #BERTH_SPEC} here with the spec berthd's containerd holds for {@code containerId}: only
     * its network namespace (a new one, as ctr's containers get: lo only) and its cgroup (under this
     * floor's) differ. Made through containerd's API as ctr makes a container (snapshot on the image's
     * chain id, runc's default options, no stdio), since {@code ctr run --config} takes no image.
     */
    void runBerthSpec(Path berthdContainerdSocket, String containerId) {
        Container theirs;
        try (Containerd berthd = Containerd.connect(berthdContainerdSocket, "berth")) {
            theirs = berthd.containers()
                    .get(GetContainerRequest.newBuilder().setId(containerId).build())
                    .getContainer();
        }
        ObjectNode spec;
        try {
            spec = (ObjectNode) JSON.readTree(theirs.getSpec().getValue().toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode linux = (ObjectNode) spec.path("linux");
        linux.put("cgroupsPath", "/" + namespace + "/" + BERTH_SPEC);
        for (JsonNode n : linux.path("namespaces"))
            if (n.path("type").asText().equals("network")) ((ObjectNode) n).remove("path");
        String parent = theirs.getLabelsMap().get("dev.berth.snapshot-parent");
        if (parent == null)
            throw new IllegalStateException("berthd's container " + containerId + " names no snapshot parent");
        try (Containerd c = Containerd.connect(containerd.socket(), namespace)) {
            c.containers()
                    .create(CreateContainerRequest.newBuilder()
                            .setContainer(Container.newBuilder()
                                    .setId(BERTH_SPEC)
                                    .setImage(IMAGE)
                                    .setRuntime(Container.Runtime.newBuilder().setName("io.containerd.runc.v2"))
                                    .setSpec(Any.newBuilder()
                                            .setTypeUrl(SPEC_TYPE)
                                            .setValue(ByteString.copyFromUtf8(spec.toString())))
                                    .setSnapshotter("overlayfs")
                                    .setSnapshotKey(BERTH_SPEC))
                            .build());
            var mounts = c.snapshots()
                    .prepare(PrepareSnapshotRequest.newBuilder()
                            .setSnapshotter("overlayfs")
                            .setKey(BERTH_SPEC)
                            .setParent(parent)
                            .build())
                    .getMountsList();
            c.tasks()
                    .create(CreateTaskRequest.newBuilder()
                            .setContainerId(BERTH_SPEC)
                            .addAllRootfs(mounts)
                            .build());
            c.tasks().start(StartRequest.newBuilder().setContainerId(BERTH_SPEC).build());
        }
    }

    /**
     * The same in a container run with containerd's seccomp profile ({@code ctr run --seccomp}): runc
     * compiles a container's filter again for every exec, so this is the floor of a confined container.
     */
    long execSeccomp(int k) {
        return ctr("task", "exec", "--exec-id", "s" + k, "ctr-seccomp", "true").nanos();
    }

    private void remove(String id) {
        ctr("task", "kill", "-s", "SIGKILL", id);
        for (int i = 0; i < 100; i++) {
            Cli.Run r = Cli.run(command("task", "rm", id));
            if (r.exitCode() == 0) break;
            sleepMs(20); // the kill is asynchronous
        }
        ctr("containers", "rm", id);
    }

    private Cli.Run ctr(String... args) {
        return Cli.run(command(args)).check();
    }

    private List<String> command(String... args) {
        List<String> c =
                new ArrayList<>(List.of("ctr", "-a", containerd.socket().toString(), "-n", namespace));
        c.addAll(List.of(args));
        return c;
    }

    private static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends containerd, its shims and tasks by PID (ContainerLeftovers), unmounts and deletes everything. */
    @Override
    public void close() {
        try {
            containerd.stop();
        } catch (RuntimeException e) {
            System.err.println("ctr floor: stopping containerd: " + e.getMessage());
        }
        ContainerLeftovers.clean(dir, "/" + namespace);
        Targets.deleteTree(dir);
    }
}
