package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Seed 001's user-defined network: containers find each other by name through berthd's resolver. */
@ExtendWith(LabExtension.class)
class DockerDnsTest {

    @Test
    void containersOnAUserDefinedNetworkResolveEachOther(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk("network", "create", "--subnet", "10.40.0.0/24", "greatwall");
            d.dockerOk("run", "-d", "--name", "beijing", "--network", "greatwall", "busybox", "sleep", "300");
            d.dockerOk(
                    "run",
                    "-d",
                    "--name",
                    "shenzhen",
                    "--network",
                    "greatwall",
                    "--network-alias",
                    "south",
                    "busybox",
                    "sleep",
                    "300");
            d.dockerOk("run", "-d", "--name", "milk", "busybox", "sleep", "300");
            String shenzhenIp = d.inspect("inspect", "shenzhen")
                    .get("NetworkSettings")
                    .get("Networks")
                    .get("greatwall")
                    .get("IPAddress")
                    .asText();

            assertTrue(d.dockerOk("exec", "beijing", "cat", "/etc/resolv.conf").contains("nameserver 127.0.0.11"));
            ExecResult ping = d.docker("exec", "beijing", "ping", "-c1", "-W2", "shenzhen");
            assertEquals(0, ping.exitCode(), ping.stdout() + ping.stderr());
            assertTrue(ping.stdout().contains(shenzhenIp), ping.stdout());
            assertTrue(d.dockerOk("exec", "beijing", "nslookup", "south").contains(shenzhenIp), "the alias resolves");

            // the default bridge has no names, and greatwall's names are not visible from it
            assertFalse(d.docker("exec", "milk", "nslookup", "shenzhen").ok(), "milk must not resolve shenzhen");
            // and the networks are isolated from each other
            String milkIp = d.inspect("inspect", "milk")
                    .get("NetworkSettings")
                    .get("IPAddress")
                    .asText();
            assertFalse(
                    d.docker("exec", "beijing", "ping", "-c1", "-W1", milkIp).ok(),
                    "greatwall cannot reach the default bridge");

            // connect and disconnect change names at once
            d.dockerOk("network", "connect", "greatwall", "milk");
            assertTrue(d.dockerOk("exec", "milk", "nslookup", "shenzhen").contains(shenzhenIp));
            assertTrue(
                    d.docker("exec", "beijing", "nslookup", "milk").ok(), "milk is known on greatwall once connected");
            d.dockerOk("network", "disconnect", "greatwall", "milk");
            assertFalse(d.docker("exec", "beijing", "nslookup", "milk").ok(), "gone at once after disconnect");

            // survives a daemon restart
            d.stop();
            d.start();
            assertTrue(d.dockerOk("exec", "beijing", "nslookup", "shenzhen").contains(shenzhenIp));
        }
    }

    /**
     * A command's very first lookup, sent the instant it starts, already sees the network's names:
     * busybox's nslookup asks once and prints the server's answer (a SERVFAIL would show as "can't find").
     */
    @Test
    void aFreshContainersFirstLookupIsAnswered(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            d.dockerOk("network", "create", "greatwall");
            d.dockerOk("run", "-d", "--name", "beijing", "--network", "greatwall", "busybox", "sleep", "300");
            String ip = d.inspect("inspect", "beijing")
                    .get("NetworkSettings")
                    .get("Networks")
                    .get("greatwall")
                    .get("IPAddress")
                    .asText();
            for (int i = 0; i < 10; i++) {
                ExecResult r =
                        d.docker("run", "--rm", "--network", "greatwall", "busybox", "nslookup", "-type=a", "beijing");
                assertEquals(0, r.exitCode(), "run " + i + ": " + r.stdout() + r.stderr());
                assertTrue(r.stdout().contains("Address: " + ip), "run " + i + ": " + r.stdout());
            }
        }
    }
}
