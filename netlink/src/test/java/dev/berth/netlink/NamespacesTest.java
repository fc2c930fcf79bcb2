package dev.berth.netlink;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.lab.Commands;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabProcess;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.ns.Sysctl;
import dev.berth.netlink.route.Rtnl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LabExtension.class)
class NamespacesTest {

    private static String inode(String path) throws Exception {
        return String.valueOf(Files.getAttribute(Path.of(path), "unix:ino"));
    }

    @Test
    void namedNamespaceWorksWithIpNetnsExecAndIsDeletedCleanly(Lab lab) {
        String name = "blab-" + lab.runId() + "-named";
        try (NetnsHandle ns = Netns.create(name)) {
            assertTrue(Commands.run(List.of("ip", "netns", "list")).stdout().contains(name));
            // iproute2 can enter it and sees a fresh namespace with only lo, down.
            String links = Commands.run(List.of("ip", "netns", "exec", name, "ip", "-o", "link"))
                    .check()
                    .stdout();
            assertEquals(1, links.strip().lines().count(), links);
            assertTrue(links.contains("lo:") && links.contains("state DOWN"), links);
            try (Rtnl rt = Netns.rtnl(ns)) {
                assertEquals(
                        List.of("lo"),
                        rt.links().list().stream().map(l -> l.name()).toList());
            }
            IllegalStateException clash = assertThrows(IllegalStateException.class, () -> Netns.create(name));
            assertTrue(clash.getMessage().contains("already exists"), clash.getMessage());
            assertTrue(Netns.exists(name), "a refused create leaves the existing namespace alone");
        } finally {
            Netns.delete(name);
        }
        assertFalse(Netns.exists(name));
        assertFalse(Commands.run(List.of("ip", "netns", "list")).stdout().contains(name));

        Netns.Created c = Netns.createWithRtnl(name);
        try (NetnsHandle ns = c.handle();
                Rtnl rt = c.rtnl()) {
            rt.links().setUp(1);
            String links = Commands.run(List.of("ip", "netns", "exec", name, "ip", "-o", "link"))
                    .check()
                    .stdout();
            assertTrue(
                    links.contains("lo:") && links.contains("UP"),
                    "the socket acts inside the new namespace: " + links);
        } finally {
            Netns.delete(name);
        }
    }

    @Test
    void codeRunsInsideTheNamespaceOnAPlatformThreadAndReturns(Lab lab) throws Exception {
        LabHost h = lab.host("h");
        String home = inode("/proc/self/ns/net");
        String target = inode(h.netnsPath().toString());
        try (NetnsHandle ns = Netns.open(h.name())) {
            String seen = Netns.call(ns, () -> inode("/proc/thread-self/ns/net"));
            assertEquals(target, seen);
            assertFalse(Netns.call(ns, () -> Thread.currentThread().isVirtual()));
            // nested calls switch inline and come back to the outer namespace
            LabHost other = lab.host("other");
            try (NetnsHandle ons = Netns.open(other.name())) {
                String[] both = Netns.call(ns, () -> new String[] {
                    Netns.call(ons, () -> inode("/proc/thread-self/ns/net")), inode("/proc/thread-self/ns/net")
                });
                assertEquals(inode(other.netnsPath().toString()), both[0]);
                assertEquals(target, both[1]);
            }
        }
        assertEquals(home, inode("/proc/thread-self/ns/net"), "the caller's thread never moved");
    }

    @Test
    void manyConcurrentCallersFromVirtualThreadsEachLandInTheirNamespace(Lab lab) throws Exception {
        List<LabHost> hosts = new ArrayList<>();
        for (int i = 0; i < 6; i++) hosts.add(lab.host("c" + i));
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int round = 0; round < 20; round++) {
                for (LabHost h : hosts) {
                    results.add(ex.submit(() -> {
                        try (NetnsHandle ns = Netns.open(h.name())) {
                            return Netns.call(ns, () -> inode("/proc/thread-self/ns/net"))
                                    .equals(inode(h.netnsPath().toString()));
                        }
                    }));
                }
            }
            for (Future<Boolean> f : results) assertTrue(f.get());
        }
        assertEquals(inode("/proc/self/ns/net"), inode("/proc/thread-self/ns/net"));
    }

    @Test
    void openByPidFindsTheProcesssNamespace(Lab lab) throws Exception {
        LabHost h = lab.host("h");
        LabProcess sleeper = h.spawn("sleep", "30");
        // the PID is `ip netns exec` until it has entered the namespace and exec'd sleep
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!Files.readString(Path.of("/proc/" + sleeper.pid() + "/comm"))
                .strip()
                .equals("sleep")) {
            assertTrue(System.nanoTime() < deadline, "sleep never started");
            Thread.sleep(10);
        }
        try (NetnsHandle ns = Netns.ofPid(sleeper.pid())) {
            assertEquals(inode(h.netnsPath().toString()), Netns.call(ns, () -> inode("/proc/thread-self/ns/net")));
        } finally {
            sleeper.close();
        }
    }

    @Test
    void sysctlsAreReadAndWrittenPerNamespace(Lab lab) {
        LabHost a = lab.host("a");
        LabHost b = lab.host("b");
        try (NetnsHandle an = Netns.open(a.name());
                NetnsHandle bn = Netns.open(b.name())) {
            Sysctl.write(an, "net.ipv4.ip_forward", "1");
            assertEquals("1", Sysctl.read(an, "net.ipv4.ip_forward"));
            assertEquals("0", Sysctl.read(bn, "net.ipv4.ip_forward"), "other namespaces are untouched");
            assertEquals(
                    "net.ipv4.ip_forward = 1",
                    a.run("sysctl", "net.ipv4.ip_forward").stdout().strip());
            Sysctl.write(an, "net.ipv4.conf.all.route_localnet", "1");
            assertEquals(
                    "1",
                    a.run("sysctl", "-n", "net.ipv4.conf.all.route_localnet")
                            .stdout()
                            .strip());
            Sysctl.write(an, "net.ipv6.conf.all.forwarding", "1");
            assertEquals(
                    "1",
                    a.run("sysctl", "-n", "net.ipv6.conf.all.forwarding")
                            .stdout()
                            .strip());
            Sysctl.write(an, "net.ipv4.ip_local_port_range", "40000 45000");
            assertEquals(
                    "40000\t45000",
                    Sysctl.read(an, "net.ipv4.ip_local_port_range"),
                    "values longer than a byte come back whole");
            assertEquals(
                    "40000\t45000",
                    a.run("cat", "/proc/sys/net/ipv4/ip_local_port_range")
                            .stdout()
                            .strip());
            assertThrows(IllegalArgumentException.class, () -> Sysctl.read(an, "kernel.hostname"));
        }
    }
}
