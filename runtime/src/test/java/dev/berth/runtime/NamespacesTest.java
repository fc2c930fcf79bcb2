package dev.berth.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A sandbox's process sees its network namespace, hostname and files; the host's stay as they were. */
@ExtendWith(LabExtension.class)
class NamespacesTest {

    @Test
    void processSeesItsNetworkHostnameHostsAndResolvConf(Lab lab) throws Exception {
        LabHost c1 = lab.host("c1");
        c1.ip("link", "add", "probe0", "type", "veth", "peer", "name", "probe1");
        String hostHosts = Files.readString(Path.of("/etc/hosts"));
        String hostResolv = Files.readString(Path.of("/etc/resolv.conf"));
        String hostHostname = Files.readString(Path.of("/proc/sys/kernel/hostname"));
        try (RunDir rt = new RunDir()) {
            ContainerSpec spec = new ContainerSpec("ns1", "web", "web1", c1.netnsPath(), true,
                    List.of("sh", "-c", "cat /proc/net/dev; ip -o link; echo host=$(hostname); cat /etc/hosts /etc/resolv.conf;"
                            + " echo etc-hostname=$(cat /etc/hostname); echo sys=$(ls /sys/class/net | tr '\\n' ' '); echo pid=$$;"
                            + " echo env-hostname=$HOSTNAME; echo pwd=$(pwd)"),
                    Map.of(), "/tmp", "10.1.2.3\tweb1\n10.1.2.4\tdb\n", "nameserver 10.1.2.53\noptions ndots:0\n");
            ContainerState s = rt.runToExit(spec);
            String out = rt.stdout("ns1");
            assertEquals(0, s.exitCode(), out + rt.logs("ns1", new LogOptions(false, null, null, -1, false, true, true))[1]);
            assertTrue(out.contains("probe0"), "the lab namespace's interfaces are visible: " + out);
            assertTrue(out.contains("host=web1\n"), out);
            assertTrue(out.contains("10.1.2.4\tdb\n") && out.contains("nameserver 10.1.2.53\n"), out);
            assertTrue(out.contains("etc-hostname=web1\n"), out);
            assertTrue(out.contains("sys=lo probe0 probe1\n"), "/sys/class/net is the namespace's: " + out);
            int pid = Integer.parseInt(out.replaceAll("(?s).*pid=(\\d+)\n.*", "$1"));
            assertTrue(pid < 50, "the command runs in its own PID namespace (pid " + pid + " inside)");
            assertTrue(out.contains("env-hostname=web1\n") && out.contains("pwd=/tmp\n"), out);
        }
        assertEquals(hostHosts, Files.readString(Path.of("/etc/hosts")));
        assertEquals(hostResolv, Files.readString(Path.of("/etc/resolv.conf")));
        assertEquals(hostHostname, Files.readString(Path.of("/proc/sys/kernel/hostname")));
    }

    @Test
    void hostModeSharesTheDaemonsNetworkAndHostname() throws Exception {
        String hostname = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        String netns = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        try (RunDir rt = new RunDir()) {
            ContainerSpec spec = new ContainerSpec("host1", "h", hostname, null, false,
                    List.of("sh", "-c", "echo net=$(readlink /proc/self/ns/net); echo host=$(hostname); cat /etc/hosts"),
                    Map.of(), null, "10.9.8.7\tonly-in-the-container\n", null);
            ContainerState s = rt.runToExit(spec);
            String out = rt.stdout("host1");
            assertEquals(0, s.exitCode(), out);
            assertTrue(out.contains("net=" + netns + "\n"), "same network namespace as the daemon: " + out);
            assertTrue(out.contains("host=" + hostname + "\n"), out);
            assertTrue(out.contains("only-in-the-container"), out);
            assertFalse(Files.readString(Path.of("/etc/hosts")).contains("only-in-the-container"));
        }
    }
}
