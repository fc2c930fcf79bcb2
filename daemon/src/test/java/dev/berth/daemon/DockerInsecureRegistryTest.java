package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code berthd --insecure-registry} (daemon.json's {@code insecure-registries}) as dockerd's: Debian's
 * docker-registry speaks plain HTTP on the outside lab host (192.0.2.2:5000, not loopback); without the
 * option berthd refuses it in dockerd's words, with it (host:port, or a CIDR from the config file) push and
 * pull work, and {@code docker info} lists it under Insecure Registries.
 */
@ExtendWith(LabExtension.class)
class DockerInsecureRegistryTest {
    private static final String REGISTRY = "192.0.2.2:5000";

    @Test
    void plainHttpRegistryOnlyWhenNamedInsecure(Lab lab) throws IOException {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            Path cfg = d.dir.resolve("registry.yml");
            Files.writeString(cfg, """
                    version: 0.1
                    log:
                      level: warn
                    storage:
                      filesystem:
                        rootdirectory: %s
                    http:
                      addr: %s
                    """.formatted(d.dir.resolve("registry"), REGISTRY));
            d.ext.spawnDaemon(Map.of(), "docker-registry", "serve", cfg.toString());
            assertTrue(answers(d), "the registry answers on the outside host");
            d.dockerOk("tag", "busybox", REGISTRY + "/team/bb:v1");

            // not named: HTTPS only, refused as dockerd refuses it
            ExecResult push = d.docker("push", REGISTRY + "/team/bb:v1");
            assertFalse(push.ok(), push.stdout());
            assertTrue(
                    push.stderr().contains("http: server gave HTTP response to HTTPS client"),
                    push.stdout() + push.stderr());
            String info = d.dockerOk("info");
            assertTrue(info.contains(" Insecure Registries:\n  127.0.0.0/8\n  ::1/128\n"), info);

            // named by host:port: push, then pull into an empty store
            d.restartWith("--insecure-registry", REGISTRY);
            info = d.dockerOk("info");
            assertTrue(info.contains(" Insecure Registries:\n  " + REGISTRY + "\n  127.0.0.0/8\n  ::1/128\n"), info);
            String pushed = d.dockerOk("push", REGISTRY + "/team/bb:v1");
            assertTrue(pushed.contains("Pushed"), pushed);
            d.dockerOk("rmi", REGISTRY + "/team/bb:v1");
            String pulled = d.dockerOk("pull", REGISTRY + "/team/bb:v1");
            assertTrue(pulled.contains("Status: Downloaded newer image for " + REGISTRY + "/team/bb:v1"), pulled);
            assertEquals("ok\n", d.dockerOk("run", "--rm", REGISTRY + "/team/bb:v1", "echo", "ok"));
            d.dockerOk("rmi", REGISTRY + "/team/bb:v1");

            // without it again: the pull is refused in dockerd's words
            d.restartWith();
            ExecResult pull = d.docker("pull", REGISTRY + "/team/bb:v1");
            assertFalse(pull.ok(), pull.stdout());
            assertTrue(
                    pull.stderr()
                            .contains("Get \"https://" + REGISTRY
                                    + "/v2/\": http: server gave HTTP response to HTTPS client"),
                    pull.stderr());

            // a CIDR from daemon.json's key
            Path conf =
                    Files.writeString(d.dir.resolve("berthd.json"), "{\"insecure-registries\": [\"192.0.2.0/24\"]}");
            d.restartWith("--config", conf.toString());
            info = d.dockerOk("info");
            assertTrue(info.contains("  192.0.2.0/24\n"), info);
            d.dockerOk("pull", REGISTRY + "/team/bb:v1");

            // a bad entry stops the start, naming the option
            ExecResult bad = d.host.exec(
                    DaemonLab.BERTHD.toString(),
                    "--socket",
                    d.dir.resolve("bad.sock").toString(),
                    "--insecure-registry",
                    "ftp://192.0.2.2");
            assertEquals(2, bad.exitCode(), bad.stdout() + bad.stderr());
            assertTrue(
                    bad.stderr()
                            .contains(
                                    "--insecure-registry: insecure registry ftp://192.0.2.2 should not contain '://'"),
                    bad.stderr());
        }
    }

    private static boolean answers(DaemonLab d) {
        long end = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < end) {
            if (d.host.exec("curl", "-sf", "http://" + REGISTRY + "/v2/").ok()) return true;
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
