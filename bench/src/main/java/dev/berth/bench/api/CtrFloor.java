package dev.berth.bench.api;

import dev.berth.lab.ContainerLeftovers;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.SeedImages;
import dev.berth.runtime.containerd.ManagedContainerd;
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
