package dev.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.daemon.cri.PodSandboxConfig;
import dev.berth.daemon.cri.PodSandboxStatus;
import dev.berth.daemon.cri.PodSandboxStatusRequest;
import dev.berth.daemon.cri.PodSandboxStatusResponse;
import dev.berth.daemon.cri.RemovePodSandboxRequest;
import dev.berth.daemon.cri.RunPodSandboxRequest;
import dev.berth.daemon.cri.RuntimeServiceGrpc;
import dev.berth.daemon.cri.StopPodSandboxRequest;
import dev.berth.daemon.cri.VersionRequest;
import dev.berth.lab.BusyboxImage;
import dev.berth.lab.Commands;
import dev.berth.lab.Lab;
import dev.berth.lab.LabProcess;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * containerd (Debian's 1.6) with its CRI plugin in a lab host's namespace, as a kubelet's node has it: the CNI
 * configuration given, a plugin directory holding Berth's plugin and the loopback plugin, a sandbox image made
 * from busybox-static, and a gRPC client of the CRI's RuntimeService (Debian 12 has no crictl). Everything lives
 * under /run/blab-RUN-cri and the cgroup /blab-RUN-cri. Closing stops and removes the pods it ran (before berthd
 * goes: the CNI DEL needs it), stops containerd and its shims by PID, unmounts, removes the cgroups and files,
 * and deletes any pod namespace containerd left.
 */
final class CriLab implements AutoCloseable {
    static final String IMAGE = "berth.test/pod-sandbox:1";
    private static final ObjectMapper JSON = new ObjectMapper();

    final String tag;
    final Path base;
    private final Path socket;
    private final LabProcess containerd;
    private final EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    private final ManagedChannel channel;
    private final RuntimeServiceGrpc.RuntimeServiceBlockingStub cri;
    /** The pods run and not yet removed, with their network namespaces (for the last resort at close). */
    private final Map<String, String> pods = new LinkedHashMap<>();

    /** Starts containerd in {@code d}'s lab host with {@code conflist} as its only CNI configuration; {@code cmd} is the sandbox image's command. */
    CriLab(Lab lab, DaemonLab d, String conflist, List<String> cmd) {
        tag = Lab.PREFIX + lab.runId() + "-cri";
        base = Path.of("/run", tag);
        socket = base.resolve("containerd.sock");
        try {
            Path bin = Files.createDirectories(base.resolve("bin")),
                    netd = Files.createDirectories(base.resolve("net.d"));
            Files.createSymbolicLink(bin.resolve("berth"), CniPlugin.BINARY);
            Files.createSymbolicLink(bin.resolve("loopback"), Path.of("/usr/lib/cni/loopback"));
            Files.writeString(netd.resolve("10-berth.conflist"), conflist);
            Files.writeString(base.resolve("config.toml"), config(bin, netd));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        containerd = d.host.spawnDaemon(
                Map.of(), "containerd", "--config", base.resolve("config.toml").toString());
        channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(group)
                .channelType(EpollDomainSocketChannel.class)
                .overrideAuthority("localhost")
                .usePlaintext()
                .build();
        cri = RuntimeServiceGrpc.newBlockingStub(channel);
        try {
            awaitCri();
            Path tar = base.resolve("sandbox.tar");
            BusyboxImage.write(tar, List.of(IMAGE), cmd, "cri");
            Commands.run(
                            List.of(
                                    "ctr",
                                    "--address",
                                    socket.toString(),
                                    "-n",
                                    "k8s.io",
                                    "images",
                                    "import",
                                    tar.toString()),
                            Duration.ofSeconds(120),
                            null)
                    .check();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** RunPodSandbox, as kubelet calls it; the error carries containerd's log. */
    String run(PodSandboxConfig config) {
        String id;
        try {
            id = cri.withDeadlineAfter(120, TimeUnit.SECONDS)
                    .runPodSandbox(
                            RunPodSandboxRequest.newBuilder().setConfig(config).build())
                    .getPodSandboxId();
        } catch (StatusRuntimeException e) {
            throw new AssertionError(
                    "RunPodSandbox failed: " + e.getMessage() + "\n--- containerd:\n"
                            + DaemonLab.tail(containerd.output()),
                    e);
        }
        pods.put(id, netnsOf(id));
        return id;
    }

    PodSandboxStatus status(String id) {
        return cri.withDeadlineAfter(30, TimeUnit.SECONDS)
                .podSandboxStatus(
                        PodSandboxStatusRequest.newBuilder().setPodSandboxId(id).build())
                .getStatus();
    }

    void stop(String id) {
        cri.withDeadlineAfter(60, TimeUnit.SECONDS)
                .stopPodSandbox(
                        StopPodSandboxRequest.newBuilder().setPodSandboxId(id).build());
    }

    void remove(String id) {
        cri.withDeadlineAfter(60, TimeUnit.SECONDS)
                .removePodSandbox(
                        RemovePodSandboxRequest.newBuilder().setPodSandboxId(id).build());
        pods.remove(id);
    }

    /** The pod's network namespace file, from the verbose status (the runtime spec containerd made). */
    String netnsOf(String id) {
        PodSandboxStatusResponse r = cri.withDeadlineAfter(30, TimeUnit.SECONDS)
                .podSandboxStatus(PodSandboxStatusRequest.newBuilder()
                        .setPodSandboxId(id)
                        .setVerbose(true)
                        .build());
        try {
            JsonNode info = JSON.readTree(r.getInfoOrDefault("info", "{}"));
            for (JsonNode ns : info.path("runtimeSpec").path("linux").path("namespaces"))
                if (ns.path("type").asText().equals("network"))
                    return ns.path("path").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no network namespace in the status of " + id + ": " + r.getInfoMap());
    }

    String log() {
        return containerd.output();
    }

    @Override
    public void close() {
        try {
            for (String id : new ArrayList<>(pods.keySet())) {
                try {
                    stop(id);
                    remove(id);
                } catch (RuntimeException e) {
                    // the namespace is deleted below; berthd removes an attachment whose namespace is gone at its next
                    // start
                }
            }
        } finally {
            channel.shutdownNow();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            Leftovers.stop(containerd.pid(), Duration.ofSeconds(10));
            containerd.close();
            for (long pid : Leftovers.processesNaming(base.toString()))
                Leftovers.stop(pid, Duration.ofSeconds(5)); // shims
            Leftovers.unmountUnder(base);
            Leftovers.removeCgroups(tag);
            for (String netns : pods.values()) {
                if (netns.startsWith("/var/run/netns/") || netns.startsWith("/run/netns/"))
                    Commands.run(List.of(
                            "ip",
                            "netns",
                            "delete",
                            Path.of(netns).getFileName().toString()));
            }
            Leftovers.deleteTree(base);
        }
    }

    private void awaitCri() {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                if (Files.exists(socket)) {
                    cri.withDeadlineAfter(5, TimeUnit.SECONDS)
                            .version(
                                    VersionRequest.newBuilder().setVersion("v1").build());
                    return;
                }
            } catch (RuntimeException notYet) {
                if (System.nanoTime() > deadline)
                    throw new AssertionError(
                            "containerd's CRI does not answer: " + notYet + "\n" + containerd.output());
            }
            if (!containerd.isAlive() || System.nanoTime() > deadline)
                throw new AssertionError("containerd did not start:\n" + containerd.output());
            ClusterDaemonLab.sleep(100);
        }
    }

    /** containerd's config: everything under {@code base}; the CRI plugin with Berth's CNI configuration and plugins. */
    private String config(Path bin, Path netd) {
        return """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
                  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
                  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
                [grpc]
                  address = "%2$s"
                [ttrpc]
                  address = ""
                [debug]
                  address = ""
                [metrics]
                  address = ""
                [plugins."io.containerd.internal.v1.opt"]
                  path = "%1$s/opt"
                [plugins."io.containerd.grpc.v1.cri"]
                  sandbox_image = "%5$s"
                  disable_apparmor = true
                  # the sandbox asks oom_score_adj -998, which this machine refuses without CAP_SYS_RESOURCE: keep containerd's own
                  restrict_oom_score_adj = true
                  enable_selinux = false
                  stream_server_address = "127.0.0.1"
                  stream_server_port = "0"
                  [plugins."io.containerd.grpc.v1.cri".containerd]
                    snapshotter = "overlayfs"
                    default_runtime_name = "runc"
                    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                      runtime_type = "io.containerd.runc.v2"
                  [plugins."io.containerd.grpc.v1.cri".cni]
                    bin_dir = "%3$s"
                    conf_dir = "%4$s"
                    max_conf_num = 1
                """.formatted(base, socket, bin, netd, IMAGE);
    }
}
