package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.SeedImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The docker CLI runs real containers (containerd, runc, the busybox image) on berthd as the seeds do:
 * the seeds' own commands on a terminal, detached and foreground runs, published ports, exec, logs,
 * attach, stop/start/kill/wait/rm, the network modes, image defaults, and daemon restarts (clean and
 * kill -9) that leave running containers running.
 */
@ExtendWith(LabExtension.class)
class DockerContainerCliTest {

    @Test
    void foregroundRunPrintsOutputAndExitsWithTheCommandsCode(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            ExecResult r = d.docker("run", "--rm", "busybox", "sh", "-c", "echo hello; echo oops >&2; exit 3");
            assertEquals(3, r.exitCode(), r.stderr());
            assertEquals("hello\n", r.stdout());
            assertEquals("oops", r.stderr().trim());
            assertEquals("", d.dockerOk("ps", "-aq").trim(), "--rm removed it");

            ExecResult net = d.docker("run", "--rm", "busybox", "ip", "-4", "addr", "show", "eth0");
            assertEquals(0, net.exitCode(), net.stderr());
            assertTrue(net.stdout().contains("inet 172.17.0."), "a default-bridge address: " + net.stdout());

            ExecResult missing = d.docker("run", "--rm", "busybox", "no-such-program-xyz");
            assertEquals(127, missing.exitCode(), missing.stdout() + missing.stderr());
            ExecResult notExecutable = d.docker("run", "--rm", "busybox", "/etc/passwd");
            assertEquals(126, notExecutable.exitCode(), notExecutable.stdout() + notExecutable.stderr());
            assertEquals("", d.dockerOk("ps", "-aq").trim(), "failed --rm runs are removed too");

            // the image's root file system, not the host's
            assertEquals(
                    "root:x:0:0:root:/root:/bin/sh",
                    d.dockerOk("run", "--rm", "busybox", "head", "-1", "/etc/passwd")
                            .trim());
            assertFalse(
                    d.docker("run", "--rm", "busybox", "ls", "/usr/bin/java", "/work")
                            .ok(),
                    "no host files inside");
        }
    }

    /** Seeds 000-004 type these letter for letter. */
    @Test
    void theSeedsCommandsOnATerminal(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk("run", "-itd", "--rm", "--name", "milk", "busybox");
            d.dockerOk("run", "-itd", "--rm", "--name", "bread", "busybox");
            assertEquals(
                    "running",
                    d.inspect("inspect", "milk").get("State").get("Status").asText(),
                    "sh keeps its terminal and stays up");
            assertTrue(
                    d.dockerOk("exec", "milk", "ps").lines().anyMatch(l -> l.matches("\\s*1 root .*sh")),
                    "sh is PID 1: " + d.dockerOk("exec", "milk", "ps"));

            // docker exec -it milk sh, typed on a terminal
            ExecResult exec = d.onTerminal(
                    "sleep 1; printf 'hostname\\n'; sleep 1; printf 'exit\\n'", "exec", "-it", "milk", "sh");
            assertEquals(0, exec.exitCode(), exec.stdout() + exec.stderr());
            String milkId = d.inspect("inspect", "milk").get("Id").asText();
            assertTrue(
                    exec.stdout().contains(milkId.substring(0, 12)), "the hostname is the short id: " + exec.stdout());
            String breadIp = d.inspect("inspect", "bread")
                    .get("NetworkSettings")
                    .get("IPAddress")
                    .asText();
            ExecResult ping = d.onTerminal(
                    "sleep 1; printf 'ping -c1 -W2 " + breadIp
                            + " >/dev/null && echo PING-OK\\n'; sleep 2; printf 'exit\\n'",
                    "exec",
                    "-it",
                    "milk",
                    "sh");
            assertTrue(ping.stdout().contains("PING-OK"), "milk pings bread: " + ping.stdout());

            // attach, type, detach with ctrl-p ctrl-q: the shell runs on
            ExecResult attach = d.onTerminal(
                    "sleep 1; printf 'echo attached-$((40+2))\\n'; sleep 1; printf '\\020\\021'", "attach", "milk");
            assertTrue(attach.stdout().contains("attached-42"), attach.stdout() + attach.stderr());
            assertTrue(attach.stdout().contains("read escape sequence"), "the CLI saw the detach: " + attach.stdout());
            assertEquals(
                    "running",
                    d.inspect("inspect", "milk").get("State").get("Status").asText());

            // docker run -it --rm busybox sh, fed from a terminal
            ExecResult it = d.onTerminal(
                    "sleep 1; printf 'echo hi-$((2*3)); exit 5\\n'", "run", "-it", "--rm", "busybox", "sh");
            assertEquals(5, it.exitCode(), it.stdout() + it.stderr());
            assertTrue(it.stdout().contains("hi-6"), it.stdout());

            // resize: the terminal's size reaches the container
            ExecResult size = d.onTerminal("sleep 1; printf 'stty size; exit\\n'", "exec", "-it", "milk", "sh");
            assertTrue(
                    size.stdout().lines().anyMatch(l -> l.equals("40 100")),
                    "stty size answers the terminal's: " + size.stdout());

            // docker stop removes --rm containers
            d.dockerOk("stop", "milk");
            assertTrue(
                    eventually(() ->
                            !d.dockerOk("ps", "-a", "--format", "{{.Names}}").contains("milk")),
                    d.dockerOk("ps", "-a"));

            // coffee: the nginx stand-in, published on 80 and reached from an outside lab host
            d.dockerOk("run", "-itd", "--rm", "-p", "80:80", "--name", "coffee", "nginx");
            assertEquals(SeedImages.NGINX_PAGE, DaemonLab.http(d.ext, "http://192.0.2.1:80/"));
            d.dockerOk("run", "-d", "-P", "--name", "tea", "nginx");
            String port = d.dockerOk("port", "tea", "80/tcp")
                    .trim()
                    .lines()
                    .findFirst()
                    .orElseThrow();
            assertTrue(port.matches("0\\.0\\.0\\.0:\\d+"), port);
            assertEquals(
                    SeedImages.NGINX_PAGE,
                    DaemonLab.http(d.ext, "http://192.0.2.1:" + port.substring(port.indexOf(':') + 1) + "/"));
        }
    }

    @Test
    void detachedContainersPublishExecLogAndStop(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk("network", "create", "--subnet", "10.30.0.0/24", "greatwall");
            String id = d.dockerOk(
                            "run",
                            "-d",
                            "--name",
                            "web",
                            "--network",
                            "greatwall",
                            "--ip",
                            "10.30.0.10",
                            "-p",
                            "8080:80",
                            "--hostname",
                            "beijing",
                            "nginx")
                    .trim();
            assertTrue(id.matches("[0-9a-f]{64}"), id);
            assertTrue(d.dockerOk("ps").contains("web"));
            assertEquals("80/tcp -> 0.0.0.0:8080", d.dockerOk("port", "web").trim());
            JsonNode c = d.inspect("inspect", "web");
            assertEquals("running", c.get("State").get("Status").asText());
            assertEquals(
                    "10.30.0.10",
                    c.get("NetworkSettings")
                            .get("Networks")
                            .get("greatwall")
                            .get("IPAddress")
                            .asText());
            assertEquals(
                    "[httpd, -f, -v, -p, 80, -h, /www]",
                    c.get("Config").get("Cmd").toString().replace("\"", "").replace(",", ", "),
                    "the image's default command");

            assertEquals(
                    SeedImages.NGINX_PAGE, DaemonLab.http(d.ext, "http://192.0.2.1:8080/"), "published port answers");
            assertEquals("beijing", d.dockerOk("exec", "web", "hostname").trim());
            assertTrue(d.dockerOk("exec", "web", "cat", "/etc/hosts").contains("10.30.0.10\tbeijing"));
            ExecResult rc = d.docker("exec", "web", "sh", "-c", "echo to-err >&2; exit 7");
            assertEquals(7, rc.exitCode());
            assertEquals("to-err", rc.stderr().trim());
            ExecResult echo = Commands.run(
                    List.of(DaemonLab.DOCKER, "-H", "unix://" + d.socket, "exec", "-i", "web", "cat"),
                    Duration.ofSeconds(30),
                    "ping-pong\n");
            assertEquals("ping-pong\n", echo.stdout(), echo.stderr());
            // as the seeds do by hand: ip netns exec into the container's namespace
            assertTrue(d.in("web").ip("-br", "addr").stdout().contains("10.30.0.10/24"));
            assertTrue(
                    d.docker("logs", "web").stderr().contains("response:200"),
                    "httpd -v logged the request on stderr: "
                            + d.docker("logs", "web").stderr());

            d.dockerOk(
                    "run",
                    "-d",
                    "--name",
                    "chatty",
                    "busybox",
                    "sh",
                    "-c",
                    "echo line1; echo line2; sleep 0.2; echo err1 >&2; sleep 300");
            // stdout and stderr are two pipes: only writes apart in time have an order the log can keep
            assertTrue(eventually(() -> d.docker("logs", "chatty").stderr().contains("err1")));
            ExecResult logs = d.docker("logs", "--tail", "2", "chatty");
            assertEquals("line2", logs.stdout().trim());
            assertEquals("err1", logs.stderr().trim());
            String stamped = d.dockerOk("logs", "-t", "chatty");
            assertTrue(
                    stamped.lines()
                            .allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z line\\d")),
                    stamped);

            d.dockerOk("stop", "-t", "1", "chatty");
            // sh is PID 1 and ignores SIGTERM: killed after the timeout, as with Docker
            assertTrue(
                    d.dockerOk("ps", "-a", "--filter", "name=chatty", "--format", "{{.Status}}")
                            .startsWith("Exited (137)"),
                    d.dockerOk("ps", "-a"));
            assertFalse(
                    Files.exists(Path.of("/run/netns", d.netnsPrefix + "chatty")),
                    "the stopped container's namespace is gone");
            d.dockerOk("start", "chatty");
            assertTrue(d.dockerOk("ps", "--format", "{{.Names}}").contains("chatty"));
            d.dockerOk("kill", "chatty");
            assertEquals("137", d.dockerOk("wait", "chatty").trim());
            assertEquals(
                    4,
                    d.dockerOk("logs", "chatty")
                            .lines()
                            .filter(l -> l.startsWith("line"))
                            .count(),
                    "logs of both runs");

            d.dockerOk("rm", "-f", "web");
            assertFalse(
                    String.valueOf(DaemonLab.http(d.ext, "http://192.0.2.1:8080/"))
                            .contains("nginx"),
                    "unpublished");
            assertFalse(
                    d.host.ip("-br", "link").stdout().contains("veth"),
                    d.host.ip("-br", "link").stdout());
        }
    }

    @Test
    void imageDefaultsAndTheFlagsThatOverrideThem(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            assertEquals(
                    "65534",
                    d.dockerOk("run", "--rm", "-u", "nobody", "busybox", "id", "-u")
                            .trim());
            assertEquals(
                    "/tmp",
                    d.dockerOk("run", "--rm", "-w", "/tmp", "busybox", "pwd").trim());
            String env = d.dockerOk("run", "--rm", "-e", "MILK=2", "busybox", "env");
            assertTrue(
                    env.contains("MILK=2") && env.contains("PATH=/usr/local/sbin") && env.contains("HOME=/root"), env);
            assertEquals(
                    "entry hi",
                    d.dockerOk("run", "--rm", "--entrypoint", "echo", "busybox", "entry", "hi")
                            .trim());
            assertTrue(d.docker("run", "--rm", "-u", "bob", "busybox", "true")
                    .stderr()
                    .contains("unable to find user bob"));
            ExecResult ro = d.docker("run", "--rm", "--read-only", "busybox", "touch", "/x");
            assertFalse(ro.ok(), "--read-only: " + ro.stdout());
            assertTrue(d.dockerOk(
                            "run", "--rm", "--tmpfs", "/scratch", "busybox", "sh", "-c", "touch /scratch/x && echo ok")
                    .contains("ok"));
            ExecResult missing = d.docker("run", "--rm", "nosuchimage");
            assertFalse(missing.ok());
            assertTrue(missing.stderr().contains("nosuchimage"), missing.stderr());
            ExecResult badField = d.docker("run", "--rm", "--device", "/dev/null", "busybox", "true");
            assertEquals(125, badField.exitCode());
            assertTrue(badField.stderr().contains("Devices"), "a refusal names the field: " + badField.stderr());
        }
    }

    @Test
    void pauseRestartPoliciesAndWait(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk("run", "-d", "--name", "pp", "busybox", "sleep", "300");
            d.dockerOk("pause", "pp");
            assertEquals(
                    "paused",
                    d.inspect("inspect", "pp").get("State").get("Status").asText());
            d.dockerOk("unpause", "pp");
            assertEquals(
                    "running",
                    d.inspect("inspect", "pp").get("State").get("Status").asText());
            d.dockerOk("restart", "-t", "0", "pp");
            assertEquals(
                    "running",
                    d.inspect("inspect", "pp").get("State").get("Status").asText());

            d.dockerOk("run", "-d", "--name", "flaky", "--restart", "on-failure:2", "busybox", "sh", "-c", "exit 4");
            assertTrue(
                    eventually(() ->
                            d.inspect("inspect", "flaky").get("RestartCount").asInt() == 2
                                    && d.inspect("inspect", "flaky")
                                            .get("State")
                                            .get("Status")
                                            .asText()
                                            .equals("exited")),
                    d.dockerOk("ps", "-a"));
            assertEquals(
                    4,
                    d.inspect("inspect", "flaky").get("State").get("ExitCode").asInt());

            d.dockerOk("run", "-d", "--name", "always", "--restart", "always", "busybox", "sleep", "300");
            d.stop();
            d.start();
            assertEquals(
                    "running",
                    d.inspect("inspect", "always").get("State").get("Status").asText());
        }
    }

    @Test
    void networkModesAndConnect(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk("run", "-d", "--name", "milk", "busybox", "sleep", "300");
            d.dockerOk("run", "-d", "--name", "bread", "busybox", "sleep", "300");
            String breadIp = d.inspect("inspect", "bread")
                    .get("NetworkSettings")
                    .get("IPAddress")
                    .asText();
            assertTrue(d.in("milk").ping(breadIp), "milk's namespace pings bread on the default bridge");
            assertTrue(d.docker("exec", "milk", "ping", "-c1", "-W2", breadIp).ok(), "and so does milk itself");

            ExecResult host = d.docker("run", "--rm", "--network", "host", "busybox", "ip", "addr");
            assertTrue(host.stdout().contains("192.0.2.1/24"), "host mode sees the host's links: " + host.stdout());
            ExecResult none = d.docker("run", "--rm", "--network", "none", "busybox", "ip", "link");
            assertEquals(
                    1,
                    none.stdout().lines().filter(l -> l.matches("\\d+: .*")).count(),
                    "none mode has lo only: " + none.stdout());
            ExecResult joined = d.docker("run", "--rm", "--net=container:milk", "busybox", "ip", "addr");
            String milkIp = d.inspect("inspect", "milk")
                    .get("NetworkSettings")
                    .get("IPAddress")
                    .asText();
            assertTrue(
                    joined.stdout().contains(milkIp + "/16"),
                    "container mode shares milk's namespace: " + joined.stdout());

            d.dockerOk("network", "create", "--subnet", "10.31.0.0/24", "side");
            d.dockerOk("network", "connect", "--ip", "10.31.0.7", "--alias", "m", "side", "milk");
            assertTrue(d.dockerOk("exec", "milk", "ip", "addr").contains("10.31.0.7/24"));
            assertTrue(
                    d.dockerOk("exec", "milk", "cat", "/etc/hosts").contains("10.31.0.7"),
                    "the connect shows in /etc/hosts at once");
            JsonNode n = d.inspect("network", "inspect", "side");
            assertEquals(
                    "milk", n.get("Containers").elements().next().get("Name").asText());
            d.dockerOk("network", "disconnect", "side", "milk");
            assertFalse(d.dockerOk("exec", "milk", "ip", "addr").contains("10.31.0.7"));
        }
    }

    @Test
    void errorsChangeNothing(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk("run", "-d", "--name", "aa", "-p", "8081:80", "busybox", "sleep", "300");
            String links = linkNames(d);
            ExecResult dup = d.docker("run", "-d", "--name", "aa", "busybox", "sleep", "1");
            assertTrue(dup.stderr().contains("already in use"), dup.stderr());
            ExecResult port = d.docker("run", "-d", "--name", "bb", "-p", "8081:80", "busybox", "sleep", "300");
            assertFalse(port.ok());
            assertTrue(port.stderr().contains("8081"), port.stderr());
            ExecResult net = d.docker("run", "-d", "--name", "cc", "--network", "nope", "busybox", "sleep", "1");
            assertTrue(net.stderr().contains("nope"), net.stderr());
            ExecResult ip = d.docker("run", "-d", "--name", "ee", "--ip", "10.99.0.1", "busybox", "sleep", "1");
            assertFalse(ip.ok(), ip.stdout());
            assertEquals(links, linkNames(d), "no veth left by the failed starts");
            assertTrue(d.docker("exec", "nope", "true").stderr().contains("No such container"));
            assertTrue(d.docker("rm", "aa").stderr().contains("container is running"));
        }
    }

    /** The host's link names; their operational states change as the bridge's ports come up. */
    private static String linkNames(DaemonLab d) {
        return d.host.ip("-br", "link")
                .stdout()
                .lines()
                .map(l -> l.split("\\s+")[0])
                .sorted()
                .toList()
                .toString();
    }

    @Test
    void runningContainersSurviveDaemonRestartsAndCrashes(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk("run", "-itd", "--name", "milk", "busybox");
            d.dockerOk("run", "-d", "--name", "bread", "-p", "8082:80", "nginx");
            String breadIp = d.inspect("inspect", "bread")
                    .get("NetworkSettings")
                    .get("IPAddress")
                    .asText();
            long pid = d.inspect("inspect", "milk").get("State").get("Pid").asLong();
            d.stop();
            assertTrue(d.in("milk").ping(breadIp), "networking stays while berthd is down");
            assertTrue(
                    ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "the task runs while berthd is down");
            d.start();
            assertEquals(
                    pid, d.inspect("inspect", "milk").get("State").get("Pid").asLong(), "adopted, not restarted");
            assertEquals(
                    "bread",
                    d.dockerOk("exec", "milk", "sh", "-c", "echo bread").trim());
            ExecResult attach = d.onTerminal(
                    "sleep 1; printf 'echo after-restart\\n'; sleep 1; printf '\\020\\021'", "attach", "milk");
            assertTrue(attach.stdout().contains("after-restart"), "attach to an adopted task: " + attach.stdout());
            d.dockerOk("run", "-d", "--name", "brief", "busybox", "sh", "-c", "echo bye; sleep 1; exit 3");
            d.kill9();
            assertTrue(d.in("milk").ping(breadIp), "networking stays after berthd was killed");
            assertNotNull(DaemonLab.http(d.ext, "http://192.0.2.1:8082/"), "the published port still answers");
            sleepMs(2500); // brief exits while no daemon watches
            d.start();
            assertTrue(d.dockerOk("ps", "--format", "{{.Names}}").contains("bread"));
            assertTrue(
                    d.dockerOk("ps", "-a", "--filter", "name=brief", "--format", "{{.Status}}")
                            .startsWith("Exited (3)"),
                    d.dockerOk("ps", "-a"));
            assertEquals("bye", d.dockerOk("logs", "brief").trim(), "its logs were kept");
            assertFalse(
                    Files.exists(Path.of("/run/netns", d.netnsPrefix + "brief")),
                    "the sandbox of a container that exited while berthd was down is removed at start");
            assertEquals(
                    "bread",
                    d.dockerOk("exec", "milk", "sh", "-c", "echo bread").trim());
        }
    }

    static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static boolean eventually(BooleanSupplier check) {
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
