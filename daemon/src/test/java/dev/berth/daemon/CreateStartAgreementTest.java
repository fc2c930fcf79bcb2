package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.daemon.soak.RawApi;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Create and start check a container's fields with the same code: what start would refuse for its
 * form is refused at create with a 400 naming the field, and what create accepts starts.
 */
@ExtendWith(LabExtension.class)
class CreateStartAgreementTest {
    private record Bad(String what, String name, String body, String mentions) {}

    @Test
    void createRefusesWhatStartWouldAndStartsWhatItAccepts(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            RawApi api = new RawApi(d.socket);
            assertEquals(
                    201,
                    api.post(
                                    "/networks/create",
                                    "{\"Name\":\"fixed\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.77.0.0/24\"}]}}")
                            .status());
            List<Bad> cases = List.of(
                    new Bad("a 300-character name", "a".repeat(300), body("bridge", ""), "at most 200"),
                    new Bad("a name with a space", "a%20b", body("bridge", ""), "Invalid container name"),
                    new Bad(
                            "a host port that is no number",
                            "p1",
                            body("bridge", ",\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"http\"}]}"),
                            "PortBindings"),
                    new Bad(
                            "a host IP that is no address",
                            "p2",
                            body(
                                    "bridge",
                                    ",\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"1.2.3\",\"HostPort\":\"80\"}]}"),
                            "PortBindings"),
                    new Bad(
                            "a DNS server that is no address",
                            "p3",
                            body("bridge", ",\"Dns\":[\"dns.example\"]"),
                            "HostConfig.Dns"),
                    new Bad(
                            "a 64-character hostname",
                            "p4",
                            body("bridge", "")
                                    .replace("{\"Image\"", "{\"Hostname\":\"" + "h".repeat(64) + "\",\"Image\""),
                            "Hostname"),
                    new Bad(
                            "an IPv4 address that is no address",
                            "p5",
                            withEndpoint("{\"IPAMConfig\":{\"IPv4Address\":\"10.77.0.300\"}}"),
                            "IPv4Address"),
                    new Bad(
                            "an IPv6 address as IPv4",
                            "p6",
                            withEndpoint("{\"IPAMConfig\":{\"IPv4Address\":\"fd00::1\"}}"),
                            "IPv4Address"),
                    new Bad(
                            "a multicast MAC",
                            "p7",
                            withEndpoint("{\"MacAddress\":\"01:00:5e:00:00:01\"}"),
                            "MacAddress"),
                    new Bad(
                            "a MAC that is none",
                            "p8",
                            withEndpoint("{\"MacAddress\":\"02:xx:00:00:00:01\"}"),
                            "MacAddress"));
            for (Bad b : cases) {
                RawApi.Answer a = api.post("/containers/create?name=" + b.name(), b.body());
                assertEquals(400, a.status(), b.what() + ": " + a.body());
                assertTrue(
                        a.body().contains(b.mentions()),
                        b.what() + ": the message should mention " + b.mentions() + ": " + a.body());
            }
            assertEquals("[]", api.get("/containers/json?all=1").body().strip(), "nothing was created");

            // the longest name create takes, a full hostname, a static address and MAC: start takes them too
            String longest = "n".repeat(200);
            RawApi.Answer created = api.post(
                    "/containers/create?name=" + longest,
                    withEndpoint(
                                    "{\"IPAMConfig\":{\"IPv4Address\":\"10.77.0.9\"},\"MacAddress\":\"02:42:0a:4d:00:09\"}")
                            .replace("{\"Image\"", "{\"Hostname\":\"" + "h".repeat(63) + "\",\"Image\""));
            assertEquals(201, created.status(), created.body());
            RawApi.Answer started = api.post("/containers/" + longest + "/start", null);
            assertEquals(204, started.status(), started.body() + "\n" + DaemonLab.tail(d.log()));
            assertTrue(d.in(longest).ip("-br", "addr").stdout().contains("10.77.0.9/24"));
            assertEquals(204, api.delete("/containers/" + longest + "?force=1").status());
        }
    }

    private static String body(String network, String hostConfigExtra) {
        return "{\"Image\":\"busybox\",\"Cmd\":[\"sleep\",\"100\"],\"HostConfig\":{\"NetworkMode\":\"" + network + "\""
                + hostConfigExtra + "}}";
    }

    private static String withEndpoint(String endpoint) {
        return "{\"Image\":\"busybox\",\"Cmd\":[\"sleep\",\"100\"],\"HostConfig\":{\"NetworkMode\":\"fixed\"},"
                + "\"NetworkingConfig\":{\"EndpointsConfig\":{\"fixed\":" + endpoint + "}}}";
    }
}
