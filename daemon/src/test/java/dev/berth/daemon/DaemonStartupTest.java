package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** berthd refuses to start with a clear message and a non-zero status (bad flags, a socket or state in use, no containerd), and its socket is 0660. */
@ExtendWith(LabExtension.class)
class DaemonStartupTest {

    @Test
    void refusalsNameTheProblem(Lab lab) throws Exception {
        try (DaemonLab d = new DaemonLab(lab)) {
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(d.socket)));

            ExecResult inUse = berthd(
                    d,
                    "--socket",
                    d.socket.toString(),
                    "--state-dir",
                    d.dir.resolve("other").toString());
            assertEquals(1, inUse.exitCode(), inUse.stderr());
            assertTrue(inUse.stderr().contains("another daemon is already listening on " + d.socket), inUse.stderr());

            ExecResult sameState = berthd(
                    d,
                    "--socket",
                    d.dir.resolve("x.sock").toString(),
                    "--state-dir",
                    d.dir.resolve("state").toString());
            assertEquals(1, sameState.exitCode());
            assertTrue(
                    sameState.stderr().contains("another berthd already runs in this network namespace"),
                    sameState.stderr());

            ExecResult badFirewall = berthd(d, "--firewall", "pf");
            assertEquals(2, badFirewall.exitCode());
            assertTrue(
                    badFirewall.stderr().contains("--firewall: 'pf' is not one of nftables, iptables"),
                    badFirewall.stderr());

            Path cfg = d.dir.resolve("bad.json");
            Files.writeString(cfg, "{\"sokket\": \"/x\"}");
            ExecResult badKey = berthd(d, "--config", cfg.toString());
            assertEquals(2, badKey.exitCode());
            assertTrue(badKey.stderr().contains("unknown key 'sokket'"), badKey.stderr());

            ExecResult clusterFlags = berthd(d, "--public-ip", "192.0.2.1");
            assertEquals(2, clusterFlags.exitCode());
            assertTrue(
                    clusterFlags.stderr().contains("need --cluster-store or --cluster-static"), clusterFlags.stderr());

            ExecResult badCgroup = berthd(d, "--cgroup-parent", "berth");
            assertEquals(2, badCgroup.exitCode());
            assertTrue(
                    badCgroup.stderr().contains("--cgroup-parent: 'berth' must be an absolute cgroup path"),
                    badCgroup.stderr());

            // a containerd that does not answer (in a namespace of its own: one berthd per namespace)
            Path other = d.dir.resolve("other-host");
            ExecResult noContainerd = Commands.run(
                    List.of(
                            "nsenter",
                            "--net=" + lab.host("other").netnsPath(),
                            DaemonLab.BERTHD.toString(),
                            "--socket",
                            other.resolve("b.sock").toString(),
                            "--state-dir",
                            other.resolve("state").toString(),
                            "--run-dir",
                            other.resolve("run").toString(),
                            "--netns-prefix",
                            lab.prefix("o-"),
                            "--containerd",
                            other.resolve("no-containerd.sock").toString()),
                    Duration.ofSeconds(60),
                    null);
            assertEquals(1, noContainerd.exitCode(), noContainerd.stderr());
            assertTrue(
                    noContainerd.stderr().contains("cannot reach containerd")
                            && noContainerd.stderr().contains("no-containerd.sock"),
                    noContainerd.stderr());
            assertFalse(Files.exists(other.resolve("b.sock")), "no API socket");

            // the running daemon was not disturbed
            assertTrue(d.dockerOk("network", "ls").contains("bridge"));
        }
    }

    /**
     * One version from one place: scripts/version (the root pom's) is what berthd --version, /version's
     * Berth component and the docker CLI show; the engine version is one clients accept (docker-py's
     * version negotiation, and Testcontainers' digits-and-dots check for at least 1.6.0).
     */
    @Test
    void oneVersionEverywhere(Lab lab) throws Exception {
        Path root = DaemonLab.BERTHD.getParent().getParent();
        ExecResult script = Commands.run(List.of(root.resolve("scripts/version").toString()));
        assertEquals(0, script.exitCode(), script.stderr());
        String version = script.stdout().strip();
        assertTrue(version.matches("\\d+\\.\\d+\\.\\d+.*"), version);

        ExecResult flag = Commands.run(List.of(DaemonLab.BERTHD.toString(), "--version"));
        assertEquals(
                "berthd version " + version + " (Docker Engine API 1.50)",
                flag.stdout().strip(),
                flag.stderr());

        try (DaemonLab d = new DaemonLab(lab)) {
            assertEquals(
                    "28.2.0 1.50 Berth " + version,
                    d.dockerOk(
                                    "version",
                                    "--format",
                                    "{{.Server.Version}} {{.Server.APIVersion}} {{.Server.Platform.Name}}")
                            .strip());
            assertTrue(
                    d.dockerOk("version").contains(" Berth:\n  Version:          " + version + "\n"),
                    d.dockerOk("version"));
            // docker-py (Debian's python3-docker) negotiates the API version and reads the components
            ExecResult py = Commands.run(List.of("python3", "-c", """
                    import sys, docker
                    c = docker.DockerClient(base_url='unix://' + sys.argv[1], version='auto')
                    v = c.version()
                    print(c.api.api_version, [x['Version'] for x in v['Components'] if x['Name'] == 'Berth'][0])
                    """, d.socket.toString()));
            assertEquals(0, py.exitCode(), py.stderr());
            assertEquals("1.50 " + version, py.stdout().strip());
            for (String part : d.dockerOk("version", "--format", "{{.Server.Version}}")
                    .strip()
                    .split("\\.")) Integer.parseInt(part); // digits and dots only
        }
    }

    private static ExecResult berthd(DaemonLab d, String... args) {
        List<String> c = new ArrayList<>(List.of(
                "nsenter",
                "--net=" + d.host.netnsPath(),
                DaemonLab.BERTHD.toString(),
                "--run-dir",
                d.dir.resolve("run2").toString(),
                "--netns-prefix",
                d.netnsPrefix));
        c.addAll(List.of(args));
        return Commands.run(c, Duration.ofSeconds(60), null);
    }
}
