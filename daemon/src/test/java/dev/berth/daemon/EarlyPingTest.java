package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.daemon.soak.RawApi;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabProcess;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * berthd answers {@code /_ping} and {@code /version} as soon as its socket is bound, before it is ready,
 * and holds every other request until it is: held here by giving it a containerd that starts only after
 * the test saw the ping (berthd waits up to 10 s for containerd). A request sent meanwhile, raw or by the
 * docker CLI (which pings first), gets its full answer once berthd is ready; none fails.
 */
@ExtendWith(LabExtension.class)
class EarlyPingTest {

    @Test
    void pingAnswersAtOnceAndTheRestWaitsForTheStart(Lab lab) throws Exception {
        LabHost host = lab.host("host");
        Path dir = Files.createTempDirectory("berthd-" + lab.runId() + "-early-");
        Path socket = dir.resolve("berth.sock");
        Path ctrd = dir.resolve("containerd");
        Path ctrdSocket = ctrd.resolve("containerd.sock");
        Files.createDirectories(ctrd);
        Files.writeString(ctrd.resolve("config.toml"), containerdConfig(ctrd, ctrdSocket));
        LabProcess berthd = null, containerd = null;
        try {
            berthd = spawnBerthd(lab, host, dir, socket, ctrdSocket.toString());
            long spawned = System.nanoTime();
            RawApi api = new RawApi(socket);
            while (!Files.exists(socket) || api.get("/_ping").status() != 200) {
                assertTrue(berthd.isAlive(), "berthd exited:\n" + berthd.output());
                assertTrue(System.nanoTime() - spawned < TimeUnit.SECONDS.toNanos(60), berthd.output());
                Thread.sleep(5);
            }
            long pingMs = (System.nanoTime() - spawned) / 1_000_000;
            RawApi.Answer version = api.get("/version");
            assertEquals(200, version.status(), version.body());
            assertTrue(version.body().contains("\"Name\":\"Berth\""), version.body());
            assertEquals(200, api.send("HEAD", "/_ping", null).status());

            // containerd is not there yet: berthd is not ready, so these wait (they must not fail)
            CompletableFuture<String> held = rawGet(socket, "/networks");
            CompletableFuture<ExecResult> cli = CompletableFuture.supplyAsync(
                    () -> DaemonLab.docker(socket, "network", "ls", "--format", "{{.Name}}"));
            Thread.sleep(1000);
            assertTrue(!held.isDone() && !cli.isDone(), "requests wait while berthd starts: " + berthd.output());
            assertTrue(!berthd.output().contains("berthd ready"), berthd.output());

            containerd = host.spawnDaemon(
                    Map.of(),
                    "containerd",
                    "--config",
                    ctrd.resolve("config.toml").toString());
            String networks = held.get(60, TimeUnit.SECONDS);
            assertTrue(networks.startsWith("HTTP/1.1 200"), networks);
            assertTrue(networks.contains("\"Name\":\"bridge\""), networks);
            ExecResult ls = cli.get(60, TimeUnit.SECONDS);
            assertEquals(0, ls.exitCode(), ls.stderr());
            assertTrue(ls.stdout().lines().toList().contains("bridge"), ls.stdout());
            String log = berthd.output();
            assertTrue(log.indexOf("api socket ready") < log.indexOf("berthd ready"), log);
            System.out.printf("EarlyPingTest: spawn to first /_ping %d ms (containerd held back)%n", pingMs);
        } finally {
            if (berthd != null) berthd.close();
            if (containerd != null) containerd.close();
            Commands.run(List.of("rm", "-rf", dir.toString()));
        }
    }

    /**
     * A start that fails (no containerd ever answers): the ping was answered meanwhile, the held request's
     * connection is closed without an answer, berthd exits 1 naming containerd, and its socket is gone.
     */
    @Test
    void aFailedStartClosesTheHeldRequests(Lab lab) throws Exception {
        LabHost host = lab.host("host");
        Path dir = Files.createTempDirectory("berthd-" + lab.runId() + "-early-fail-");
        Path socket = dir.resolve("berth.sock");
        LabProcess berthd = null;
        try {
            berthd = spawnBerthd(
                    lab, host, dir, socket, dir.resolve("never.sock").toString());
            long spawned = System.nanoTime();
            RawApi api = new RawApi(socket);
            while (!Files.exists(socket) || api.get("/_ping").status() != 200) {
                assertTrue(berthd.isAlive(), "berthd exited before its ping:\n" + berthd.output());
                assertTrue(System.nanoTime() - spawned < TimeUnit.SECONDS.toNanos(60), berthd.output());
                Thread.sleep(5);
            }
            CompletableFuture<String> held = rawGet(socket, "/networks");
            String answer;
            try {
                answer = held.get(60, TimeUnit.SECONDS);
            } catch (ExecutionException reset) {
                answer = ""; // closed with the request unread: a reset instead of an end of stream
            }
            assertEquals("", answer, "no answer: the start failed");
            assertEquals(1, berthd.waitFor(Duration.ofSeconds(60)), berthd.output());
            assertTrue(berthd.output().contains("cannot reach containerd"), berthd.output());
            assertTrue(!Files.exists(socket), "the socket is removed with the failed start");
        } finally {
            if (berthd != null) berthd.close();
            Commands.run(List.of("rm", "-rf", dir.toString()));
        }
    }

    /** A GET on its own connection, answered whole (the connection is closed after it). */
    private static CompletableFuture<String> rawGet(Path socket, String path) {
        CompletableFuture<String> answer = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(socket));
                ch.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: berth\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII)));
                StringBuilder b = new StringBuilder();
                ByteBuffer buf = ByteBuffer.allocate(8192);
                while (ch.read(buf) >= 0) {
                    b.append(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
                    buf.clear();
                }
                answer.complete(b.toString());
            } catch (IOException e) {
                answer.completeExceptionally(e);
            }
        });
        return answer;
    }

    /** A containerd of the test's own, under its directory, with only what berthd uses. */
    private static String containerdConfig(Path home, Path socket) {
        return """
                version = 2
                root = "%s"
                state = "%s"
                disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.tracing",
                  "io.containerd.tracing.processor.v1.otlp", "io.containerd.snapshotter.v1.aufs",
                  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper",
                  "io.containerd.snapshotter.v1.zfs"]
                [grpc]
                  address = "%s"
                [ttrpc]
                  address = ""
                [debug]
                  address = ""
                [metrics]
                  address = ""
                """.formatted(home.resolve("root"), home.resolve("state"), socket);
    }

    /** berthd in the lab's host namespace with its state under {@code dir}, using the containerd at {@code containerd}. */
    private static LabProcess spawnBerthd(Lab lab, LabHost host, Path dir, Path socket, String containerd) {
        return host.spawnDaemon(
                Map.of(),
                DaemonLab.BERTHD.toString(),
                "--socket",
                socket.toString(),
                "--state-dir",
                dir.resolve("state").toString(),
                "--run-dir",
                dir.resolve("run").toString(),
                "--netns-prefix",
                lab.prefix("sb-"),
                "--cgroup-parent",
                "/" + lab.prefix("berth"),
                "--no-embedded-dns",
                "--containerd",
                containerd);
    }
}
