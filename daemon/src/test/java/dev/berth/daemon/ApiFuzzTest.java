package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.daemon.api.NotImplementedApi;
import dev.berth.daemon.http.Route;
import dev.berth.daemon.soak.Gauges;
import dev.berth.daemon.soak.RawApi;
import dev.berth.engine.state.RecordJournal;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad requests to every route of the API, generated from the route table: unknown and odd ids, bodies
 * of the wrong type, truncated, huge, deeply nested or not UTF-8, odd query strings; and bad traffic
 * below HTTP: garbage, over-long lines and headers, bodies past the limit, slow and half-closed
 * connections, and a flood of connections past the cap. berthd must stay up, answer each with a 4xx
 * and a message (never a 500, never a Java class name), leave its state, the API's view and the kernel
 * as they were, and give back every descriptor once the clients are gone.
 */
@ExtendWith(LabExtension.class)
class ApiFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JAVA_NAME = Pattern.compile(
            "\\b(java|javax|sun|jdk|io\\.netty|com\\.fasterxml)\\.[a-z]|\\b[A-Z]\\w*(Exception|Error)\\b"
                    + "|\\b[A-Z]\\w+\\.[a-z]\\w*\\(\\)");
    /**
     * Routes that act on their target whatever their body says (or hijack the connection, or wait for an
     * exit): they get the odd ids, not the bad bodies with a real target. Every other POST and PUT route of
     * the table gets the bad bodies on a real target, so a new route is fuzzed without being listed; one that
     * acts without reading its body belongs here (the test's state check finds it).
     */
    private static final Set<String> ACTS_WITHOUT_A_BODY = Set.of(
            "POST /containers/{id}/kill",
            "POST /containers/{id}/stop",
            "POST /containers/{id}/restart",
            "POST /containers/{id}/pause",
            "POST /containers/{id}/unpause",
            "POST /containers/{id}/start",
            "POST /containers/{id}/wait",
            "POST /containers/{id}/attach",
            "POST /images/{name*}/push",
            "POST /containers/prune",
            "POST /networks/prune",
            "POST /volumes/prune",
            "POST /images/prune");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{[^}]+\\}");

    private static final List<String> ODD_IDS = List.of(
            "nope",
            "..",
            "%2e%2e",
            "a%00b",
            "%ff%fe",
            "%E5%90%8D",
            "-1",
            "*",
            "x".repeat(4000),
            "fz-c%2F..%2Fx",
            "%20",
            "\u00ff\u00fe", // bytes that are not UTF-8, raw in the request line
            "a/b/c",
            "../../x",
            "busybox/../..",
            ":tag",
            "x@sha256:zz");
    private static final List<String> ODD_QUERIES = List.of(
            "filters=%7B",
            "filters=%7B%22name%22%3A5%7D",
            "filters=%5B1%5D",
            "filters=%7B%22nope%22%3A%5B%22x%22%5D%7D",
            "all=maybe",
            "tail=-5x",
            "since=abc",
            "until=%ff",
            "x=%ff%fe",
            "&&&=&=",
            "t=99999999999999999999",
            "signal=SIGNOPE",
            "condition=sometime",
            "network=%00",
            "container=..",
            "a=" + "b".repeat(3000),
            String.join("&", Collections.nCopies(500, "k=v")));

    @Test
    void badRequestsToEveryRouteAre4xxWithAMessageAndChangeNothing(Lab lab) throws Exception {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            RawApi api = new RawApi(d.socket);
            ok(api.post("/networks/create", "{\"Name\":\"fz\"}"));
            String ctr = id(
                    ok(
                            api.post(
                                    "/containers/create?name=fz-c",
                                    "{\"Image\":\"busybox\",\"Cmd\":[\"sleep\",\"100000\"],"
                                            + "\"ExposedPorts\":{\"80/tcp\":{}},\"HostConfig\":{\"NetworkMode\":\"fz\",\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"\"}]}}}")));
            ok(api.post("/containers/" + ctr + "/start", null));
            ok(api.post("/volumes/create", "{\"Name\":\"fzv\"}"));
            // an exec that ran: its routes get a real id that no bad body can start again
            String exec = id(ok(api.post("/containers/" + ctr + "/exec", "{\"Cmd\":[\"true\"]}")));
            ok(api.post("/exec/" + exec + "/start", "{\"Detach\":true}"));
            for (int i = 0; i < 100 && api.get("/exec/" + exec + "/json").body().contains("\"Running\":true"); i++)
                Thread.sleep(100);
            Set<String> volumes = volumeNames(api);
            Set<String> bodied = new TreeSet<>();
            Gauges gauges = new Gauges(d.pid(), d.host, d.dir.resolve("state"), d.dir.resolve("run"), d.netnsPrefix);
            api.get("/containers/" + ctr + "/logs?stdout=1"); // opens what reading logs opens once
            String world = world(d, api); // first: the image list connects berthd to containerd once
            Gauges.Reading before = gauges.read(false);

            List<String> problems = new ArrayList<>();
            int sent = 0;
            List<Route> table = Daemon.routeTable();
            for (Route r : table) {
                String key = r.method() + " " + r.pattern();
                boolean takesBody = r.method().equals("POST") || r.method().equals("PUT");
                byte[] empty = takesBody ? "{}".getBytes(StandardCharsets.UTF_8) : new byte[0];
                if (PLACEHOLDER.matcher(r.pattern()).find()) {
                    for (String id : ODD_IDS) {
                        check(
                                problems,
                                key + " id=" + id.substring(0, Math.min(12, id.length())),
                                api.raw(request(r.method(), fill(r.pattern(), id), empty), Duration.ofSeconds(30)));
                        sent++;
                    }
                }
                String real = real(r.pattern(), ctr, exec);
                if (takesBody && !ACTS_WITHOUT_A_BODY.contains(key)) {
                    for (byte[] body : badBodies()) {
                        // a disconnect that names the real container is a valid one whatever else its body holds (as
                        // Docker's)
                        if (key.endsWith("/disconnect"))
                            body = new String(body, StandardCharsets.ISO_8859_1)
                                    .replace("fz-c", "nobody")
                                    .getBytes(StandardCharsets.ISO_8859_1);
                        check(
                                problems,
                                key + " body=" + preview(body),
                                api.raw(request(r.method(), real, body), Duration.ofSeconds(30)));
                        sent++;
                    }
                    bodied.add(key);
                }
                if (r.method().equals("POST") && r.pattern().endsWith("/prune")) {
                    for (String q : ODD_QUERIES) {
                        if (!q.startsWith("filters")) continue;
                        check(
                                problems,
                                key + "?" + q,
                                api.raw(request("POST", r.pattern() + "?" + q, empty), Duration.ofSeconds(30)));
                        sent++;
                    }
                }
                if (r.method().equals("GET")) {
                    // stats streams until the client leaves unless told not to
                    String once = r.pattern().endsWith("/stats") ? "stream=0&one-shot=1&" : "";
                    for (String q : ODD_QUERIES) {
                        check(
                                problems,
                                key + "?" + q.substring(0, Math.min(q.length(), 40)),
                                api.raw(
                                        request(
                                                "GET",
                                                real + "?" + once + (key.equals("GET /events") ? "until=1&" : "") + q,
                                                empty),
                                        Duration.ofSeconds(30)));
                        sent++;
                    }
                }
            }
            // Docker takes unknown fields: a volume create with a body of only those makes an anonymous volume (a 201,
            // not a bad request). Those go before the state is compared.
            removeVolumesBut(api, volumes);
            // a create whose name is odd, in every way the query can be
            for (String name : List.of("%ff", "..%2Fx", "a%00b", "a".repeat(300), "%20x", "-x", "_x", "x%2Fy")) {
                check(
                        problems,
                        "create ?name=" + name.substring(0, Math.min(12, name.length())),
                        api.raw(
                                request(
                                        "POST",
                                        "/containers/create?name=" + name,
                                        "{\"Image\":\"busybox\",\"Cmd\":[\"true\"]}".getBytes(StandardCharsets.UTF_8)),
                                Duration.ofSeconds(30)));
                sent++;
            }
            assertTrue(
                    problems.isEmpty(),
                    problems.size() + " of " + sent + " bad requests were not answered 4xx with a clear message:\n"
                            + String.join("\n", problems.subList(0, Math.min(40, problems.size())))
                            + "\n--- berthd log:\n" + DaemonLab.tail(d.log()));
            assertTrue(sent > 1500, "the table produced " + sent + " requests");
            // the table is the daemon's: the routes of every kind are there and got bad bodies where they take one
            for (String must : List.of(
                    "POST /networks/create",
                    "POST /containers/create",
                    "POST /networks/{id}/connect",
                    "POST /containers/{id}/exec",
                    "POST /containers/{id}/update",
                    "POST /volumes/create",
                    "POST /images/load",
                    "POST /images/create",
                    "PUT /containers/{id}/archive",
                    "POST /exec/{id}/start",
                    "POST /berth/cni")) assertTrue(bodied.contains(must), must + " got no bad bodies: " + bodied);
            for (String must : List.of("GET /images/{name*}/json", "GET /volumes/{name}", "GET /events"))
                assertTrue(
                        table.stream().anyMatch(r -> (r.method() + " " + r.pattern()).equals(must)),
                        must + " is not in the table");
            assertEquals("OK", api.get("/_ping").body(), "berthd answers after " + sent + " bad requests");
            assertEquals(world, world(d, api), "the bad requests changed berthd's state, its view or the kernel");
            assertDescriptorsBack(gauges, before);
        }
    }

    @Test
    void limitsHoldBelowHttpAndEveryConnectionIsGivenBack(Lab lab) throws Exception {
        // 5 s: long enough for a cold daemon's first request on a loaded machine, short enough to wait for
        try (DaemonLab d = new DaemonLab(lab, "--max-connections", "200", "--request-timeout", "5")) {
            RawApi api = new RawApi(d.socket);
            ok(api.post("/networks/create", "{\"Name\":\"fz\"}"));
            Gauges gauges = new Gauges(d.pid(), d.host, d.dir.resolve("state"), d.dir.resolve("run"), d.netnsPrefix);
            String world = world(d, api); // first: the image list connects berthd to containerd once
            Gauges.Reading before = gauges.read(false);

            RawApi.Answer line = api.raw(ascii("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertAnswer(line, 414, "request line");
            RawApi.Answer header =
                    api.raw(ascii("GET /_ping HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n"));
            assertAnswer(header, 431, "headers");
            byte[] big = new byte[17 * 1024 * 1024];
            RawApi.Answer body = api.raw(concat(
                    ascii(
                            "POST /networks/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                                    + big.length + "\r\n\r\n"),
                    big));
            assertAnswer(body, 413, "16777216 bytes");
            RawApi.Answer chunkedBig = api.raw(concat(
                    ascii("POST /networks/create HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + Integer.toHexString(big.length) + "\r\n"),
                    big,
                    ascii("\r\n0\r\n\r\n")));
            assertAnswer(chunkedBig, 413, "16777216 bytes");
            assertAnswer(api.raw(ascii("\u0000\u0001\u0002 NOT HTTP AT ALL\r\n\r\n")), 400, "malformed");
            assertAnswer(
                    api.raw(ascii(
                            "POST /networks/create HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")),
                    400,
                    "malformed");
            assertAnswer(
                    api.raw(ascii("GET /_ping HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n")), 400, "malformed");

            // a client that half-closes after its request still gets the whole answer, then the connection is closed
            try (SocketChannel ch = connect(d.socket)) {
                write(ch, ascii("GET /networks/fz HTTP/1.1\r\nHost: x\r\n\r\n"));
                ch.shutdownOutput();
                String all = readAll(ch, Duration.ofSeconds(10));
                assertTrue(all.startsWith("HTTP/1.1 200") && all.contains("\"Name\":\"fz\""), all);
            }
            // two pipelined requests get two answers in order
            try (SocketChannel ch = connect(d.socket)) {
                write(
                        ch,
                        ascii(
                                "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\nGET /networks/fz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
                String all = readAll(ch, Duration.ofSeconds(10));
                assertTrue(all.indexOf("HTTP/1.1 200") < all.lastIndexOf("HTTP/1.1 200") && all.endsWith("}"), all);
            }

            // slow clients: a request that never completes is answered 408 and closed; a connection that never
            // sends (or idles after an answer) is closed without a word
            List<SocketChannel> slow = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                SocketChannel ch = connect(d.socket);
                if (i % 2 == 0) write(ch, ascii("GET /_ping HTTP/1.1\r\nHo"));
                slow.add(ch);
            }
            for (int i = 0; i < slow.size(); i++) {
                String all = readAll(slow.get(i), Duration.ofSeconds(15));
                if (i % 2 == 0)
                    assertTrue(all.startsWith("HTTP/1.1 408") && all.contains("no complete request within 5 s"), all);
                else assertEquals("", all, "an idle connection is closed without an answer");
                slow.get(i).close();
            }
            try (SocketChannel ch = connect(d.socket)) {
                write(ch, ascii("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n"));
                String all = readAll(ch, Duration.ofSeconds(15));
                assertTrue(
                        all.startsWith("HTTP/1.1 200") && all.endsWith("OK"),
                        "answered, then closed once idle: " + all);
            }

            // a flood: 2000 connections at once against a cap of 200; the rest are told so, and berthd serves again
            // after
            List<SocketChannel> flood = new ArrayList<>();
            try {
                for (int i = 0; i < 2000; i++) flood.add(connect(d.socket));
                Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
                try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<?>> all = new ArrayList<>();
                    for (SocketChannel ch : flood)
                        all.add(readers.submit(() -> {
                            String a = readAll(ch, Duration.ofSeconds(30));
                            int st = a.length() >= 12 ? Integer.parseInt(a.substring(9, 12)) : 0;
                            statuses.computeIfAbsent(st, k -> new AtomicInteger())
                                    .incrementAndGet();
                            if (st == 503) assertTrue(a.contains("at most 200 API connections"), a);
                            return null;
                        }));
                    for (Future<?> f : all) f.get();
                }
                assertTrue(
                        statuses.getOrDefault(503, new AtomicInteger()).get() >= 1700,
                        "refused past the cap: " + statuses);
                assertEquals(
                        2000,
                        statuses.values().stream().mapToInt(AtomicInteger::get).sum(),
                        "every connection got an answer: " + statuses);
            } finally {
                for (SocketChannel ch : flood) ch.close();
            }
            assertEquals("OK", api.get("/_ping").body(), "berthd serves after the flood");
            assertEquals(world, world(d, api), "the bad traffic changed berthd's state, its view or the kernel");
            assertDescriptorsBack(gauges, before);
        }
    }

    // ------------------------------------------------------------------ what is sent

    /** The pattern with every placeholder ({@code {id}}, {@code {name*}}) replaced by {@code value}. */
    private static String fill(String pattern, String value) {
        return PLACEHOLDER.matcher(pattern).replaceAll(Matcher.quoteReplacement(value));
    }

    /** The pattern on a real object of the fuzzed world, of the kind its first segment names. */
    private static String real(String pattern, String ctr, String exec) {
        String kind = pattern.split("/")[1];
        return fill(
                pattern,
                switch (kind) {
                    case "networks" -> "fz";
                    case "exec" -> exec;
                    case "images" -> "busybox";
                    case "volumes" -> "fzv";
                    default -> ctr;
                });
    }

    private static Set<String> volumeNames(RawApi api) {
        try {
            Set<String> out = new TreeSet<>();
            for (JsonNode v : JSON.readTree(api.get("/volumes").body()).path("Volumes"))
                out.add(v.path("Name").asText());
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void removeVolumesBut(RawApi api, Set<String> keep) {
        for (String v : volumeNames(api)) if (!keep.contains(v)) ok(api.delete("/volumes/" + v));
    }

    private static List<byte[]> badBodies() {
        List<byte[]> out = new ArrayList<>();
        for (String s : List.of(
                "[]",
                "\"text\"",
                "123",
                "true",
                "{",
                "{\"Name\":",
                "{\"Name\":\"x\"",
                "}{",
                "{\"a\":1}{",
                "{\"Name\":5}",
                "{\"Name\":{\"a\":1}}",
                "{\"Name\":[\"fz\"]}",
                "{\"Container\":[1]}",
                "{\"Container\":{\"x\":1}}",
                "{\"Container\":\"\"}",
                "{\"Image\":7,\"Cmd\":{\"x\":1}}",
                "{\"Image\":\"b\",\"Cmd\":5}",
                "{\"Image\":\"b\",\"Cmd\":[]}",
                "{\"HostConfig\":\"x\",\"Cmd\":[\"true\"]}",
                "{\"Cmd\":[\"true\"],\"HostConfig\":{\"PortBindings\":5}}",
                "{\"Cmd\":[\"true\"],\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":7}]}}}",
                "{\"Cmd\":[\"true\"],\"HostConfig\":{\"PortBindings\":{\"http\":[{\"HostPort\":\"8080\"}]}}}",
                "{\"Cmd\":[\"true\"],\"HostConfig\":{\"NetworkMode\":\"container:\"}}",
                "{\"Cmd\":[\"true\"],\"NetworkingConfig\":{\"EndpointsConfig\":[1]}}",
                "{\"Cmd\":[\"true\"],\"ExposedPorts\":[80]}",
                "{\"Cmd\":[\"true\"],\"Env\":{\"A\":1}}",
                "{\"Cmd\":[\"true\"],\"Labels\":[1]}",
                "{\"Name\":\"n\",\"IPAM\":{\"Config\":\"x\"}}",
                "{\"Name\":\"n\",\"IPAM\":{\"Config\":[{\"Subnet\":5}]}}",
                "{\"Name\":\"n\",\"Options\":5}",
                "{\"Name\":\"n\",\"Labels\":\"x\"}",
                "{\"Name\":\"n\",\"Driver\":\"nope\"}",
                "{\"Name\":\"\"}",
                "{\"Container\":\"fz-c\",\"EndpointConfig\":\"x\"}",
                "{\"Container\":\"fz-c\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":5}}}",
                "{\"Container\":\"fz-c\",\"Force\":\"yes\"}",
                "{\"Cmd\":5}",
                "{\"Cmd\":[\"true\"],\"Tty\":\"x\"}",
                "{\"Detach\":[]}",
                "{\"Name\":\"n\",\"unknownExtra\":{\"deep\":[1,2,{\"x\":null}]},\"IPAM\":7}"))
            out.add(s.getBytes(StandardCharsets.UTF_8));
        out.add(new byte[] {'{', '"', 'N', 'a', 'm', 'e', '"', ':', '"', (byte) 0xff, (byte) 0xfe, (byte) 0xc3, '"', '}'
        }); // not UTF-8
        out.add(new byte[] {(byte) 0xc0, (byte) 0x80, 0, 1, 2, 3});
        out.add(("[".repeat(100_000) + "]".repeat(100_000))
                .getBytes(StandardCharsets.UTF_8)); // nested far past any sane depth
        out.add(("{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000)).getBytes(StandardCharsets.UTF_8));
        out.add(("{\"Name\":\"" + "n".repeat(4 * 1024 * 1024) + "\"}")
                .getBytes(StandardCharsets.UTF_8)); // large, under the body limit
        out.add(("{\"Name\":\"n\",\"Labels\":{"
                        + String.join(
                                ",",
                                IntStream.range(0, 50_000)
                                        .mapToObj(i -> "\"k" + i + "\":" + i)
                                        .toList()) + "}}")
                .getBytes(StandardCharsets.UTF_8)); // wide, with wrong value types
        out.add(("{\"Name\":1" + "0".repeat(5000) + "}")
                .getBytes(StandardCharsets.UTF_8)); // a number too long to be one
        return out;
    }

    private static String preview(byte[] body) {
        String s = new String(body, 0, Math.min(body.length, 60), StandardCharsets.UTF_8);
        return body.length > 60 ? s + "...(" + body.length + " bytes)" : s;
    }

    private static byte[] request(String method, String path, byte[] body) {
        // an answer to HEAD has a Content-Length but no body: the end of the connection tells where it ends
        String head =
                method + " " + path + " HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length + (method.equals("HEAD") ? "\r\nConnection: close" : "") + "\r\n\r\n";
        return concat(ascii(head), body);
    }

    // ------------------------------------------------------------------ what is checked

    private static void check(List<String> problems, String what, RawApi.Answer a) {
        String why = null;
        if (a.status() < 400 && a.status() >= 200)
            return; // a bad request some route may take as it takes Docker's (extra fields, odd ids of GET filters)
        if (a.status() <= 0) why = "no answer";
        else if (a.status() == 501 && NotImplementedApi.ROUTES.stream().anyMatch(what::startsWith))
            why = message(a.body()) == null ? "no message" : null; // Berth says what it does not implement yet
        else if (a.status() >= 500) why = "a " + a.status();
        else if (a.status() != 304 && !what.startsWith("HEAD ")) { // an answer to HEAD has no body, so no message
            // the CNI plugin's route answers in CNI's error shape (code, msg), which the plugin hands to the runtime
            String message = what.startsWith("POST /berth/cni ") ? cniMessage(a.body()) : message(a.body());
            if (message == null || message.isBlank()) why = "no message";
            else if (JAVA_NAME.matcher(message).find()) why = "a Java name in the message";
        }
        if (why != null)
            problems.add(what + ": " + why + ": " + a.status() + " "
                    + a.body().substring(0, Math.min(300, a.body().length())));
    }

    private static void assertAnswer(RawApi.Answer a, int status, String mentions) {
        assertEquals(status, a.status(), a.body());
        String m = message(a.body());
        assertTrue(m != null && m.contains(mentions), "the message should mention '" + mentions + "': " + a.body());
        assertTrue(!JAVA_NAME.matcher(m).find(), "no Java names: " + m);
    }

    private static String cniMessage(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            return n != null && n.path("code").isInt() && n.path("msg").isTextual()
                    ? n.path("msg").asText()
                    : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String message(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            return n != null && n.path("message").isTextual()
                    ? n.path("message").asText()
                    : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Open files and sockets come back to the baseline once the clients are gone (the server closes its ends). */
    private static void assertDescriptorsBack(Gauges gauges, Gauges.Reading before) throws InterruptedException {
        Gauges.Reading now = gauges.read(false);
        for (int i = 0; i < 100 && (now.fds() > before.fds() + 4 || now.sockets() > before.sockets()); i++) {
            Thread.sleep(100);
            now = gauges.read(false);
        }
        assertTrue(
                now.fds() <= before.fds() + 4 && now.sockets() <= before.sockets(),
                "descriptors not given back:\nbefore: " + before.line() + "\nafter:  " + now.line());
    }

    /** berthd's state directory (names and contents), its API view, and the lab host's kernel objects. */
    private static String world(DaemonLab d, RawApi api) {
        StringBuilder b = new StringBuilder();
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(d.dir.resolve("state"))) {
            for (Path p : s.toList()) {
                String name = d.dir.relativize(p).toString();
                // containerd's bolt databases and log change with any call (an image load's lease): its content
                // is compared through the API's image list below
                boolean containerdBook =
                        name.startsWith("state/containerd/") && (name.endsWith(".db") || name.endsWith(".log"));
                // a record journal grows by a line even when a record is set to what it was: its records compared
                String file = p.getFileName().toString();
                boolean journal = file.equals(RecordJournal.JOURNAL) || file.equals(RecordJournal.SNAPSHOT);
                files.put(
                        name,
                        containerdBook || journal
                                ? "file"
                                : Files.isRegularFile(p) ? sha(Files.readAllBytes(p)) : "dir");
                if (Files.isDirectory(p)
                        && (Files.exists(p.resolve(RecordJournal.JOURNAL))
                                || Files.exists(p.resolve(RecordJournal.SNAPSHOT)))) {
                    StringBuilder records = new StringBuilder();
                    RecordJournal.peek(p)
                            .forEach((key, payload) -> records.append(key)
                                    .append('=')
                                    .append(sha(payload))
                                    .append(';'));
                    files.put(name + " records", records.toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        b.append("state: ").append(files).append('\n');
        b.append("networks: ").append(ids(api.get("/networks").body(), "Name")).append('\n');
        b.append("containers: ")
                .append(ids(api.get("/containers/json?all=1").body(), "Names"))
                .append('\n');
        b.append("images: ")
                .append(ids(api.get("/images/json?all=1").body(), "RepoTags"))
                .append('\n');
        b.append("volumes: ").append(volumeNames(api)).append('\n');
        b.append("links: ").append(d.host.ip("-br", "link").stdout()).append('\n');
        b.append("addresses: ").append(d.host.ip("-br", "addr").stdout()).append('\n');
        b.append("ruleset: ")
                .append(d.host.exec("nft", "list", "ruleset")
                        .stdout()
                        .replaceAll("counter packets \\d+ bytes \\d+", "counter"))
                .append('\n');
        b.append("netns: ").append(netnsFiles(d.netnsPrefix));
        return b.toString();
    }

    private static String ids(String json, String nameField) {
        try {
            List<String> out = new ArrayList<>();
            for (JsonNode n : JSON.readTree(json))
                out.add(n.path("Id").asText() + "=" + n.path(nameField) + "/"
                        + n.path("State").asText(""));
            out.sort(null);
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> netnsFiles(String prefix) {
        try (Stream<Path> s = Files.list(Path.of("/run/netns"))) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(prefix))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String sha(byte[] b) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(b))
                    .substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ raw connections

    private static RawApi.Answer ok(RawApi.Answer a) {
        assertTrue(a.ok(), a.status() + " " + a.body());
        return a;
    }

    private static String id(RawApi.Answer a) {
        return message(a.body()) == null ? a.body().replaceAll(".*\"Id\":\"([0-9a-f]+)\".*", "$1") : "";
    }

    private static SocketChannel connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return ch;
    }

    private static void write(SocketChannel ch, byte[] b) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(b);
        while (out.hasRemaining()) ch.write(out);
    }

    /** Everything the server sends until it closes the connection (or {@code timeout} passes: then what came). */
    private static String readAll(SocketChannel ch, Duration timeout) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(timeout);
                ch.close();
            } catch (InterruptedException | IOException done) {
                // closed by the server in time
            }
        });
        try {
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (true) {
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) break;
                got.write(buf.array(), 0, n);
            }
        } catch (IOException closedOrTimedOut) {
            // what came is what we have
        } finally {
            watchdog.interrupt();
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
