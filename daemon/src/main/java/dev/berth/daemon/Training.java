package dev.berth.daemon;

import dev.berth.daemon.http.EarlyListener;
import dev.berth.model.log.Log;
import dev.berth.runtime.containerd.ManagedContainerd;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import picocli.CommandLine;

/**
 * The AOT training run of bin/berthd ({@code -XX:AOTCacheOutput}, scripts/berthd-launcher): starts a
 * real daemon and sends it what clients send first (ping, version, info, networks: list, create,
 * inspect, remove, a bad request), so the cache holds the classes and linked call sites of berthd's
 * start and first answers. The launcher runs it inside a throw-away network namespace it deletes
 * afterwards: the bridge and firewall tables it makes go with that namespace, and the managed containerd
 * the daemon starts is stopped at the end.
 */
public final class Training {
    private Training() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) throw new IllegalArgumentException("usage: Training NETNS-PREFIX");
        Path dir = Files.createTempDirectory("berthd-training-");
        Path sock = dir.resolve("berth.sock");
        // configured as a user would, through berthd's own flags (whatever fields the config grows)
        String[] argv = {
            "--socket",
            sock.toString(),
            "--state-dir",
            dir.resolve("state").toString(),
            "--run-dir",
            dir.resolve("run").toString(),
            "--netns-prefix",
            args[0],
            "--dns",
            "127.0.0.1",
            "--log-level",
            "warn",
            "--cgroup-parent",
            "/berth-training"
        };
        // as berthd's main does: the socket first, answering pings while the options are parsed
        EarlyListener early =
                EarlyListener.bind(EarlyArgs.socket(argv, Map.of()).orElseThrow());
        for (int i = 0; i < 3; i++) {
            request(sock, "GET", "/_ping", null);
            request(sock, "HEAD", "/_ping", null);
        }
        Berthd flags = new Berthd();
        new CommandLine(flags).parseArgs(argv);
        DaemonConfig c = flags.resolve();
        Log.setLevel(c.logLevel());
        Log.captureJavaUtilLogging();
        try (early;
                Daemon d = Daemon.start(c, early)) {
            for (int i = 0; i < 10; i++) {
                request(sock, "GET", "/_ping", null);
                request(sock, "HEAD", "/_ping", null);
                request(sock, "GET", "/v1.50/version", null);
                request(sock, "GET", "/v1.50/info", null);
                request(sock, "GET", "/v1.50/networks", null);
                request(sock, "POST", "/v1.50/networks/create", "{\"Name\":\"training\",\"Driver\":\"bridge\"}");
                request(sock, "GET", "/v1.50/networks/training", null);
                request(sock, "GET", "/v1.50/containers/json?all=1", null);
                request(sock, "DELETE", "/v1.50/networks/training", null);
                request(sock, "POST", "/v1.50/networks/create", "{\"Name\":");
            }
        } finally {
            // berthd's managed containerd outlives it by design; the training run's must not
            ManagedContainerd.start(new ManagedContainerd.Config(c.stateDir(), c.runDir(), null))
                    .stop();
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One HTTP/1.1 exchange on a fresh connection, as the docker CLI makes them; the answer is read and dropped. */
    private static void request(Path sock, String method, String path, String body) throws IOException {
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: api.moby.localhost\r\nUser-Agent: berthd-training\r\n"
                + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\n")
                + "Connection: close\r\n\r\n";
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(sock));
            ch.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
            ch.write(ByteBuffer.wrap(b));
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            while (ch.read(in) >= 0) in.clear();
        }
    }
}
