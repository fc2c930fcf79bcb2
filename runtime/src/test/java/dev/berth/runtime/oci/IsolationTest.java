package dev.berth.runtime.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.runtime.oci.ContainerMount.Bind;
import dev.berth.runtime.oci.ContainerMount.EtcFile;
import dev.berth.runtime.oci.ContainerMount.Tmpfs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The isolation {@link OciSpec} gives, proved on the real kernel: runc runs each spec on a busybox bundle
 * whose network namespace is a lab namespace (eth0 wired to a lab peer). One container per case, a script
 * of checks printing {@code key=value} lines.
 */
@ExtendWith(LabExtension.class)
class IsolationTest {

    /** Prints what a hostile process finds out; every check's exit code is printed, never fatal. */
    private static final String PROBES = String.join(
            "\n",
            "echo cap=$(grep CapEff /proc/self/status | cut -f2)",
            "echo seccomp=$(grep '^Seccomp:' /proc/self/status | cut -f2)",
            "echo pid=$$",
            "ip addr add 10.77.0.9/24 dev eth0 2>/dev/null; echo addr=$?",
            "ip route add 10.88.0.0/16 dev eth0 2>/dev/null; echo route=$?",
            "mount -t tmpfs t /mnt 2>/dev/null; echo mount=$?",
            "unshare -n true 2>/dev/null; echo unshare=$?",
            "nsenter -t 1 -n true 2>/dev/null; echo setns=$?",
            "ls /run/netns >/dev/null 2>&1; echo netns=$?",
            "echo procs=$(ls -d /proc/[0-9]* | wc -l)",
            "echo masked=$(cat /proc/timer_list /proc/keys 2>/dev/null | head -c 16 | wc -c)",
            "(echo 1 > /proc/sys/net/ipv4/ip_forward) 2>/dev/null; echo procsys=$?",
            "printf 'not a module' > /tmp/fake.ko; insmod /tmp/fake.ko 2>/dev/null; echo insmod=$?",
            "echo sysopts=$(grep ' /sys ' /proc/mounts | cut -d' ' -f4)",
            "echo devs=$(ls /dev | wc -l)",
            "echo id=$(id)");

    @Test
    void defaultContainerHasDockersIsolation(Lab lab) throws Exception {
        LabHost c1 = wiredHost(lab);
        Path marker = Files.createTempFile("berth-oci-host-only-", ".txt");
        String hostAddrs = Commands.run(List.of("ip", "-o", "addr")).check().stdout();
        try (Runc runc = new Runc(lab.prefix("oci"))) {
            SpecRequest r = SpecRequest.builder(
                            List.of("sh", "-c", PROBES + "\nls " + marker + " >/dev/null 2>&1; echo hostfile=$?"),
                            runc.cgroup("dflt"))
                    .netns(c1.netnsPath())
                    .hostname("dflt")
                    .build();
            Map<String, String> out = probe(runc, "dflt", r);
            assertEquals(
                    hex(Capabilities.mask(Capabilities.DOCKER_DEFAULT)),
                    out.get("cap"),
                    "Docker's 14 capabilities, no more: " + out);
            assertEquals("2", out.get("seccomp"), "the seccomp filter is on: " + out);
            assertEquals("1", out.get("pid"), "own PID namespace");
            for (String denied :
                    List.of("addr", "route", "mount", "unshare", "setns", "netns", "procsys", "insmod", "hostfile"))
                assertNotEquals("0", out.get(denied), denied + " must fail in a default container: " + out);
            assertTrue(Integer.parseInt(out.get("procs")) < 6, "only its own processes are visible: " + out);
            assertEquals("0", out.get("masked"), "/proc/timer_list and /proc/keys are masked: " + out);
            assertTrue(out.get("sysopts").startsWith("ro,"), "/sys is read-only: " + out);
            assertFalse(c1.ip("-o", "addr").stdout().contains("10.77.0.9"), "the lab namespace is unchanged");
            assertTrue(c1.ip("-o", "route").stdout().lines().noneMatch(l -> l.startsWith("10.88.")));
        } finally {
            Files.deleteIfExists(marker);
        }
        assertEquals(
                hostAddrs,
                Commands.run(List.of("ip", "-o", "addr")).check().stdout(),
                "the machine's namespace is unchanged");
    }

