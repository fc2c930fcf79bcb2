package dev.berth.bench.api;

import dev.berth.lab.ContainerLeftovers;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * berthd as a user starts it, {@code nsenter --net=/run/netns/LAB berthd ...}, with its socket, state and
 * run dirs in a temporary directory and its sandbox namespaces under the lab's prefix (so the lab
 * deletes them whatever happens).
 */
public record BerthdTarget(
        LabProcess process, Path dir, Path socket, String cgroupParent, String version, long startMillis)
        implements Target {

    /**
     * Starts berthd inside {@code host}; {@code launcher} is bin/berthd or the java command line that
     * runs dev.berth.daemon.Berthd.
     */
    public static BerthdTarget start(Lab lab, LabHost host, List<String> launcher) {
        return start(lab, host, launcher, Map.of(), lab.prefix("sb-"));
    }

    /** As above, with {@code env} added to berthd's environment and its own sandbox prefix (beside another berthd). */
    public static BerthdTarget start(
            Lab lab, LabHost host, List<String> launcher, Map<String, String> env, String netnsPrefix) {
        Path dir;
        try {
            dir = Files.createTempDirectory("berthd-" + lab.runId() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path socket = dir.resolve("berth.sock");
        String cgroupParent = "/" + lab.prefix(host.role() + "-berth");
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(List.of(
                "--socket",
                socket.toString(),
                "--state-dir",
                dir.resolve("state").toString(),
                "--run-dir",
                dir.resolve("run").toString(),
                "--netns-prefix",
                netnsPrefix,
                "--cgroup-parent",
                cgroupParent));
        long t0 = System.nanoTime();
        LabProcess p = host.spawnDaemon(env, cmd.toArray(String[]::new));
        long ms = Targets.awaitPing(socket, t0, p::isAlive, "berthd", p::output);
        return new BerthdTarget(p, dir, socket, cgroupParent, Targets.version(socket), ms);
    }

    /** Creates a bridge network (name it "bench-..." so {@link #close} removes it) with the given subnet. */
    public void createNetwork(String name, String subnet) {
        UnixHttp.Response r = new UnixHttp(socket)
                .post(
                        "/networks/create",
                        "{\"Name\":\"" + name + "\",\"IPAM\":{\"Config\":[{\"Subnet\":\"" + subnet + "\"}]}}");
        if (!r.ok())
            throw new IllegalStateException("berthd: network create " + name + ": " + r.status() + " " + r.body());
    }

    /** berthd's managed containerd (it outlives berthd; {@link #close} ends it), from its pid file; -1 if none. */
    public long containerdPid() {
        try {
            return Long.parseLong(Files.readString(dir.resolve("run/containerd/containerd.pid"))
                    .strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public String name() {
        return "berthd";
    }

    @Override
    public void close() {
        List<String> left = List.of();
        try {
            if (process.isAlive()) left = Targets.empty(socket);
        } finally {
            process.close(); // SIGTERM by PID; containers were removed above, networking stays by design
            ContainerLeftovers.clean(dir, cgroupParent); // the managed containerd and its shims, by PID
        }
        Targets.deleteTree(dir);
        if (!left.isEmpty()) throw new IllegalStateException("berthd: could not remove " + left);
    }
}
