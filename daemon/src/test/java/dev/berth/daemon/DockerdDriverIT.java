package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Docker's own dockerd uses Berth's networks through the remote driver: {@code docker network create -d
 * berth-RUN} and containers on it that reach each other, the outside host and publish a port, across a
 * berthd restart, and {@code docker rm} / {@code network rm} leave nothing in Berth. Needs Debian's
 * docker.io, which {@code make test} does not install: run it with {@code scripts/test-docker-driver.sh}.
 */
@ExtendWith(LabExtension.class)
class DockerdDriverIT {

    @Test
    void dockerdRunsContainersOnABerthNetwork(Lab lab) throws IOException {
        String driver = "berth-" + lab.runId();
        Path plugin = Path.of("/run/docker/plugins", driver + ".sock");
        try (DaemonLab d = new DaemonLab(lab, "--docker-plugin", plugin.toString());
                DockerdLab docker = new DockerdLab(lab, d.host)) {
            docker.importBusybox();
            String nid = docker.dockerOk("network", "create", "-d", driver, "--subnet", "10.32.0.0/24", "dnet")
                    .trim();
            String berthNet = "docker-" + nid.substring(0, 12);
            assertEquals(
                    "10.32.0.1",
                    d.inspect("network", "inspect", berthNet)
                            .get("IPAM")
                            .get("Config")
                            .get(0)
                            .get("Gateway")
                            .asText());

            docker.dockerOk("run", "-d", "--name", "ca", "--network", "dnet", "busybox", "sleep", "600");
            docker.dockerOk(
                    "run",
                    "-d",
                    "--name",
                    "cb",
                    "--network",
                    "dnet",
                    "-p",
                    "8080:80",
                    "busybox",
                    "sh",
                    "-c",
                    "mkdir -p /www && echo hello from b > /www/index.html && exec httpd -f -p 80 -h /www");
            String ipB = docker.dockerOk("inspect", "-f", "{{.NetworkSettings.Networks.dnet.IPAddress}}", "cb")
                    .trim();
            assertTrue(ipB.startsWith("10.32.0."), ipB);
            assertTrue(
                    docker.docker("exec", "ca", "ping", "-c", "1", "-W", "2", ipB)
                            .ok(),
                    "a reaches b");
            assertTrue(
                    docker.docker("exec", "ca", "ping", "-c", "1", "-W", "2", "cb")
                            .ok(),
                    "by name, through Docker's own resolver");
            d.ext.serveTcp(7000, "ext");
            String seen = docker.dockerOk("exec", "ca", "sh", "-c", "nc 192.0.2.2 7000 </dev/null");
            assertTrue(seen.contains("ext from 192.0.2.1"), "the outside host sees the lab host (masquerade): " + seen);
            assertEquals("hello from b", curl(d), "-p 8080:80 through Berth's maps");
            JsonNode containers = d.inspect("network", "inspect", berthNet).get("Containers");
            assertEquals(2, containers.size(), containers.toString());

            d.stop();
            assertTrue(
                    docker.docker("exec", "ca", "ping", "-c", "1", "-W", "2", ipB)
                            .ok(),
                    "traffic flows while berthd is down");
            d.start();
            assertEquals("hello from b", curl(d));

            docker.dockerOk("rm", "-f", "ca", "cb");
            assertTrue(
                    d.inspect("network", "inspect", berthNet).get("Containers").isEmpty(),
                    "docker rm leaves nothing in Berth");
            assertFalse(d.host.run("nft", "list", "ruleset").stdout().contains("8080"));
            docker.dockerOk("network", "rm", "dnet");
            assertFalse(d.docker("network", "inspect", berthNet).ok(), "docker network rm removes Berth's network");
        } finally {
            Files.deleteIfExists(plugin);
        }
    }

    private static String curl(DaemonLab d) {
        return d.ext.run("curl", "-s", "-m", "5", "http://192.0.2.1:8080/")
                .stdout()
                .trim();
    }
}
