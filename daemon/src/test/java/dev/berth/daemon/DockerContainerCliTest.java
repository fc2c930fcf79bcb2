package dev.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The docker CLI runs containers on berthd as the seeds do: detached and in the foreground, with
 * published ports, exec, logs, port, inspect, stop/start/kill/wait/rm, the network modes, and
 * daemon restarts (clean and kill -9) that leave running containers running.
 */
@ExtendWith(LabExtension.class)
class DockerContainerCliTest {

    @Test
    void foregroundRunPrintsOutputAndExitsWithTheCommandsCode(Lab lab) {
        try (DaemonLab d = new DaemonLab(lab)) {
            ExecResult r = d.docker("run", "--rm", "busybox", "sh", "-c", "echo hello; echo oops >&2; hostname; exit 3");
            assertEquals(3, r.exitCode(), r.stderr());
            assertTrue(r.stdout().startsWith("hello\n"), r.stdout());
            assertEquals("oops", r.stderr().trim());
            assertEquals("", d.dockerOk("ps", "-aq").trim(), "--rm removed it");

            ExecResult net = d.docker("run", "--rm", "img", "ip", "-o", "-4", "addr", "show", "eth0");
            assertEquals(0, net.exitCode(), net.stderr());
            assertTrue(net.stdout().contains("inet 172.17.0."), "a default-bridge address: " + net.stdout());

            ExecResult missing = d.docker("run", "--rm", "img", "no-such-program-xyz");
            assertEquals(127, missing.exitCode(), missing.stdout() + missing.stderr());
        }
    }

    @Test
    void detachedContainersPublishExecLogAndStop(Lab lab) {
        try (DaemonLab d = new DaemonLab(lab)) {
            d.dockerOk("network", "create", "--subnet", "10.30.0.0/24", "greatwall");
            String id = d.dockerOk("run", "-d", "--name", "web", "--network", "greatwall", "--ip", "10.30.0.10",
                    "-p", "8080:80", "--hostname", "beijing", "img",
                    "socat", "TCP-LISTEN:80,fork,reuseaddr", "SYSTEM:echo hi-from-web").trim();
            assertTrue(id.matches("[0-9a-f]{64}"), id);
            assertTrue(d.dockerOk("ps").contains("web"));
            assertEquals("80/tcp -> 0.0.0.0:8080", d.dockerOk("port", "web").trim());
            JsonNode c = d.inspect("inspect", "web");
            assertEquals("running", c.get("State").get("Status").asText());
            assertEquals("10.30.0.10", c.get("NetworkSettings").get("Networks").get("greatwall").get("IPAddress").asText());

            // the published port answers from the outside host, and the name is beijing inside
            assertTrue(eventually(() -> d.ext.tcp("192.0.2.1", 8080).contains("hi-from-web")), "published port answers");
            assertEquals("beijing", d.dockerOk("exec", "web", "hostname").trim());
            assertTrue(d.dockerOk("exec", "web", "cat", "/etc/hosts").contains("10.30.0.10\tbeijing"));
            ExecResult rc = d.docker("exec", "web", "sh", "-c", "echo to-err >&2; exit 7");
            assertEquals(7, rc.exitCode());
            assertEquals("to-err", rc.stderr().trim());
            ExecResult echo = Commands.run(List.of(DaemonLab.DOCKER, "-H", "unix://" + d.socket, "exec", "-i", "web", "cat"),
                    Duration.ofSeconds(30), "ping-pong\n");
            assertEquals("ping-pong\n", echo.stdout(), echo.stderr());
            // as the seeds do by hand: ip netns exec into the container's namespace
            assertTrue(d.in("web").ip("-br", "addr").stdout().contains("10.30.0.10/24"));

            d.dockerOk("run", "-d", "--name", "chatty", "img", "sh", "-c", "echo line1; echo line2; echo err1 >&2; sleep 300");
            assertTrue(eventually(() -> d.docker("logs", "chatty").stdout().contains("line2")));
            ExecResult logs = d.docker("logs", "--tail", "1", "chatty");
            assertEquals("line2", logs.stdout().trim());
            assertEquals("err1", logs.stderr().trim());

            d.dockerOk("stop", "-t", "1", "chatty");
            // the shell is not PID 1 (Berth's wrapper is), so it dies of the SIGTERM: 128 + 15
            assertTrue(d.dockerOk("ps", "-a", "--filter", "name=chatty", "--format", "{{.Status}}").startsWith("Exited (143)"),
                    d.dockerOk("ps", "-a"));
            assertFalse(d.host.exec("ip", "netns", "pids", d.netnsPrefix + "chatty").ok(), "the stopped container's namespace is gone");
            d.dockerOk("start", "chatty");
            assertTrue(d.dockerOk("ps", "--format", "{{.Names}}").contains("chatty"));
            d.dockerOk("kill", "chatty");
            assertEquals("137", d.dockerOk("wait", "chatty").trim());

            d.dockerOk("rm", "-f", "web");
            assertFalse(String.valueOf(d.ext.tcp("192.0.2.1", 8080)).contains("hi-from-web"), "unpublished");
            assertFalse(d.host.ip("-br", "link").stdout().contains("veth"), d.host.ip("-br", "link").stdout());
        }
    }

