package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What Docker lets through and Berth does not: a container run with {@code --cap-add NET_ADMIN} adds a
 * second address to its eth0 and pings a neighbour from it, or forges its MAC. On a Berth network the
 * bridge drops it (the neighbour's own ICMP counter does not move); on a network created with
 * {@code -o berth.anti_spoofing=false} it goes through, as on Docker.
 */
@ExtendWith(LabExtension.class)
class DockerAntiSpoofingTest {

    @Test
    void aContainerWithNetAdminCannotSendAsAnother(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            ExecResult bad = d.docker("network", "create", "-o", "berth.anti_spoofing=sometimes", "bad");
            assertFalse(bad.ok());
            assertTrue(
                    bad.stderr().contains("Options.berth.anti_spoofing")
                            && bad.stderr().contains("sometimes"),
                    bad.stderr());

            d.dockerOk("network", "create", "--subnet", "10.41.0.0/24", "guarded");
            d.dockerOk("run", "-d", "--name", "alice", "--network", "guarded", "busybox", "sleep", "300");
            String alice = ipOf(d.in("alice"));
            assertTrue(
                    d.docker("run", "--rm", "--network", "guarded", "busybox", "ping", "-c", "1", "-W", "2", alice)
                            .ok(),
                    "an ordinary container reaches alice");

            long echoes = echoes(d.in("alice"));
            ExecResult forged = d.docker(
                    "run",
                    "--rm",
                    "--cap-add",
                    "NET_ADMIN",
                    "--network",
                    "guarded",
                    "busybox",
                    "sh",
                    "-c",
                    "ip addr add 10.41.0.200/24 dev eth0 && echo forged && ping -c 2 -W 1 -I 10.41.0.200 " + alice);
            assertTrue(
                    forged.stdout().contains("forged") && !forged.ok(),
                    "a forged source address is dropped: " + forged.stdout() + forged.stderr());
            ExecResult mac = d.docker(
                    "run",
                    "--rm",
                    "--cap-add",
                    "NET_ADMIN",
                    "--network",
                    "guarded",
                    "busybox",
                    "sh",
                    "-c",
                    "ip link set eth0 address 02:00:00:00:0b:ad && echo forged && ping -c 2 -W 1 " + alice);
            assertTrue(
                    mac.stdout().contains("forged") && !mac.ok(),
                    "a forged source MAC is dropped: " + mac.stdout() + mac.stderr());
            assertEquals(echoes, echoes(d.in("alice")), "no echo request reached alice");

            String explain = Commands.run(List.of(
                            "curl",
                            "-sS",
                            "--unix-socket",
                            d.socket.toString(),
                            "http://berth/berth/explain?container=alice"))
                    .check()
                    .stdout();
            assertTrue(explain.contains("guard4") && explain.contains(alice), explain);

            d.dockerOk("network", "create", "--subnet", "10.42.0.0/24", "-o", "berth.anti_spoofing=false", "open");
            d.dockerOk("run", "-d", "--name", "bob", "--network", "open", "busybox", "sleep", "300");
            String bob = ipOf(d.in("bob"));
            echoes = echoes(d.in("bob"));
            ExecResult through = d.docker(
                    "run",
                    "--rm",
                    "--cap-add",
                    "NET_ADMIN",
                    "--network",
                    "open",
                    "busybox",
                    "sh",
                    "-c",
                    "ip addr add 10.42.0.200/24 dev eth0 && ping -c 1 -W 2 -I 10.42.0.200 " + bob);
            assertTrue(
                    through.ok(),
                    "with berth.anti_spoofing=false the forged address goes through, as with Docker: "
                            + through.stderr());
            assertTrue(echoes(d.in("bob")) > echoes);
        }
    }

    private static String ipOf(LabHost container) {
        String line =
                container.ip("-4", "-o", "addr", "show", "dev", "eth0").stdout().trim();
        return line.split("\\s+")[3].split("/")[0];
    }

    /** Icmp InEchos of the container's namespace: the echo requests that really arrived there. */
    private static long echoes(LabHost container) {
        List<String> icmp = container
                .run("cat", "/proc/net/snmp")
                .stdout()
                .lines()
                .filter(l -> l.startsWith("Icmp:"))
                .toList();
        List<String> names = List.of(icmp.get(0).split("\\s+")),
                values = List.of(icmp.get(1).split("\\s+"));
        return Long.parseLong(values.get(names.indexOf("InEchos")));
    }
}
