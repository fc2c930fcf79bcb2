package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The container operations clients such as Compose use beyond run and stop, through the docker CLI:
 * several networks at create (Compose v2 sends them all), rename, and prune with a label filter.
 */
@ExtendWith(LabExtension.class)
class DockerContainerOpsTest {

    @Test
    void everyNetworkGivenAtCreateIsJoinedAtStart(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk("network", "create", "--subnet", "10.41.0.0/24", "front");
            d.dockerOk("network", "create", "--subnet", "10.42.0.0/24", "back");
            d.dockerOk(
                    "create",
                    "--name",
                    "app",
                    "--network",
                    "name=front,alias=web",
                    "--network",
                    "name=back,ip=10.42.0.9,gw-priority=10",
                    "busybox",
                    "sleep",
                    "300");
            JsonNode created =
                    d.inspect("inspect", "app").get("NetworkSettings").get("Networks");
            assertTrue(created.has("front") && created.has("back"), "inspect shows both before the start: " + created);
            d.dockerOk("start", "app");
            JsonNode nets = d.inspect("inspect", "app").get("NetworkSettings").get("Networks");
            assertEquals("10.42.0.9", nets.get("back").get("IPAddress").asText(), nets.toString());
            assertTrue(nets.get("front").get("IPAddress").asText().startsWith("10.41.0."), nets.toString());
            assertTrue(nets.get("front").get("Aliases").toString().contains("web"), nets.toString());
            String routes = d.dockerOk("exec", "app", "ip", "route");
            assertTrue(
                    routes.contains("default via 10.42.0.1"),
                    "the highest GwPriority gives the default route: " + routes);
            String addrs = d.dockerOk("exec", "app", "ip", "-4", "addr");
            assertTrue(addrs.contains("10.41.0.") && addrs.contains("10.42.0.9/24"), addrs);

            d.dockerOk("run", "-d", "--name", "peer", "--network", "front", "busybox", "sleep", "300");
            assertTrue(
                    d.dockerOk("exec", "peer", "nslookup", "web")
                            .contains(nets.get("front").get("IPAddress").asText()),
                    "the alias on front resolves");

            ExecResult opts = d.docker("create", "--network", "name=front,driver-opt=com.example=1", "busybox", "true");
            assertFalse(opts.ok());
            assertTrue(opts.stderr().contains("DriverOpts"), "the refused field is named: " + opts.stderr());
        }
    }

    @Test
    void renameChangesTheNameDnsServesAndRefusesATakenName(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk("network", "create", "n");
            d.dockerOk("run", "-d", "--name", "old", "--network", "n", "busybox", "sleep", "300");
            d.dockerOk("run", "-d", "--name", "asker", "--network", "n", "busybox", "sleep", "300");
            String ip = d.inspect("inspect", "old")
                    .get("NetworkSettings")
                    .get("Networks")
                    .get("n")
                    .get("IPAddress")
                    .asText();
            d.dockerOk("rename", "old", "new");
            assertEquals("/new", d.inspect("inspect", "new").get("Name").asText());
            assertTrue(d.dockerOk("exec", "asker", "nslookup", "new").contains(ip), "DNS serves the new name");
            assertFalse(d.docker("exec", "asker", "nslookup", "old").ok(), "and no longer the old one");
            String renamed = d.dockerOk(
                    "events",
                    "--since",
                    "1",
                    "--until",
                    Long.toString(System.currentTimeMillis() / 1000 + 1),
                    "--filter",
                    "event=rename",
                    "--format",
                    "{{.Actor.Attributes.oldName}} {{.Actor.Attributes.name}}");
            assertEquals("/old new", renamed.trim(), "Docker's rename event");

            ExecResult taken = d.docker("rename", "new", "asker");
            assertFalse(taken.ok());
            assertTrue(taken.stderr().contains("already in use"), taken.stderr());
            assertTrue(d.docker("rename", "nope", "x").stderr().contains("No such container"));
            ExecResult bad = d.docker("rename", "new", "bad name");
            assertFalse(bad.ok());
            assertTrue(bad.stderr().contains("Invalid container name"), bad.stderr());

            // the old name is free again: a new container takes it (Compose's recreate)
            d.dockerOk("stop", "-t", "0", "new");
            d.dockerOk("run", "-d", "--name", "old", "--network", "n", "busybox", "sleep", "300");
            d.dockerOk("start", "new");
            String again = d.inspect("inspect", "new")
                    .get("NetworkSettings")
                    .get("Networks")
                    .get("n")
                    .get("IPAddress")
                    .asText();
            assertTrue(d.dockerOk("exec", "asker", "nslookup", "new").contains(again), "restarted under its new name");
        }
    }

    @Test
    void pruneWithALabelFilterRemovesOnlyWhatMatches(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk("create", "--name", "tagged", "--label", "x=1", "busybox", "true");
            d.dockerOk("create", "--name", "other", "--label", "y=1", "busybox", "true");
            d.dockerOk("create", "--name", "plain", "busybox", "true");
            d.dockerOk("run", "-d", "--name", "running", "--label", "x=1", "busybox", "sleep", "300");
            String out = d.dockerOk("container", "prune", "--filter", "label=x", "-f");
            assertTrue(out.contains("Total reclaimed space"), out);
            assertEquals(List.of("other", "plain", "running"), names(d));
            d.dockerOk("container", "prune", "--filter", "label!=y", "-f");
            assertEquals(List.of("other", "running"), names(d));
            d.dockerOk("container", "prune", "--filter", "until=2000-01-01T00:00:00Z", "-f");
            assertEquals(List.of("other", "running"), names(d), "nothing was created before 2000");
            ExecResult bad = d.docker("container", "prune", "--filter", "colour=red", "-f");
            assertFalse(bad.ok());
            assertTrue(bad.stderr().contains("colour"), bad.stderr());
        }
    }

    @Test
    void topStatsAndInfoReadTheRealCounters(Lab lab) throws Exception {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk(
                    "run",
                    "-d",
                    "--name",
                    "busy",
                    "--pids-limit",
                    "50",
                    "busybox",
                    "sh",
                    "-c",
                    "timeout 3 yes >/dev/null; sleep 300");
            String top = d.dockerOk("top", "busy");
            assertTrue(top.lines().findFirst().orElse("").contains("PID"), top);
            assertTrue(top.contains("sleep 300") || top.contains("yes"), "the container's processes: " + top);
            assertFalse(top.contains("berthd") || top.contains("containerd"), "only the container's: " + top);
            String pidComm = d.dockerOk("top", "busy", "-o", "pid,comm");
            assertTrue(pidComm.lines().findFirst().orElse("").contains("COMMAND"), pidComm);
            ExecResult badArgs = d.docker("top", "busy", "-o", "comm");
            assertFalse(badArgs.ok());
            assertTrue(badArgs.stderr().contains("PID"), badArgs.stderr());

            String ip = d.inspect("inspect", "busy")
                    .get("NetworkSettings")
                    .get("IPAddress")
                    .asText();
            assertTrue(d.in("busy").ping(ip), "some traffic for the network counters");
            String line = d.dockerOk(
                            "stats",
                            "--no-stream",
                            "--format",
                            "{{.Name}};{{.CPUPerc}};{{.MemUsage}};{{.NetIO}};{{.PIDs}}",
                            "busy")
                    .trim();
            String[] f = line.split(";");
            assertEquals("busy", f[0], line);
            assertTrue(f[1].endsWith("%"), line);
            assertFalse(f[2].startsWith("0B"), "memory in use: " + line);
            assertFalse(f[3].startsWith("0B"), "bytes received on eth0: " + line);
            assertTrue(Integer.parseInt(f[4]) >= 1, line);

            JsonNode s = new ObjectMapper().readTree(curl(d, "/containers/busy/stats?stream=false"));
            assertTrue(s.get("cpu_stats").get("cpu_usage").get("total_usage").asLong() > 0, s.toString());
            assertTrue(
                    s.get("precpu_stats").get("system_cpu_usage").asLong() > 0,
                    "precpu is a real earlier sample: " + s);
            assertTrue(s.get("memory_stats").get("usage").asLong() > 0, s.toString());
            assertEquals(50, s.get("pids_stats").get("limit").asLong(), s.toString());
            assertTrue(s.get("networks").get("eth0").get("rx_packets").asLong() > 0, s.toString());
            String streamed = Commands.run(
                            List.of(
                                    "curl",
                                    "-s",
                                    "--max-time",
                                    "3",
                                    "--unix-socket",
                                    d.socket.toString(),
                                    "http://d/containers/busy/stats"),
                            Duration.ofSeconds(10),
                            null)
                    .stdout();
            assertTrue(streamed.lines().count() >= 2, "one sample a second while streaming: " + streamed);
            d.dockerOk("stop", "-t", "0", "busy");
            assertTrue(d.docker("top", "busy").stderr().contains("is not running"));

            String info = d.dockerOk(
                    "info",
                    "--format",
                    "{{.NCPU}};{{.MemTotal}};{{.KernelVersion}};{{.OperatingSystem}};{{.Architecture}};{{.Driver}};{{.CgroupVersion}};{{.Swarm.LocalNodeState}}");
            String[] i = info.trim().split(";");
            assertEquals(Runtime.getRuntime().availableProcessors(), Integer.parseInt(i[0]), info);
            assertTrue(Long.parseLong(i[1]) > 256L << 20, "the machine's memory, not the JVM's heap: " + info);
            assertEquals(Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim(), i[2]);
            assertTrue(i[3].startsWith("Debian"), info);
            assertEquals(List.of("x86_64", "overlayfs", "1", "inactive"), List.of(i[4], i[5], i[6], i[7]), info);
        }
    }

    static String curl(DaemonLab d, String path, String... extra) {
        List<String> c = new ArrayList<>(List.of("curl", "-s", "--unix-socket", d.socket.toString()));
        c.addAll(List.of(extra));
        c.add("http://d" + path);
        ExecResult r = Commands.run(c, Duration.ofSeconds(30), null);
        assertTrue(r.ok(), r.stderr());
        return r.stdout();
    }

    private static List<String> names(DaemonLab d) {
        return d.dockerOk("ps", "-a", "--format", "{{.Names}}").lines().sorted().toList();
    }
}
