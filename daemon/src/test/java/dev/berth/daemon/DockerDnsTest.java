package dev.berth.daemon;

import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Seed 001's user-defined network: containers find each other by name through berthd's resolver. */
@ExtendWith(LabExtension.class)
class DockerDnsTest {

    @Test
    void containersOnAUserDefinedNetworkResolveEachOther(Lab lab) {
        try (DaemonLab d = new DaemonLab(lab)) {
            d.dockerOk("network", "create", "--subnet", "10.40.0.0/24", "greatwall");
            d.dockerOk("run", "-d", "--name", "beijing", "--network", "greatwall", "img", "sleep", "300");
            d.dockerOk("run", "-d", "--name", "shenzhen", "--network", "greatwall", "--network-alias", "south", "img", "sleep", "300");
            d.dockerOk("run", "-d", "--name", "milk", "img", "sleep", "300");
            String shenzhenIp = d.inspect("inspect", "shenzhen").get("NetworkSettings").get("Networks").get("greatwall").get("IPAddress").asText();

            assertTrue(d.dockerOk("exec", "beijing", "cat", "/etc/resolv.conf").contains("nameserver 127.0.0.11"));
            ExecResult ping = d.docker("exec", "beijing", "ping", "-c1", "-W2", "shenzhen");
            assertEquals(0, ping.exitCode(), ping.stdout() + ping.stderr());
            assertTrue(ping.stdout().contains(shenzhenIp), ping.stdout());
            assertTrue(d.dockerOk("exec", "beijing", "getent", "hosts", "south").contains(shenzhenIp), "the alias resolves");

            // the default bridge has no names, and greatwall's names are not visible from it
            assertFalse(d.docker("exec", "milk", "getent", "hosts", "shenzhen").ok(), "milk must not resolve shenzhen");
            // and the networks are isolated from each other
            String milkIp = d.inspect("inspect", "milk").get("NetworkSettings").get("IPAddress").asText();
            assertFalse(d.docker("exec", "beijing", "ping", "-c1", "-W1", milkIp).ok(), "greatwall cannot reach the default bridge");

            // connect and disconnect change names at once
            d.dockerOk("network", "connect", "greatwall", "milk");
            assertTrue(d.dockerOk("exec", "milk", "getent", "hosts", "shenzhen").contains(shenzhenIp));
            assertTrue(d.docker("exec", "beijing", "getent", "hosts", "milk").ok(), "milk is known on greatwall once connected");
            d.dockerOk("network", "disconnect", "greatwall", "milk");
            assertFalse(d.docker("exec", "beijing", "getent", "hosts", "milk").ok(), "gone at once after disconnect");

            // survives a daemon restart
            d.stop();
            d.start();
            assertTrue(d.dockerOk("exec", "beijing", "getent", "hosts", "shenzhen").contains(shenzhenIp));
        }
    }

    /**
     * A command's very first lookup, sent the instant it starts, already sees the network's names. The
     * query is one raw UDP datagram from bash (glibc's resolver would ask again after a SERVFAIL and
     * hide a late answer); the test reads the reply's header: id, rcode and answer count.
     */
    @Test
    void aFreshContainersFirstLookupIsAnswered(Lab lab) {
        try (DaemonLab d = new DaemonLab(lab)) {
            d.dockerOk("network", "create", "greatwall");
            d.dockerOk("run", "-d", "--name", "beijing", "--network", "greatwall", "img", "sleep", "300");
            String query = "exec 3<>/dev/udp/127.0.0.11/53; "
                    + "printf '\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x07beijing\\x00\\x00\\x01\\x00\\x01' >&3; "
                    + "timeout 3 head -c 8 <&3 | od -An -tx1";
            for (int i = 0; i < 10; i++) {
                String header = d.dockerOk("run", "--rm", "--network", "greatwall", "img", "bash", "-c", query).strip();
                String[] b = header.split("\\s+");
                assertEquals(8, b.length, "run " + i + ": no whole DNS header in the reply: " + header);
                assertEquals("12 34", b[0] + " " + b[1], "run " + i + ": reply id");
                assertEquals(0, Integer.parseInt(b[3], 16) & 0x0f, "run " + i + ": rcode (2 is SERVFAIL: not a local name yet): " + header);
                assertTrue(Integer.parseInt(b[6] + b[7], 16) >= 1, "run " + i + ": no answer: " + header);
            }
        }
    }
}
