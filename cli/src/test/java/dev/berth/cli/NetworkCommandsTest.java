package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** berth network ... against recorded Docker answers: the output must read as docker's does. */
class NetworkCommandsTest {
    static final Path SAMPLES = Path.of("/work/shared/anchors/docker/api-samples");
    static final ObjectMapper JSON = new ObjectMapper();
    FakeDaemon d;

    static String sample(String name) throws IOException {
        Path p = SAMPLES.resolve(name);
        if (Files.exists(p)) return Files.readString(p);
        // the samples are copied into the test resources so the tests run on any machine
        try (var in = NetworkCommandsTest.class.getResourceAsStream("/samples/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The body of a recorded answer with headers (api_*_with_headers.txt, api_networks_404.txt). */
    static String body(String raw) {
        return raw.split("\r?\n\r?\n", 2)[1].strip();
    }

    @BeforeEach
    void start() throws IOException {
        d = new FakeDaemon();
        d.json("GET", "/networks", 200, sample("api_networks.json"));
        d.json("GET", "/networks/bridge", 200, sample("api_networks_bridge.json"));
        d.json("GET", "/networks/does-not-exist", 404, body(sample("api_networks_404.txt")));
    }

    @AfterEach
    void stop() throws IOException {
        d.close();
    }

    @Test
    void lsPrintsDockersTable() throws IOException {
        var r = CliRunner.run(d, "network", "ls");
        assertEquals(0, r.code(), r.err());
        assertEquals(sample("cli20_network_ls.txt"), r.out());
        assertEquals(
                sample("cli20_network_ls_notrunc.txt"),
                CliRunner.run(d, "network", "ls", "--no-trunc").out());
    }

    @Test
    void lsQuietAndJson() throws IOException {
        assertEquals(
                "2b6d0b5ca4d2\n0886c501509e\nbb0d92323cef\n23a8df5f175e\n",
                CliRunner.run(d, "network", "ls", "-q").out());
        // docker 28 adds "IPv4" to docker 20's fields; the rest must be the same, in the same order
        String json =
                CliRunner.run(d, "network", "ls", "--format", "json").out().replaceAll("\"IPv4\":\"true\",", "");
        assertEquals(sample("cli20_network_ls_format_json.txt"), json);
    }

    @Test
    void lsSendsFiltersAsDockersQuery() throws IOException {
        CliRunner.run(d, "network", "ls", "-f", "driver=bridge", "--filter", "name=dns");
        String target = d.requests("GET", "/networks").getFirst().target();
        String filters = URLDecoder.decode(target.substring(target.indexOf("filters=") + 8), "UTF-8");
        assertEquals(JSON.readTree("{\"driver\":{\"bridge\":true},\"name\":{\"dns\":true}}"), JSON.readTree(filters));
    }

    @Test
    void inspectPrintsDockersJson() throws IOException {
        var r = CliRunner.run(d, "network", "inspect", "bridge");
        assertEquals(0, r.code(), r.err());
        assertEquals(sample("cli20_network_inspect_bridge.json"), r.out());
    }

    @Test
    void errorsReadAsDockers() {
        var r = CliRunner.run(d, "network", "inspect", "does-not-exist");
        assertEquals(1, r.code());
        assertEquals("Error response from daemon: network does-not-exist not found\n", r.err());
        assertEquals("[]\n", r.out());
        d.json(
                "DELETE",
                "/networks/",
                409,
                "{\"message\":\"error while removing network: network a has active endpoints\"}");
        var rm = CliRunner.run(d, "network", "rm", "a");
        assertEquals(1, rm.code());
        assertEquals(
                "Error response from daemon: error while removing network: network a has active endpoints\n", rm.err());
    }

    @Test
    void createSendsDockersBody() throws IOException {
        d.json("POST", "/networks/create", 201, body(sample("api_networks_create_custom.txt")));
        var r = CliRunner.run(
                d,
                "network",
                "create",
                "-d",
                "bridge",
                "--subnet",
                "10.99.0.0/24",
                "--ip-range",
                "10.99.0.128/25",
                "--gateway",
                "10.99.0.254",
                "--subnet",
                "fd00:1::/64",
                "--gateway",
                "fd00:1::1",
                "--aux-address",
                "router=10.99.0.2",
                "--ipv6",
                "--internal",
                "--attachable",
                "-o",
                "com.docker.network.bridge.name=anchorbr0",
                "--label",
                "k=v",
                "--label",
                "flag",
                "api-net");
        assertEquals(0, r.code(), r.err());
        assertEquals("fb2bab01de3b778f49373de8b81e04f01cf53eb8f3887f8a96ed83525e7e2d1b\n", r.out());
        JsonNode b =
                JSON.readTree(d.requests("POST", "/networks/create").getFirst().body());
        JsonNode want = JSON.readTree("""
                {"Name":"api-net","Driver":"bridge","Internal":true,"Attachable":true,"EnableIPv6":true,
                 "IPAM":{"Driver":"default","Config":[
                   {"Subnet":"10.99.0.0/24","IPRange":"10.99.0.128/25","Gateway":"10.99.0.254","AuxiliaryAddresses":{"router":"10.99.0.2"}},
                   {"Subnet":"fd00:1::/64","Gateway":"fd00:1::1"}],"Options":{}},
                 "Options":{"com.docker.network.bridge.name":"anchorbr0"},"Labels":{"k":"v","flag":""}}""");
        assertEquals(want, b);
    }

    @Test
    void createRefusesUnpairedFlagsWithoutAsking() {
        var r = CliRunner.run(d, "network", "create", "--gateway", "10.0.0.1", "x");
        assertEquals(125, r.code());
        assertEquals("berth: every ip-range or gateway must have a corresponding subnet\n", r.err());
        var r2 = CliRunner.run(d, "network", "create", "--subnet", "10.1.0.0/16", "--gateway", "10.2.0.1", "x");
        assertEquals("berth: no matching subnet for gateway 10.2.0.1\n", r2.err());
        var r3 = CliRunner.run(d, "network", "create", "--subnet", "10.1.0.0/99", "x");
        assertTrue(r3.err().contains("--subnet '10.1.0.0/99'"), r3.err());
        assertTrue(d.requests("POST", "/networks/create").isEmpty());
    }

    @Test
    void connectDisconnectBodies() throws IOException {
        d.on("POST", "/networks/", (req, in, out) -> FakeDaemon.respond(out, 200, "application/json", ""));
        assertEquals(
                0,
                CliRunner.run(
                                d,
                                "network",
                                "connect",
                                "--ip",
                                "10.1.0.9",
                                "--alias",
                                "db",
                                "--alias",
                                "pg",
                                "net1",
                                "milk")
                        .code());
        assertEquals(
                0,
                CliRunner.run(d, "network", "disconnect", "-f", "net1", "milk").code());
        var reqs = d.requests("POST", "/networks/net1/");
        assertEquals("/networks/net1/connect", reqs.get(0).path());
        assertEquals(
                JSON.readTree(
                        "{\"Container\":\"milk\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"10.1.0.9\"},\"Aliases\":[\"db\",\"pg\"]}}"),
                JSON.readTree(reqs.get(0).body()));
        assertEquals("/networks/net1/disconnect", reqs.get(1).path());
        assertEquals(
                JSON.readTree("{\"Container\":\"milk\",\"Force\":true}"),
                JSON.readTree(reqs.get(1).body()));
    }

    @Test
    void rmPrintsEachNameAndPruneAsksFirst() throws IOException {
        d.on("DELETE", "/networks/", (req, in, out) -> FakeDaemon.respond(out, 204, "application/json", ""));
        var r = CliRunner.run(d, "network", "rm", "a", "b");
        assertEquals("a\nb\n", r.out());
        d.json("POST", "/networks/prune", 200, body(sample("api_networks_prune.txt")));
        var no = CliRunner.run(Map.of("BERTH_HOST", d.host()), "n\n", "network", "prune");
        assertTrue(
                no.out()
                        .startsWith(
                                "WARNING! This will remove all custom networks not used by at least one container."),
                no.out());
        assertTrue(d.requests("POST", "/networks/prune").isEmpty(), "answered no: nothing pruned");
        var yes = CliRunner.run(d, "network", "prune", "-f");
        assertEquals("Deleted Networks:\ndns-net\napi-net\n", yes.out());
    }

    @Test
    void daemonNotRunningSaysSo() {
        var r = CliRunner.run(Map.of("BERTH_HOST", "unix:///nonexistent/berth.sock"), "", "network", "ls");
        assertEquals(1, r.code());
        assertEquals(
                "Cannot connect to the Berth daemon at unix:///nonexistent/berth.sock. Is berthd running?\n", r.err());
        var h = CliRunner.run(Map.of(), "", "-H", "tcp://1.2.3.4:2375", "network", "ls");
        assertEquals(125, h.code());
        assertTrue(h.err().contains("berthd listens on a Unix socket only"), h.err());
    }

    @Test
    void hostFlagBeatsEnvironmentAndWorksAfterTheVerb() {
        var r = CliRunner.run(Map.of("BERTH_HOST", "unix:///nonexistent/x.sock"), "", "network", "ls", "-H", d.host());
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().isEmpty());
    }

    @Test
    void dockerHostIsUsedWhenBerthHostIsUnset() {
        var r = CliRunner.run(Map.of("DOCKER_HOST", d.host()), "", "network", "ls");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().isEmpty());
        var both = CliRunner.run(
                Map.of("BERTH_HOST", "unix:///nonexistent/b.sock", "DOCKER_HOST", d.host()), "", "network", "ls");
        assertEquals(1, both.code(), "BERTH_HOST comes first");
    }

    @Test
    void usageErrorsExit125AndPointToHelp() {
        var r = CliRunner.run(d, "network", "ls", "--bogus");
        assertEquals(125, r.code());
        assertEquals(
                List.of("berth: Unknown option: '--bogus'", "See 'berth network ls --help'."),
                r.err().lines().toList());
    }
}