    @Test
    void capAddNetAdminChangesOnlyItsOwnInterface(Lab lab) {
        LabHost c1 = wiredHost(lab);
        String hostAddrs = Commands.run(List.of("ip", "-o", "addr")).check().stdout();
        try (Runc runc = new Runc(lab.prefix("oci"))) {
            SpecRequest r = SpecRequest.builder(List.of("sh", "-c", PROBES), runc.cgroup("netadm"))
                    .netns(c1.netnsPath())
                    .hostname("netadm")
                    .capAdd(List.of("net_admin"))
                    .build();
            Map<String, String> out = probe(runc, "netadm", r);
            assertEquals("0", out.get("addr"), out.toString());
            assertEquals("0", out.get("route"), out.toString());
            for (String denied : List.of("mount", "unshare", "setns", "insmod"))
                assertNotEquals("0", out.get(denied), denied + " stays blocked with NET_ADMIN: " + out);
        }
        assertTrue(
                c1.ip("-o", "addr", "show", "dev", "eth0").stdout().contains("10.77.0.9/24"),
                "the address is on its own eth0");
        assertTrue(c1.ip("-o", "route").stdout().contains("10.88.0.0/16"));
        assertEquals(
                hostAddrs,
                Commands.run(List.of("ip", "-o", "addr")).check().stdout(),
                "nothing changed in the machine's namespace");
        assertTrue(c1.ping("10.77.0.1"), "the lab peer is still reachable");
    }

    @Test
    void privilegedGetsWhatDockerGives(Lab lab) {
        LabHost c1 = wiredHost(lab);
        try (Runc runc = new Runc(lab.prefix("oci"))) {
            SpecRequest r = SpecRequest.builder(List.of("sh", "-c", PROBES), runc.cgroup("priv"))
                    .netns(c1.netnsPath())
                    .hostname("priv")
                    .privileged(true)
                    .build();
            Map<String, String> out = probe(runc, "priv", r);
            assertEquals(
                    hex(Capabilities.mask(Capabilities.grantable())),
                    out.get("cap"),
                    "every capability berthd holds: " + out);
            assertEquals("0", out.get("seccomp"), "no seccomp filter: " + out);
            assertEquals("0", out.get("mount"), out.toString());
            assertEquals("0", out.get("addr"), out.toString());
            assertEquals("16", out.get("masked"), "nothing masked: " + out);
            assertTrue(out.get("sysopts").startsWith("rw"), "/sys is writable: " + out);
            assertTrue(Integer.parseInt(out.get("devs")) > 20, "the host's devices: " + out);
        }
    }

    @Test
    void userFromTheImagesPasswdHasNoCapabilities(Lab lab) {
        LabHost c1 = wiredHost(lab);
        Map<String, String> image = Map.of(
                "/etc/passwd",
                "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n",
                "/etc/group",
                "root:x:0:\napp:x:1000:\nstaff:x:50:app\n");
        UserResolver.Resolved app = new UserResolver(
                        p -> Optional.ofNullable(image.get(p)).map(String::getBytes))
                .resolve("app", List.of());
        try (Runc runc = new Runc(lab.prefix("oci"))) {
            SpecRequest r = SpecRequest.builder(List.of("sh", "-c", PROBES), runc.cgroup("user"))
                    .netns(c1.netnsPath())
                    .hostname("user")
                    .user(app.user())
                    .env(List.of("HOME=" + app.home()))
                    .build();
            Map<String, String> out = probe(runc, "user", r);
            assertEquals("uid=1000(app) gid=1000(app) groups=50(staff)", out.get("id"), out.toString());
            assertEquals(
                    "0000000000000000", out.get("cap"), "a non-root user ends with no effective capability: " + out);
        }
    }

    @Test
    void readOnlyRootWithTmpfsBindAndEtcFiles(Lab lab) throws Exception {
        LabHost c1 = wiredHost(lab);
        Path data = Files.createTempDirectory("berth-oci-data-");
        Path hosts = Files.createTempFile("berth-oci-hosts-", "");
        try (Runc runc = new Runc(lab.prefix("oci"))) {
            Files.writeString(data.resolve("hello"), "from the host\n");
            Files.writeString(hosts, "10.77.0.1\tpeer\n");
            String script = String.join(
                    "\n",
                    "touch /x 2>/dev/null; echo root=$?",
                    "touch /run/t/x; echo tmpfs=$?",
                    "echo tmpfsopts=$(grep ' /run/t ' /proc/mounts | cut -d' ' -f4)",
                    "echo data=$(cat /data/hello)",
                    "touch /data/y 2>/dev/null; echo bindw=$?",
                    "echo hosts=$(grep peer /etc/hosts)");
            SpecRequest r = SpecRequest.builder(List.of("sh", "-c", script), runc.cgroup("ro"))
                    .netns(c1.netnsPath())
                    .hostname("ro")
                    .readonlyRootfs(true)
                    .mounts(List.of(
                            new Tmpfs("/run/t", "size=1m,exec"),
                            new Bind(data, "/data", true, null),
                            new EtcFile(EtcFile.Kind.HOSTS, hosts)))
                    .build();
            Map<String, String> out = probe(runc, "ro", r);
            assertNotEquals("0", out.get("root"), "--read-only: / cannot be written: " + out);
            assertEquals("0", out.get("tmpfs"), out.toString());
            assertTrue(
                    out.get("tmpfsopts").contains("nosuid")
                            && out.get("tmpfsopts").contains("size=1024k")
                            && !out.get("tmpfsopts").contains("noexec"),
                    out.toString());
            assertEquals("from the host", out.get("data"));
            assertNotEquals("0", out.get("bindw"), "a read-only bind: " + out);
            assertEquals("10.77.0.1 peer", out.get("hosts"));
            assertFalse(Files.exists(data.resolve("y")));
        } finally {
            Commands.run(List.of("rm", "-rf", data.toString(), hosts.toString()));
        }
    }

