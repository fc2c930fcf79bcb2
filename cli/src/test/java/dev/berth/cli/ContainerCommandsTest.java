package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cli.cmd.RunCommandAccess;
import dev.berth.cli.cmd.UsageError;
import dev.berth.cli.http.StreamDemux;
import dev.berth.model.topology.Topology;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** run, exec, logs, ps, port, inspect and the rest, against the fake daemon. */
class ContainerCommandsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ID = "c0ffee".repeat(10) + "c0ff";
    FakeDaemon d;

    @BeforeEach
    void start() throws IOException {
        d = new FakeDaemon();
    }

    @AfterEach
    void stop() throws IOException {
        d.close();
    }

    /** The daemon side of a foreground run: output frames on attach, exit status when start was called. */
    private void container(int exitCode, String stdout, String stderr) {
        CountDownLatch started = new CountDownLatch(1);
        d.json("POST", "/containers/create", 201, "{\"Id\":\"" + ID + "\",\"Warnings\":[]}");
        d.on("POST", "/containers/" + ID + "/attach", (r, in, out) -> {
            FakeDaemon.upgraded(out);
            try {
                started.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            out.write(FakeDaemon.frame(1, stdout));
            out.write(FakeDaemon.frame(2, stderr));
            out.flush();
        });
        d.on("POST", "/containers/" + ID + "/wait", (r, in, out) -> {
            FakeDaemon.chunkedHead(out, 200, "application/json"); // registered: start may come now
            try {
                started.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            FakeDaemon.chunk(out, "{\"StatusCode\":" + exitCode + "}", true);
        });
        d.on("POST", "/containers/" + ID + "/start", (r, in, out) -> {
            FakeDaemon.respond(out, 204, "application/json", "");
            started.countDown();
        });
    }

    @Test
    void runInTheForegroundPrintsOutputAndExitsWithTheCommandsStatus() throws IOException {
        container(3, "hello from milk\n", "oops\n");
        var r = CliRunner.run(
                d,
                "run",
                "--name",
                "milk",
                "--network",
                "greatwall",
                "--ip",
                "10.1.0.5",
                "-p",
                "8080:80",
                "-p",
                "127.0.0.1:5353:53/udp",
                "-e",
                "A=1",
                "--dns",
                "10.0.0.53",
                "-h",
                "milky",
                "busybox",
                "sh",
                "-c",
                "echo hi; exit 3");
        assertEquals(3, r.code(), r.err());
        assertEquals("hello from milk\n", r.out());
        assertEquals("oops\n", r.err());
        List<String> order =
                d.requests.stream().map(x -> x.method() + " " + x.path()).toList();
        assertEquals(
                List.of(
                        "POST /containers/create",
                        "POST /containers/" + ID + "/attach",
                        "POST /containers/" + ID + "/wait",
                        "POST /containers/" + ID + "/start"),
                order);
        var attach = d.requests("POST", "/containers/" + ID + "/attach").getFirst();
        assertEquals("Upgrade", attach.header("connection"));
        assertEquals("tcp", attach.header("upgrade"));
        assertTrue(attach.target().endsWith("?stream=1&stdout=1&stderr=1"), attach.target());
        assertTrue(d.requests("POST", "/containers/" + ID + "/wait")
                .getFirst()
                .target()
                .endsWith("condition=next-exit"));
        var create = d.requests("POST", "/containers/create").getFirst();
        assertTrue(create.target().endsWith("?name=milk"));
        JsonNode want = JSON.readTree("""
                {"Hostname":"milky","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,"OpenStdin":false,"StdinOnce":false,
                 "Tty":false,"Env":["A=1"],"Cmd":["sh","-c","echo hi; exit 3"],"Image":"busybox",
                 "ExposedPorts":{"80/tcp":{},"53/udp":{}},
                 "HostConfig":{"NetworkMode":"greatwall","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8080"}],
                   "53/udp":[{"HostIp":"127.0.0.1","HostPort":"5353"}]},"PublishAllPorts":false,"AutoRemove":false,"Dns":["10.0.0.53"]},
                 "NetworkingConfig":{"EndpointsConfig":{"greatwall":{"IPAMConfig":{"IPv4Address":"10.1.0.5"}}}}}""");
        assertEquals(want, JSON.readTree(create.body()));
    }

    @Test
    void runRmWaitsForRemoval() throws IOException {
        container(0, "", "");
        var r = CliRunner.run(d, "run", "--rm", "alpine", "true");
        assertEquals(0, r.code(), r.err());
        JsonNode body = JSON.readTree(
                d.requests("POST", "/containers/create").getFirst().body());
        assertEquals("alpine", body.get("Image").asText());
        assertTrue(body.at("/HostConfig/AutoRemove").asBoolean());
        assertEquals("[\"true\"]", body.get("Cmd").toString());
        assertTrue(d.requests("POST", "/containers/" + ID + "/wait")
                .getFirst()
                .target()
                .endsWith("condition=removed"));
    }

    @Test
    void runDetachedPrintsTheId() throws IOException {
        d.json("POST", "/containers/create", 201, "{\"Id\":\"" + ID + "\",\"Warnings\":[]}");
        d.on(
                "POST",
                "/containers/" + ID + "/start",
                (r, in, out) -> FakeDaemon.respond(out, 204, "application/json", ""));
        var r = CliRunner.run(d, "run", "-d", "--name", "coffee", "-P", "--expose", "80", "busybox", "sleep", "1000");
        assertEquals(0, r.code(), r.err());
        assertEquals(ID + "\n", r.out());
        JsonNode body = JSON.readTree(
                d.requests("POST", "/containers/create").getFirst().body());
        assertEquals("[\"sleep\",\"1000\"]", body.get("Cmd").toString());
        assertEquals("busybox", body.get("Image").asText());
        assertTrue(body.at("/HostConfig/PublishAllPorts").asBoolean());
        assertTrue(body.get("ExposedPorts").has("80/tcp"));
        assertTrue(d.requests("POST", "/containers/" + ID + "/attach").isEmpty());
    }

    @Test
    void runFailuresExitAsDockersDo() {
        d.json(
                "POST",
                "/containers/create",
                409,
                "{\"message\":\"Conflict. The container name \\\"/milk\\\" is already in use\"}");
        var r = CliRunner.run(d, "run", "-d", "--name", "milk", "busybox", "true");
        assertEquals(125, r.code());
        assertTrue(
                r.err()
                        .startsWith(
                                "berth: Error response from daemon: Conflict. The container name \"/milk\" is already in use"),
                r.err());
        d.json("POST", "/containers/create", 201, "{\"Id\":\"" + ID + "\"}");
        d.json(
                "POST",
                "/containers/" + ID + "/start",
                400,
                "{\"message\":\"exec: \\\"nosuch\\\": executable file not found in $PATH\"}");
        assertEquals(127, CliRunner.run(d, "run", "-d", "nosuch").code());
        var bad = CliRunner.run(d, "run", "-p", "99999:80", "busybox", "true");
        assertEquals(125, bad.code());
        assertTrue(bad.err().contains("invalid publish '99999:80'"), bad.err());
    }

    @Test
    void theRunRule() {
        assertEquals(
                new RunCommandAccess.Inv("busybox", List.of("ping", "-c1", "x")),
                RunCommandAccess.split(List.of("busybox", "ping", "-c1", "x")));
        assertEquals(new RunCommandAccess.Inv("busybox", List.of()), RunCommandAccess.split(List.of("busybox")));
        assertEquals(
                new RunCommandAccess.Inv("alpine", List.of("ls", "--", "x")),
                RunCommandAccess.split(List.of("alpine", "ls", "--", "x")));
        assertThrows(UsageError.class, () -> RunCommandAccess.split(List.of("--bogus", "alpine")));
    }

    @Test
    void runTakesDockersFlagsAndTheImagesDefaultCommand() throws IOException {
        d.json("POST", "/containers/create", 201, "{\"Id\":\"" + ID + "\",\"Warnings\":[]}");
        d.on(
                "POST",
                "/containers/" + ID + "/start",
                (r, in, out) -> FakeDaemon.respond(out, 204, "application/json", ""));
        var r = CliRunner.run(
                d,
                "run",
                "-itd",
                "--rm",
                "--name",
                "milk",
                "-u",
                "nobody",
                "--entrypoint",
                "sh",
                "-v",
                "/srv:/data:ro",
                "--tmpfs",
                "/scratch:size=1m",
                "--read-only",
                "--cap-add",
                "NET_ADMIN",
                "--cap-drop",
                "MKNOD",
                "--security-opt",
                "seccomp=unconfined",
                "-m",
                "64m",
                "--cpus",
                "1.5",
                "--pids-limit",
                "50",
                "--ulimit",
                "nproc=100:200",
                "--restart",
                "on-failure:3",
                "--stop-signal",
                "SIGINT",
                "--stop-timeout",
                "5",
                "--add-host",
                "db:10.0.0.9",
                "--dns-search",
                "lab",
                "--dns-option",
                "ndots:2",
                "-l",
                "team=milk",
                "busybox");
        assertEquals(0, r.code(), r.err());
        JsonNode b = JSON.readTree(
                d.requests("POST", "/containers/create").getFirst().body());
        assertTrue(b.get("Tty").asBoolean() && b.get("OpenStdin").asBoolean(), b.toString());
        assertFalse(b.has("Cmd"), "no command: the image's default");
        assertEquals("nobody", b.get("User").asText());
        assertEquals("[\"sh\"]", b.get("Entrypoint").toString());
        assertEquals("milk", b.at("/Labels/team").asText());
        assertEquals("SIGINT", b.get("StopSignal").asText());
        assertEquals(5, b.get("StopTimeout").asInt());
        JsonNode h = b.get("HostConfig");
        assertEquals("[\"/srv:/data:ro\"]", h.get("Binds").toString());
        assertEquals("size=1m", h.at("/Tmpfs/~1scratch").asText());
        assertTrue(h.get("ReadonlyRootfs").asBoolean());
        assertEquals("[\"NET_ADMIN\"]", h.get("CapAdd").toString());
        assertEquals("[\"MKNOD\"]", h.get("CapDrop").toString());
        assertEquals("[\"seccomp=unconfined\"]", h.get("SecurityOpt").toString());
        assertEquals(64L * 1024 * 1024, h.get("Memory").asLong());
        assertEquals(1_500_000_000L, h.get("NanoCpus").asLong());
        assertEquals(50, h.get("PidsLimit").asLong());
        assertEquals(
                "{\"Name\":\"nproc\",\"Soft\":100,\"Hard\":200}",
                h.get("Ulimits").get(0).toString());
        assertEquals(
                "{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}",
                h.get("RestartPolicy").toString());
        assertEquals("[\"db:10.0.0.9\"]", h.get("ExtraHosts").toString());
        assertEquals("[\"lab\"]", h.get("DnsSearch").toString());
        assertEquals("[\"ndots:2\"]", h.get("DnsOptions").toString());
    }

    @Test
    void execStreamsAndExitsWithTheExecsCode() throws IOException {
        d.json("POST", "/containers/beijing/exec", 201, "{\"Id\":\"e1\"}");
        d.on("POST", "/exec/e1/start", (r, in, out) -> {
            FakeDaemon.upgraded(out);
            String stdin = new String(in.readAllBytes(), StandardCharsets.UTF_8); // until the client half-closes
            out.write(FakeDaemon.frame(1, "got " + stdin));
            out.flush();
        });
        d.json("GET", "/exec/e1/json", 200, "{\"ExitCode\":7,\"Running\":false}");
        var r = CliRunner.run(Map.of("BERTH_HOST", d.host()), "ping me\n", "exec", "-i", "beijing", "cat", "-n");
        assertEquals(7, r.code(), r.err());
        assertEquals("got ping me\n", r.out());
        JsonNode create = JSON.readTree(
                d.requests("POST", "/containers/beijing/exec").getFirst().body());
        assertEquals("[\"cat\",\"-n\"]", create.get("Cmd").toString());
        assertTrue(create.get("AttachStdin").asBoolean());
        assertEquals("Upgrade", d.requests("POST", "/exec/e1/start").getFirst().header("connection"));
    }

    @Test
    void logsDemultiplexAChunkedStream() {
        d.on("GET", "/containers/milk/logs", (r, in, out) -> {
            ByteArrayOutputStream frames = new ByteArrayOutputStream();
            frames.writeBytes(FakeDaemon.frame(1, "line 1\n"));
            frames.writeBytes(FakeDaemon.frame(2, "warn\n"));
            frames.writeBytes(FakeDaemon.frame(1, "line 2\n"));
            String all = frames.toString(StandardCharsets.ISO_8859_1);
            FakeDaemon.respondChunked(
                    out, 200, "application/vnd.docker.multiplexed-stream", all.substring(0, 5), all.substring(5));
        });
        var r = CliRunner.run(d, "logs", "-f", "milk");
        assertEquals(0, r.code(), r.err());
        assertEquals("line 1\nline 2\n", r.out());
        assertEquals("warn\n", r.err());
        assertTrue(
                d.requests("GET", "/containers/milk/logs").getFirst().target().contains("follow=1"));
    }

    @Test
    void demuxRefusesTornStreams() {
        byte[] f = FakeDaemon.frame(1, "hello");
        byte[] torn = Arrays.copyOf(f, f.length - 2);
        assertThrows(
                IOException.class,
                () -> StreamDemux.copy(
                        new ByteArrayInputStream(torn), new ByteArrayOutputStream(), new ByteArrayOutputStream()));
        assertThrows(
                IOException.class,
                () -> StreamDemux.copy(
                        new ByteArrayInputStream("HTTP/1.1".getBytes()),
                        new ByteArrayOutputStream(),
                        new ByteArrayOutputStream()));
    }

    @Test
    void psPrintsDockersColumns() {
        long created = Instant.now().getEpochSecond() - 300;
        d.json("GET", "/containers/json", 200, """
                [{"Id":"%s","Names":["/beijing"],"Image":"host","Command":"python3 -m http.server 80","Created":%d,
                  "State":"running","Status":"Up 5 minutes",
                  "Ports":[{"IP":"0.0.0.0","PrivatePort":80,"PublicPort":8080,"Type":"tcp"},{"PrivatePort":443,"Type":"tcp"}],
                  "NetworkSettings":{"Networks":{"greatwall":{}}}}]""".formatted(ID, created));
        var r = CliRunner.run(d, "ps", "-a");
        assertEquals(0, r.code(), r.err());
        assertEquals(
                List.of(
                        "CONTAINER ID   IMAGE     COMMAND                  CREATED         STATUS         PORTS                           NAMES",
                        "c0ffeec0ffee   host      \"python3 -m http.ser…\"   5 minutes ago   Up 5 minutes   0.0.0.0:8080->80/tcp, 443/tcp   beijing"),
                r.out().lines().toList());
        assertTrue(d.requests("GET", "/containers/json").getFirst().target().endsWith("?all=1"));
        assertEquals("c0ffeec0ffee\n", CliRunner.run(d, "ps", "-q").out());
        assertTrue(CliRunner.run(d, "ps", "--format", "json").out().contains("\"Networks\":\"greatwall\""));
    }

    @Test
    void portAndInspect() throws IOException {
        d.json("GET", "/containers/coffee/json", 200, """
                {"Id":"%s","Name":"/coffee","NetworkSettings":{"Ports":{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"},{"HostIp":"::","HostPort":"8080"}],"9/udp":null}}}""".formatted(ID));
        d.json("GET", "/containers/bridge/json", 404, "{\"message\":\"No such container: bridge\"}");
        d.json("GET", "/networks/bridge", 200, NetworkCommandsTest.sample("api_networks_bridge.json"));
        var p = CliRunner.run(d, "port", "coffee");
        assertEquals("80/tcp -> 0.0.0.0:8080\n80/tcp -> [::]:8080\n", p.out());
        assertEquals(
                "0.0.0.0:8080\n[::]:8080\n",
                CliRunner.run(d, "port", "coffee", "80").out());
        var missing = CliRunner.run(d, "port", "coffee", "443");
        assertEquals(1, missing.code());
        assertEquals("Error: No public port '443/tcp' published for coffee\n", missing.err());
        var i = CliRunner.run(d, "inspect", "bridge");
        assertEquals(NetworkCommandsTest.sample("cli20_network_inspect_bridge.json"), i.out());
        var none = CliRunner.run(d, "inspect", "nothing");
        assertEquals(1, none.code());
        assertEquals("Error: No such object: nothing\n", none.err());
    }

    @Test
    void lifecycleVerbsPrintNames() {
        d.on("POST", "/containers/", (r, in, out) -> FakeDaemon.respond(out, 204, "application/json", ""));
        d.on("DELETE", "/containers/", (r, in, out) -> FakeDaemon.respond(out, 204, "application/json", ""));
        assertEquals("a\nb\n", CliRunner.run(d, "stop", "-t", "3", "a", "b").out());
        assertEquals("a\n", CliRunner.run(d, "kill", "-s", "HUP", "a").out());
        assertEquals("a\n", CliRunner.run(d, "rm", "-f", "a").out());
        assertEquals("a\n", CliRunner.run(d, "start", "a").out());
        List<String> targets =
                d.requests.stream().map(FakeDaemon.Request::target).toList();
        assertEquals(
                List.of(
                        "/v1.50/containers/a/stop?t=3",
                        "/v1.50/containers/b/stop?t=3",
                        "/v1.50/containers/a/kill?signal=HUP",
                        "/v1.50/containers/a?force=1",
                        "/v1.50/containers/a/start"),
                targets);
    }

    @Test
    void versionShowsBothSides() throws IOException {
        d.json("GET", "/version", 200, NetworkCommandsTest.sample("api_version.json"));
        var r = CliRunner.run(d, "version");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Client:\n Version:"), r.out());
        assertTrue(
                r.out()
                        .contains(
                                "Server:\n Engine:\n  Version:          20.10.24+dfsg1\n  API version:      1.41 (minimum version 1.12)\n"),
                r.out());
    }

    @Test
    void explainPrintsARunnableScript() {
        d.json("GET", "/berth/explain", 200, """
                {"steps":[{"what":"create the bridge br-1","command":"ip link add br-1 type bridge"},
                          {"what":"bring it up","command":"ip link set br-1 up"}]}""");
        var r = CliRunner.run(d, "explain", "greatwall");
        assertEquals(
                "# create the bridge br-1\nip link add br-1 type bridge\n\n# bring it up\nip link set br-1 up\n",
                r.out());
        assertTrue(d.requests("GET", "/berth/explain").getFirst().target().endsWith("?network=greatwall"));
        // not a network: asked again as a container
        d.json("GET", "/berth/explain", 404, "{\"message\":\"network milk not found\"}");
        var c = CliRunner.run(d, "explain", "milk");
        assertEquals(1, c.code());
        List<String> asked = d.requests("GET", "/berth/explain").stream()
                .map(FakeDaemon.Request::target)
                .toList();
        assertTrue(asked.getLast().endsWith("?container=milk"), asked.toString());
    }

    @Test
    void topologyRendersTheDaemonsRecord() throws IOException {
        var t = new Topology(List.of(
                new Topology.Namespace(
                        "host",
                        null,
                        List.of(
                                new Topology.Iface(
                                        5,
                                        "berth0",
                                        "bridge",
                                        "aa:bb:cc:dd:ee:ff",
                                        1500,
                                        true,
                                        null,
                                        null,
                                        List.of("172.17.0.1/16")),
                                new Topology.Iface(
                                        7,
                                        "veth1234567",
                                        "veth",
                                        null,
                                        1500,
                                        true,
                                        "berth0",
                                        new Topology.Peer(2, "berth-milk", "eth0"),
                                        List.of())),
                        List.of()),
                new Topology.Namespace(
                        "berth-milk",
                        "milk",
                        List.of(new Topology.Iface(
                                2,
                                "eth0",
                                "veth",
                                null,
                                1500,
                                true,
                                null,
                                new Topology.Peer(7, "host", "veth1234567"),
                                List.of("172.17.0.2/16"))),
                        List.of(new Topology.RouteEntry("default", "172.17.0.1", "eth0", null)))));
        d.json("GET", "/berth/topology", 200, JSON.writeValueAsString(t));
        var text = CliRunner.run(d, "topology");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("namespace berth-milk (container milk)"), text.out());
        assertTrue(text.out().contains("eth0@if7 (veth) UP 172.17.0.2/16  <-> host:veth1234567"), text.out());
        assertTrue(text.out().contains("    └── veth1234567@if2 (veth) UP  <-> berth-milk:eth0"), text.out());
        assertTrue(text.out().contains("default via 172.17.0.1 dev eth0"), text.out());
        var dot = CliRunner.run(d, "topology", "--format", "dot");
        assertTrue(dot.out().startsWith("digraph berth {"), dot.out());
        assertTrue(dot.out().contains("\"berth-milk/eth0\" -> \"host/veth1234567\""), dot.out());
        if (Files.isExecutable(Path.of("/usr/bin/dot")))
            assertTrue(CliRunner.run(d, "topology", "--format", "svg").out().contains("<svg"));
        assertEquals(125, CliRunner.run(d, "topology", "--format", "png").code());
    }

    @Test
    void completionScript() {
        var r = CliRunner.run(d, "completion", "bash");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("complete -F _complete_berth"), r.out().substring(0, 200));
        assertTrue(r.out().contains("network"));
    }
}
