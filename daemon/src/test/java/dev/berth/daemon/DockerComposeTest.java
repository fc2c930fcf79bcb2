package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Debian's docker-compose 1.29 against berthd: three services on two networks, a named volume, a healthcheck
 * that another service waits for ({@code condition: service_healthy}), a published port reached from an
 * outside lab host; up, ps, exec, logs, restart, down -v, and nothing left afterwards.
 */
@ExtendWith(LabExtension.class)
class DockerComposeTest {
    private static final String PROJECT = """
            version: "2.4"
            services:
              db:
                image: busybox
                command: sh -c "echo db-says-hi > /data/who; exec httpd -f -p 5432 -h /data"
                volumes: ["dbdata:/data"]
                networks: [back]
                healthcheck:
                  test: ["CMD-SHELL", "wget -q -O- http://127.0.0.1:5432/who"]
                  interval: 500ms
                  timeout: 2s
                  retries: 20
              api:
                image: busybox
                command: sh -c "mkdir -p /www && echo api-here > /www/index.html && exec httpd -f -p 8080 -h /www"
                networks: [back, front]
                depends_on:
                  db: {condition: service_healthy}
              web:
                image: busybox
                command: sh -c "mkdir -p /www && echo web-front > /www/index.html && exec httpd -f -v -p 80 -h /www"
                ports: ["8080:80"]
                networks: [front]
                depends_on: [api]
            networks:
              front: {}
              back: {}
            volumes:
              dbdata: {}
            """;

    @Test
    void aComposeProjectUpAndDown(Lab lab) throws IOException {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            Path dir = Files.createDirectories(d.dir.resolve("proj"));
            Files.writeString(dir.resolve("docker-compose.yml"), PROJECT);
            compose(d, dir, "up", "-d");
            String ps = compose(d, dir, "ps");
            assertTrue(ps.contains("proj_db_1") && ps.contains("proj_api_1") && ps.contains("proj_web_1"), ps);
            assertTrue(ps.contains("(healthy)"), ps);
            assertEquals(
                    "db-says-hi",
                    compose(d, dir, "exec", "-T", "api", "wget", "-q", "-O-", "http://db:5432/who")
                            .trim());
            assertEquals(
                    "api-here",
                    compose(d, dir, "exec", "-T", "web", "wget", "-q", "-O-", "http://api:8080/")
                            .trim());
            assertEquals(
                    "web-front",
                    String.valueOf(DaemonLab.http(d.ext, "http://192.0.2.1:8080/"))
                            .trim());
            assertTrue(compose(d, dir, "logs", "web").contains("response:200"));
            compose(d, dir, "restart");
            assertEquals(
                    "db-says-hi",
                    compose(d, dir, "exec", "-T", "api", "wget", "-q", "-O-", "http://db:5432/who")
                            .trim());
            compose(d, dir, "down", "-v");
            assertEquals("", d.dockerOk("ps", "-aq").trim());
            assertEquals("", d.dockerOk("volume", "ls", "-q").trim());
            assertEquals(
                    List.of("bridge", "host", "none"),
                    List.of(d.dockerOk("network", "ls", "--format", "{{.Name}}")
                                    .trim()
                                    .split("\\s+"))
                            .stream()
                            .sorted()
                            .toList());
            String links = d.host.ip("-br", "link").stdout();
            assertTrue(!links.contains("veth") && !links.contains("br-"), links);
        }
    }

    private static String compose(DaemonLab d, Path dir, String... args) {
        List<String> c = new ArrayList<>(List.of(
                "env",
                "DOCKER_HOST=unix://" + d.socket,
                "COMPOSE_HTTP_TIMEOUT=120",
                "docker-compose",
                "-p",
                "proj",
                "-f",
                dir.resolve("docker-compose.yml").toString()));
        c.addAll(List.of(args));
        ExecResult r = Commands.run(c, Duration.ofSeconds(180), null);
        if (!r.ok())
            throw new AssertionError("docker-compose " + String.join(" ", args) + " failed (" + r.exitCode() + "):\n"
                    + r.stdout() + r.stderr() + "\n--- berthd log:\n" + DaemonLab.tail(d.log()));
        return r.stdout() + r.stderr();
    }
}
