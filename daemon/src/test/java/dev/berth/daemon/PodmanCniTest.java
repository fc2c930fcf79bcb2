package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.lab.Commands;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real runtime on Berth's network: Podman 4.3 with its CNI backend calls bin/cni/berth, which asks the
 * berthd of the lab host. Containers ping each other, reach the outside host masqueraded, publish a port
 * through Berth's nftables maps, keep working while berthd is stopped, and leave nothing after podman rm, also
 * when berthd was down during the rm.
 */
@ExtendWith(LabExtension.class)
class PodmanCniTest {

    @Test
    void podmanContainersOnABerthNetwork(Lab lab) {
        try (DaemonLab d = new DaemonLab(lab)) {
            d.dockerOk("network", "create", "--subnet", "10.89.0.0/24", "pods");
            String vethsBefore =
                    d.host.ip("-br", "link", "show", "type", "veth").stdout();
            try (PodmanLab p = new PodmanLab(lab, d.host, d.socket, "pods")) {
                String a = p.runDetached("a", PodmanLab.IMAGE, "sleep", "600");
                String b = p.runDetached(
                        "b",
                        "-p",
                        "8080:80",
                        PodmanLab.IMAGE,
                        "sh",
                        "-c",
                        "mkdir -p /www && echo hello from b > /www/index.html && exec httpd -f -p 80 -h /www");
                String ipA = p.ip("a"), ipB = p.ip("b");
                assertTrue(
                        ipA.startsWith("10.89.0.") && ipB.startsWith("10.89.0.") && !ipA.equals(ipB), ipA + " " + ipB);
                List<String> netns = List.of(sandboxKey(p, "a"), sandboxKey(p, "b"));

                assertTrue(
                        p.podman("exec", "a", "ping", "-c", "1", "-W", "2", ipB).ok(), "a pings b");
                d.ext.serveTcp(7000, "ext");
                String seen = p.podmanOk("exec", "a", "sh", "-c", "nc 192.0.2.2 7000 </dev/null");
                assertTrue(
                        seen.contains("ext from 192.0.2.1"),
                        "the outside host sees the lab host's address (masquerade): " + seen);
                assertEquals("hello from b", curl(d), "-p 8080:80 answers from the outside host");
                assertTrue(
                        d.host.run("nft", "list", "ruleset").stdout().contains("8080 : " + ipB + " . 80"),
                        "the port is a map element");

                JsonNode containers = d.inspect("network", "inspect", "pods").get("Containers");
                assertEquals(2, containers.size(), containers.toString());
                assertTrue(
                        containers.toString().contains("\"Name\":\"cni-" + a.substring(0, 12) + "\""),
                        containers.toString());
                String explain = Commands.run(List.of(
                                "curl",
                                "-sS",
                                "--unix-socket",
                                d.socket.toString(),
                                "http://berth/berth/explain?container=cni-" + b.substring(0, 12)))
                        .check()
                        .stdout();
                assertTrue(explain.contains("8080") && explain.contains("another runtime"), explain);

                d.stop();
                assertTrue(
                        p.podman("exec", "a", "ping", "-c", "1", "-W", "2", ipB).ok(),
                        "with berthd stopped, traffic keeps flowing");
                assertEquals("hello from b", curl(d));
                d.start();
                assertEquals(
                        2,
                        d.inspect("network", "inspect", "pods")
                                .get("Containers")
                                .size(),
                        "the attachments survive the restart");
                assertEquals("hello from b", curl(d));

                // podman rm while berthd is down: the plugin's DEL succeeds and berthd finishes it when it starts
                d.stop();
                p.podmanOk("rm", "-f", "-t", "0", "b");
                d.start();
                JsonNode left = d.inspect("network", "inspect", "pods").get("Containers");
                assertEquals(
                        1, left.size(), "the DEL recorded while berthd was down was applied at its start: " + left);
                assertFalse(d.host.run("nft", "list", "ruleset").stdout().contains("8080"), "b's port is unpublished");

                p.podmanOk("rm", "-f", "-t", "0", "a");
                assertTrue(
                        d.inspect("network", "inspect", "pods")
                                .get("Containers")
                                .isEmpty(),
                        "podman rm removes the attachments");
                assertEquals(
                        vethsBefore,
                        d.host.ip("-br", "link", "show", "type", "veth").stdout(),
                        "no veth left");
                assertFalse(d.host.run("nft", "list", "ruleset").stdout().contains("8080"), "the port is unpublished");
                for (String ns : netns) assertFalse(Files.exists(Path.of(ns)), "Podman deleted its namespace " + ns);
            }
        }
    }

    private static String sandboxKey(PodmanLab p, String container) {
        return p.podmanOk("inspect", container, "--format", "{{.NetworkSettings.SandboxKey}}")
                .trim();
    }

    private static String curl(DaemonLab d) {
        return d.ext.run("curl", "-s", "-m", "5", "http://192.0.2.1:8080/")
                .stdout()
                .trim();
    }
}
