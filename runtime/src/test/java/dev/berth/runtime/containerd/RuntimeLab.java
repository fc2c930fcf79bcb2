package dev.berth.runtime.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.lab.Commands;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.runtime.ContainerRuntime;
import dev.berth.runtime.LogChunk;
import dev.berth.runtime.LogOptions;
import dev.berth.runtime.LogReader;
import dev.berth.runtime.LogStream;
import dev.berth.runtime.RuntimeConfig;
import dev.berth.runtime.oci.OciSpec;
import dev.berth.runtime.oci.ProcessRequest;
import dev.berth.runtime.oci.ProcessUser;
import dev.berth.runtime.oci.SpecRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A managed containerd inside a lab host's network namespace and a {@link ContainerdRuntime} on it, with
 * a busybox-static root file system for containers (no images) and cgroups under {@code /<lab prefix>}.
 * Closing ends everything it caused, by PID (tasks, shims, containerd), and checks that no
 * shim, mount, cgroup or FIFO is left.
 */
final class RuntimeLab implements AutoCloseable {
    static final List<String> ENV = List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path BUSYBOX = Path.of("/bin/busybox");

    final LabHost host;
    final TestDirs dirs;
    final ManagedContainerd containerd;
    final String cgroupParent;
    final Path rootfs;
    ContainerdRuntime rt;

    RuntimeLab(Lab lab) throws IOException {
        host = lab.host("ctr");
        dirs = new TestDirs();
        cgroupParent = "/" + lab.prefix("rt");
        rootfs = busyboxRoot(dirs.base.resolve("rootfs"));
        containerd = ManagedContainerd.start(new ManagedContainerd.Config(dirs.state, dirs.run, host.netnsPath()));
        rt = open();
    }

    ContainerdRuntime open() {
        return ContainerdRuntime.open(
                new RuntimeConfig(containerd.socket(), dirs.state, dirs.run, "berth", cgroupParent, "overlayfs"));
    }

    /** berthd going away and coming back: the runtime object closes, a new one adopts the tasks. */
    void reopen() {
        rt.close();
        rt = open();
    }

    SpecRequest.Builder spec(String id, String... args) {
        return SpecRequest.builder(List.of(args), cgroupParent + "/" + id)
                .env(ENV)
                .netns(host.netnsPath())
                .hostname(id);
    }

    /** The spec's JSON with the root at the busybox tree (no snapshot: the path is used as it is). */
    String json(SpecRequest r) {
        return json(r, root -> root.put("path", rootfs.toString()));
    }

    static String json(SpecRequest r, UnaryOperator<ObjectNode> root) {
        try {
            ObjectNode spec = (ObjectNode) JSON.readTree(OciSpec.toJson(r));
            root.apply((ObjectNode) spec.get("root"));
            return JSON.writeValueAsString(spec);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String execJson(SpecRequest container, boolean tty, String... args) {
        return new String(
                OciSpec.processJson(
                        ProcessRequest.exec(container, List.of(args), ENV, "/", ProcessUser.ROOT, tty, false)),
                StandardCharsets.UTF_8);
    }

    /** Creates a container on the busybox root: {@code create(id, tty, openStdin, stdinOnce, log, spec)}. */
    void create(
            String id,
            boolean tty,
            boolean openStdin,
            boolean stdinOnce,
            ContainerRuntime.LogConfig log,
            SpecRequest r) {
        rt.create(
                id,
                new ContainerRuntime.CreateRequest(
                        "", "", json(r), tty, openStdin, stdinOnce, Map.of("test", "yes"), log));
    }

    /** Every log chunk the options select, as text per line with its stream: "out:line" / "err:line". */
    List<String> logs(String id, LogOptions o) throws Exception {
        List<String> out = new ArrayList<>();
        try (LogReader r = rt.logs(id, o)) {
            for (LogChunk c; (c = r.next()) != null; )
                out.add((c.stream() == LogStream.STDOUT ? "out:" : "err:")
                        + c.text().strip());
        }
        return out;
    }

    static LogOptions all() {
        return new LogOptions(false, null, null, -1, false, true, true);
    }

    /** Reads {@code in} until {@code want} appeared (or the stream ended); what was read. */
    static String readUntil(InputStream in, String want) throws IOException {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[4096];
        while (!sb.toString().contains(want)) {
            int n = in.read(buf);
            if (n < 0) break;
            sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    private static Path busyboxRoot(Path root) throws IOException {
        for (String d : List.of("bin", "proc", "sys", "dev", "etc", "tmp", "root", "run", "mnt"))
            Files.createDirectories(root.resolve(d));
        Files.copy(BUSYBOX, root.resolve("bin/busybox"));
        for (String applet : Commands.run(List.of(BUSYBOX.toString(), "--list"))
                .check()
                .stdout()
                .split("\n")) {
            if (!applet.isBlank() && !applet.equals("busybox"))
                Files.createSymbolicLink(root.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
        return root;
    }

    @Override
    public void close() throws IOException {
        List<String> strays = List.of();
        try {
            if (rt != null) rt.close();
        } finally {
            containerd
                    .stop(); // kills and deletes every task (runc removes their cgroups, containerd unmounts), ends the
            // shims
            strays = killStrays();
            removeCgroupParent();
        }
        assertEquals(List.of(), strays, "no container process outlived containerd's clean-up (ended here by PID)");
        assertTrue(ManagedContainerd.shimPids(containerd.socket()).isEmpty(), "no shim left");
        assertTrue(ProcessHandle.of(containerd.pid()).isEmpty(), "containerd ended");
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertTrue(
                mounts.lines().noneMatch(l -> l.contains(dirs.base.toString())), "nothing mounted under " + dirs.base);
        assertEquals(List.of(), leftoverCgroups(), "no cgroup left");
        dirs.close(); // only now: nothing is mounted under it any more
    }

    /** Processes still in the containers' cgroups, killed by PID: a safety net that also reports them. */
    private List<String> killStrays() throws IOException {
        Path pids = Path.of("/sys/fs/cgroup/pids").resolve(cgroupParent.substring(1));
        if (!Files.isDirectory(pids)) return List.of();
        List<String> found = new ArrayList<>();
        try (Stream<Path> s = Files.walk(pids)) {
            for (Path procs : s.filter(p -> p.getFileName().toString().equals("cgroup.procs"))
                    .toList()) {
                for (String pid : Files.readAllLines(procs)) {
                    ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(h -> {
                        found.add(pid + " " + h.info().commandLine().orElse("?"));
                        h.destroyForcibly();
                        h.onExit()
                                .orTimeout(5, TimeUnit.SECONDS)
                                .exceptionally(t -> null)
                                .join();
                    });
                }
            }
        }
        return found;
    }

    /** The cgroup parent in every v1 hierarchy (runc made it), children first: rmdir is how cgroups go. */
    private void removeCgroupParent() throws IOException {
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.toList()) {
                Path parent = h.resolve(cgroupParent.substring(1));
                if (!Files.isDirectory(parent)) continue;
                List<Path> dirsInside;
                try (Stream<Path> s = Files.walk(parent)) {
                    dirsInside = s.filter(Files::isDirectory)
                            .sorted(Comparator.reverseOrder())
                            .toList();
                }
                for (Path d : dirsInside) Files.deleteIfExists(d);
            }
        }
    }

    private List<Path> leftoverCgroups() throws IOException {
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            return hierarchies
                    .map(h -> h.resolve(cgroupParent.substring(1)))
                    .filter(Files::exists)
                    .toList();
        }
    }
}