    @Test
    void limitsLandInTheContainersCgroupAndGoWithIt(Lab lab) {
        LabHost c1 = wiredHost(lab);
        try (Runc runc = new Runc(lab.prefix("oci"))) {
            SpecRequest r = SpecRequest.builder(List.of("sleep", "60"), runc.cgroup("lim"))
                    .netns(c1.netnsPath())
                    .hostname("lim")
                    .memory(64L << 20)
                    .pidsLimit(50)
                    .nanoCpus(500_000_000L)
                    .cpuShares(512)
                    .ulimits(List.of(new Ulimit("nofile", 1000, 2000)))
                    .capDrop(List.of("NET_RAW"))
                    .build();
            runc.start("lim", runc.bundle("lim", OciSpec.toJson(r)));
            assertEquals("67108864", read(runc.cgroupDir("memory", "lim").resolve("memory.limit_in_bytes")));
            assertEquals(
                    "134217728",
                    read(runc.cgroupDir("memory", "lim").resolve("memory.memsw.limit_in_bytes")),
                    "swap = 2 x memory, as Docker");
            assertEquals("50", read(runc.cgroupDir("pids", "lim").resolve("pids.max")));
            assertEquals("50000", read(runc.cgroupDir("cpu", "lim").resolve("cpu.cfs_quota_us")));
            assertEquals("512", read(runc.cgroupDir("cpu", "lim").resolve("cpu.shares")));

            // the limits are read from the container's first process: runc 1.1's exec sets them from outside
            // with prlimit, racing the Go runtime of `runc init`, which raises the soft open-files limit to
            // the hard one when it starts first (seen under load: soft 2000)
            ProcessRequest p = ProcessRequest.exec(
                    r,
                    List.of(
                            "sh",
                            "-c",
                            "grep CapEff /proc/self/status | cut -f2; grep 'Max open files' /proc/1/limits | tr -s ' ' '\\n' | sed -n '4,5p';"
                                    + " cat /sys/fs/cgroup/pids/pids.max"),
                    List.of(),
                    "/",
                    ProcessUser.ROOT,
                    false,
                    false);
            ExecResult e = runc.exec("lim", OciSpec.processJson(p));
            List<String> lines = e.stdout().lines().toList();
            assertEquals(0, e.exitCode(), e.toString());
            List<String> expectedCaps = Capabilities.DOCKER_DEFAULT.stream()
                    .filter(c -> !c.equals("CAP_NET_RAW"))
                    .toList();
            assertEquals(
                    List.of(hex(Capabilities.mask(expectedCaps)), "1000", "2000", "50"),
                    lines,
                    "exec has the container's capabilities, the container its limits");

            runc.delete("lim");
            for (String c : List.of("memory", "pids", "cpu"))
                assertFalse(Files.exists(runc.cgroupDir(c, "lim")), c + " cgroup removed with the container");
        }
    }

    @Test
    void capAddSysAdminReallowsMountUnderTheDefaultProfile(Lab lab) {
        LabHost c1 = wiredHost(lab);
        try (Runc runc = new Runc(lab.prefix("oci"))) {
            SpecRequest r = SpecRequest.builder(List.of("sh", "-c", PROBES), runc.cgroup("admin"))
                    .netns(c1.netnsPath())
                    .hostname("admin")
                    .capAdd(List.of("CAP_SYS_ADMIN"))
                    .build();
            Map<String, String> out = probe(runc, "admin", r);
            assertEquals("2", out.get("seccomp"), out.toString());
            assertEquals("0", out.get("mount"), "mount is allowed again with SYS_ADMIN: " + out);
            assertEquals("0", out.get("unshare"), out.toString());
            assertNotEquals("0", out.get("addr"), "still no NET_ADMIN: " + out);
        }
    }

    /** A lab namespace with eth0 (10.77.0.2/24) wired to a peer (10.77.0.1). */
    private static LabHost wiredHost(Lab lab) {
        LabHost c1 = lab.host("c1");
        LabHost peer = lab.host("peer");
        lab.connect(c1, "eth0", "10.77.0.2/24", peer, "eth0", "10.77.0.1/24");
        return c1;
    }

    private static Map<String, String> probe(Runc runc, String id, SpecRequest r) {
        ExecResult res = runc.run(id, runc.bundle(id, OciSpec.toJson(r)));
        assertEquals(0, res.exitCode(), "runc run: " + res);
        Map<String, String> out = new HashMap<>();
        for (String line : res.stdout().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0)
                out.putIfAbsent(line.substring(0, eq), line.substring(eq + 1).strip());
        }
        return out;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hex(long mask) {
        return String.format("%016x", mask);
    }
}
