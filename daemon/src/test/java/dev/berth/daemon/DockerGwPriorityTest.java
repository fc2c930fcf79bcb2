package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.daemon.soak.RawApi;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.lab.SeedImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Docker's GwPriority (API 1.48) through the docker CLI: the container's network with the highest gives its
 * default route and carries its published ports, ties going by Docker's order (network name); a connect with
 * a higher priority moves both at once, and a disconnect of the gateway's network hands them to the next.
 * Checked in the container's namespace (its routes) and with packets (the interface a ping to the outside
 * host leaves by, and the published port answering the outside host).
 */
@ExtendWith(LabExtension.class)
class DockerGwPriorityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theHighestPriorityGivesTheDefaultRouteAndThePortsAndTheNextTakesOver(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk("network", "create", "--subnet", "10.51.0.0/24", "a");
            d.dockerOk("network", "create", "--subnet", "10.52.0.0/24", "b");
            d.dockerOk("network", "create", "--subnet", "10.53.0.0/24", "zz");
            d.dockerOk("run", "-d", "--name", "app", "-p", "8080:80", "--network", "a", "nginx");
            assertGateway(d, "app", "10.51.0.1");

            // same priority: Docker orders by network name, and a sorts before zz
            d.dockerOk("network", "connect", "zz", "app");
            assertGateway(d, "app", "10.51.0.1");

            d.dockerOk("network", "connect", "--gw-priority", "10", "b", "app");
            assertGateway(d, "app", "10.52.0.1");
            JsonNode nets = d.inspect("inspect", "app").get("NetworkSettings").get("Networks");
            assertEquals(10, nets.get("b").get("GwPriority").asInt(), nets.toString());
            assertEquals(0, nets.get("a").get("GwPriority").asInt(), nets.toString());
            assertPacketsLeaveBy(d, "app", "10.52.0.");
            assertEquals(
                    SeedImages.NGINX_PAGE,
                    DaemonLab.http(d.ext, "http://192.0.2.1:8080/"),
                    "the published port moved with the gateway");

            // berthd restarted: the priority is kept (inspect, and the ports stay on b)
            d.stop();
            d.start();
            nets = d.inspect("inspect", "app").get("NetworkSettings").get("Networks");
            assertEquals(10, nets.get("b").get("GwPriority").asInt(), nets.toString());
            assertGateway(d, "app", "10.52.0.1");
            assertEquals(SeedImages.NGINX_PAGE, DaemonLab.http(d.ext, "http://192.0.2.1:8080/"), "after a restart");

            // the gateway's network leaves: the next in Docker's order (a, before zz) takes the route and the ports
            d.dockerOk("network", "disconnect", "b", "app");
            assertGateway(d, "app", "10.51.0.1");
            assertPacketsLeaveBy(d, "app", "10.51.0.");
            assertEquals(SeedImages.NGINX_PAGE, DaemonLab.http(d.ext, "http://192.0.2.1:8080/"), "after disconnect");

            // a negative priority puts a network behind the others
            d.dockerOk("network", "disconnect", "a", "app");
            d.dockerOk("network", "connect", "--gw-priority", "-5", "a", "app");
            assertGateway(d, "app", "10.53.0.1");

            // at create: ties by name too (mode zz, but a sorts first), then a priority beats the name
            d.dockerOk("run", "-d", "--name", "two", "--network", "zz", "--network", "a", "busybox", "sleep", "300");
            assertGateway(d, "two", "10.51.0.1");
            d.dockerOk(
                    "run",
                    "-d",
                    "--name",
                    "three",
                    "--network",
                    "name=a",
                    "--network",
                    "name=zz,gw-priority=1",
                    "busybox",
                    "sleep",
                    "300");
            assertGateway(d, "three", "10.53.0.1");
            assertPacketsLeaveBy(d, "three", "10.53.0.");
        }
    }

    @Test
    void aPriorityThatIsNotAnIntegerIsA400NamingItAndChangesNothing(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk("network", "create", "--subnet", "10.51.0.0/24", "a");
            d.dockerOk("run", "-d", "--name", "app", "busybox", "sleep", "300");
            RawApi api = new RawApi(d.socket);
            for (String bad : new String[] {"\"10\"", "1.5", "true", "99999999999", "[1]"}) {
                RawApi.Answer a = api.post(
                        "/networks/a/connect",
                        "{\"Container\":\"app\",\"EndpointConfig\":{\"GwPriority\":" + bad + "}}");
                assertEquals(400, a.status(), bad + ": " + a.body());
                assertTrue(a.body().contains("EndpointConfig.GwPriority"), a.body());
                RawApi.Answer c = api.post(
                        "/containers/create",
                        "{\"Image\":\"busybox\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"a\":{\"GwPriority\":" + bad
                                + "}}}}");
                assertEquals(400, c.status(), bad + ": " + c.body());
                assertTrue(c.body().contains("NetworkingConfig.EndpointsConfig.a.GwPriority"), c.body());
            }
            JsonNode nets = d.inspect("inspect", "app").get("NetworkSettings").get("Networks");
            assertEquals(1, nets.size(), "not connected: " + nets);
            assertEquals(1, d.dockerOk("ps", "-aq").strip().lines().count(), "nothing created");
        }
    }

    /** The container's IPv4 default route is via {@code gateway}, and only one. */
    private static void assertGateway(DaemonLab d, String container, String gateway) {
        String routes = d.in(container).ip("-4", "route", "show", "default").stdout();
        assertEquals(1, routes.strip().lines().count(), routes);
        assertTrue(routes.startsWith("default via " + gateway + " "), container + ": " + routes);
    }

    /** A ping to the outside host succeeds, and its packets leave by the interface with an address in {@code prefix}. */
    private static void assertPacketsLeaveBy(DaemonLab d, String container, String prefix) {
        LabHost in = d.in(container);
        String dev = deviceWith(in, prefix);
        long before = txPackets(in, dev);
        String ping = d.dockerOk("exec", container, "ping", "-c", "5", "-i", "0.2", "-W", "2", "192.0.2.2");
        assertTrue(ping.contains("5 packets received"), ping);
        long sent = txPackets(in, dev) - before;
        assertTrue(sent >= 5, "the pings left by " + dev + " (" + prefix + "): " + sent + " packets");
    }

    private static String deviceWith(LabHost in, String prefix) {
        for (JsonNode link : json(in.ip("-j", "-4", "addr").stdout()))
            for (JsonNode a : link.path("addr_info"))
                if (a.path("local").asText().startsWith(prefix))
                    return link.path("ifname").asText();
        throw new AssertionError("no interface with an address in " + prefix);
    }

    private static long txPackets(LabHost in, String dev) {
        return json(in.ip("-j", "-s", "link", "show", dev).stdout())
                .get(0)
                .path("stats64")
                .path("tx")
                .path("packets")
                .asLong();
    }

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