    @Test
    void networkModesAndConnect(Lab lab) {
        try (DaemonLab d = new DaemonLab(lab)) {
            d.dockerOk("run", "-d", "--name", "milk", "img", "sleep", "300");
            d.dockerOk("run", "-d", "--name", "bread", "img", "sleep", "300");
            String breadIp = d.inspect("inspect", "bread").get("NetworkSettings").get("IPAddress").asText();
            assertTrue(d.in("milk").ping(breadIp), "milk pings bread on the default bridge");

            ExecResult host = d.docker("run", "--rm", "--network", "host", "img", "ip", "-br", "addr");
            assertTrue(host.stdout().contains("192.0.2.1/24"), "host mode sees the host's links: " + host.stdout());
            ExecResult none = d.docker("run", "--rm", "--network", "none", "img", "ip", "-br", "link");
            assertEquals(1, none.stdout().trim().lines().count(), "none mode has lo only: " + none.stdout());
            ExecResult joined = d.docker("run", "--rm", "--network", "container:milk", "img", "ip", "-br", "addr");
            String milkIp = d.inspect("inspect", "milk").get("NetworkSettings").get("IPAddress").asText();
            assertTrue(joined.stdout().contains(milkIp + "/16"), "container mode shares milk's namespace: " + joined.stdout());

            d.dockerOk("network", "create", "--subnet", "10.31.0.0/24", "side");
            d.dockerOk("network", "connect", "--ip", "10.31.0.7", "--alias", "m", "side", "milk");
            assertTrue(d.in("milk").ip("-br", "addr").stdout().contains("10.31.0.7/24"));
            JsonNode n = d.inspect("network", "inspect", "side");
            assertEquals("milk", n.get("Containers").elements().next().get("Name").asText());
            d.dockerOk("network", "disconnect", "side", "milk");
            assertFalse(d.in("milk").ip("-br", "addr").stdout().contains("10.31.0.7"));
        }
    }

    @Test
    void errorsChangeNothing(Lab lab) {
        try (DaemonLab d = new DaemonLab(lab)) {
            d.dockerOk("run", "-d", "--name", "a", "-p", "8081:80", "img", "sleep", "300");
            String links = linkNames(d);
            ExecResult dup = d.docker("run", "-d", "--name", "a", "img", "sleep", "1");
            assertTrue(dup.stderr().contains("already in use"), dup.stderr());
            ExecResult port = d.docker("run", "-d", "--name", "b", "-p", "8081:80", "img", "sleep", "300");
            assertFalse(port.ok());
            assertTrue(port.stderr().contains("8081"), port.stderr());
            ExecResult net = d.docker("run", "-d", "--name", "c", "--network", "nope", "img", "sleep", "1");
            assertTrue(net.stderr().contains("nope"), net.stderr());
            ExecResult ip = d.docker("run", "-d", "--name", "e", "--ip", "10.99.0.1", "img", "sleep", "1");
            assertFalse(ip.ok(), ip.stdout());
            assertEquals(links, linkNames(d), "no veth left by the failed starts");
            assertTrue(d.docker("exec", "nope", "true").stderr().contains("No such container"));
            assertTrue(d.docker("rm", "a").stderr().contains("container is running"));
        }
    }

    /** The host's link names; their operational states change as the bridge's ports come up. */
    private static String linkNames(DaemonLab d) {
        return d.host.ip("-br", "link").stdout().lines().map(l -> l.split("\\s+")[0]).sorted().toList().toString();
    }

    @Test
    void runningContainersSurviveDaemonRestartsAndCrashes(Lab lab) {
        try (DaemonLab d = new DaemonLab(lab)) {
            d.dockerOk("run", "-d", "--name", "milk", "img", "sleep", "300");
            d.dockerOk("run", "-d", "--name", "bread", "-p", "8082:80", "img", "socat", "TCP-LISTEN:80,fork,reuseaddr", "SYSTEM:echo bread");
            String breadIp = d.inspect("inspect", "bread").get("NetworkSettings").get("IPAddress").asText();
            d.stop();
            assertTrue(d.in("milk").ping(breadIp), "networking stays while berthd is down");
            d.start();
            assertTrue(d.dockerOk("ps", "--format", "{{.Names}}").contains("milk"));
            assertEquals("bread", d.dockerOk("exec", "milk", "sh", "-c", "echo bread").trim());
            d.dockerOk("run", "-d", "--name", "brief", "img", "sleep", "1");
            d.kill9();
            assertTrue(d.in("milk").ping(breadIp), "networking stays after berthd was killed");
            assertTrue(eventually(() -> d.ext.tcp("192.0.2.1", 8082).contains("bread")), "the published port still answers");
            sleepMs(1500); // brief exits while no daemon watches
            d.start();
            assertTrue(d.dockerOk("ps", "--format", "{{.Names}}").contains("bread"));
            assertTrue(d.dockerOk("ps", "-a", "--filter", "name=brief", "--format", "{{.Status}}").startsWith("Exited (0)"));
            assertFalse(java.nio.file.Files.exists(java.nio.file.Path.of("/run/netns", d.netnsPrefix + "brief")),
                    "the sandbox of a container that exited while berthd was down is removed at start");
            assertEquals("bread", d.dockerOk("exec", "milk", "sh", "-c", "echo bread").trim());
        }
    }

    static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static boolean eventually(java.util.function.BooleanSupplier check) {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
            if (check.getAsBoolean()) return true;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
