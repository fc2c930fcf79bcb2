package dev.berth.runtime.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.model.BerthException.InvalidRequest;
import dev.berth.runtime.oci.OciModel.Seccomp;
import dev.berth.runtime.oci.OciModel.Spec;
import dev.berth.runtime.oci.OciModel.Syscall;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The spec's shape and the requests it refuses, without running anything. */
class OciSpecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static SpecRequest.Builder request() {
        return SpecRequest.builder(List.of("sh"), "/berth/abc").netns(Path.of("/proc/self/ns/net"));
    }

    @Test
    void defaultSpecHasDockersShape() throws Exception {
        JsonNode s = JSON.readTree(OciSpec.toJson(request().env(List.of("A=1")).build()));
        assertEquals("1.0.2", s.get("ociVersion").asText());
        assertEquals("rootfs", s.at("/root/path").asText());
        assertEquals("/berth/abc", s.at("/linux/cgroupsPath").asText());
        List<String> ns = new ArrayList<>();
        s.at("/linux/namespaces")
                .forEach(n -> ns.add(n.get("type").asText()
                        + (n.has("path") ? ":" + n.get("path").asText() : "")));
        assertEquals(List.of("pid", "ipc", "uts", "mount", "network:/proc/self/ns/net"), ns);
        assertEquals(14, s.at("/process/capabilities/bounding").size());
        assertFalse(s.at("/process/capabilities").has("inheritable"), "no inheritable capabilities (CVE-2022-24769)");
        assertFalse(s.at("/process/capabilities").has("ambient"));
        assertEquals(
                "[\"A=1\",\"PATH=" + OciSpec.DEFAULT_PATH + "\",\"HOSTNAME=berth\"]",
                s.at("/process/env").toString());
        assertEquals("RLIMIT_NOFILE", s.at("/process/rlimits/0/type").asText());
        assertEquals(
                HostLimits.hardLimit("nofile").orElse(1048576),
                s.at("/process/rlimits/0/hard").asLong());
        List<String> mounts = new ArrayList<>();
        s.get("mounts").forEach(m -> mounts.add(m.get("destination").asText()));
        assertEquals(List.of("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"), mounts);
        assertTrue(s.at("/linux/maskedPaths").toString().contains("/proc/kcore"));
        assertTrue(s.at("/linux/readonlyPaths").toString().contains("/proc/sys"));
        assertEquals(
                "{\"allow\":false,\"access\":\"rwm\"}",
                s.at("/linux/resources/devices/0").toString());
        assertEquals("SCMP_ACT_ERRNO", s.at("/linux/seccomp/defaultAction").asText());
        assertEquals(
                HostLimits.x32Abi()
                        ? "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]"
                        : "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"]",
                s.at("/linux/seccomp/architectures").toString());
    }

    @Test
    void hostNetworkHasNoNetworkNamespaceEntry() {
        Spec s = OciSpec.build(request().netns(null).build());
        assertTrue(s.linux().namespaces().stream().noneMatch(n -> n.type().equals("network")));
    }

    @Test
    void seccompGatesAdminSyscallsOnCapabilities() {
        Seccomp plain = SeccompProfile.forCapabilities(Capabilities.DOCKER_DEFAULT);
        assertFalse(allowed(plain).contains("mount"));
        assertFalse(allowed(plain).contains("setns"));
        assertFalse(allowed(plain).contains("kexec_load"));
        assertFalse(allowed(plain).contains("init_module"));
        assertTrue(allowed(plain).contains("chroot"), "SYS_CHROOT is a default capability");
        Syscall clone3 = plain.syscalls().stream()
                .filter(c -> c.names().equals(List.of("clone3")))
                .findFirst()
                .orElseThrow();
        assertEquals("SCMP_ACT_ERRNO", clone3.action());
        assertEquals(38, clone3.errnoRet(), "clone3 answers ENOSYS so libc falls back to clone");

        List<String> admin = new ArrayList<>(Capabilities.DOCKER_DEFAULT);
        admin.add("CAP_SYS_ADMIN");
        Seccomp withAdmin = SeccompProfile.forCapabilities(admin);
        assertTrue(allowed(withAdmin).containsAll(List.of("mount", "umount2", "setns", "unshare", "clone3")));
        assertTrue(withAdmin.syscalls().stream().noneMatch(c -> "SCMP_ACT_ERRNO".equals(c.action())));

        assertNull(OciSpec.build(request().seccomp(SeccompMode.UNCONFINED).build())
                .linux()
                .seccomp());
        assertNull(OciSpec.build(request().privileged(true).build()).linux().seccomp());
    }

    @Test
    void capabilitiesFollowDockersRules() {
        assertEquals(List.of("CAP_NET_ADMIN"), Capabilities.resolve(false, List.of("CAP_NET_ADMIN"), List.of("ALL")));
        List<String> noRaw = Capabilities.resolve(false, List.of(), List.of("CAP_NET_RAW"));
        assertEquals(13, noRaw.size());
        assertEquals(Capabilities.grantable(), Capabilities.resolve(false, List.of("ALL"), List.of()));
        SpecRequest r = request().capAdd(List.of("net_admin", "SYS_ADMIN")).build();
        assertEquals(List.of("CAP_NET_ADMIN", "CAP_SYS_ADMIN"), r.capAdd());
        InvalidRequest e = assertThrows(
                InvalidRequest.class, () -> request().capAdd(List.of("CAP_FLY")).build());
        assertEquals("HostConfig.CapAdd: unknown capability: \"CAP_FLY\"", e.getMessage());
    }

    @Test
    void refusesWhatWouldFailOrIsNotDockers() {
        assertMessage(
                "HostConfig.Ulimits: nofile hard limit 1048576 is above this host's limit",
                () -> new Ulimit("nofile", 1048576, 1048576));
        assertMessage("HostConfig.Ulimits: invalid ulimit type: files", () -> new Ulimit("files", 1, 1));
        assertMessage(
                "HostConfig.Memory: Minimum memory limit allowed is 6MB",
                () -> request().memory(1024).build());
        assertMessage(
                "HostConfig.MemorySwap: Minimum memoryswap limit should be larger than memory limit",
                () -> request().memory(64 << 20).memorySwap(32 << 20).build());
        assertMessage(
                "HostConfig.NanoCpus: Range of CPUs is from 0.01 to",
                () -> request().nanoCpus(1_000_000_000L * 4096).build());
        assertMessage(
                "HostConfig.Sysctls: sysctl 'kernel.hostname' is not allowed",
                () -> request().sysctls(Map.of("kernel.hostname", "x")).build());
        assertMessage(
                "HostConfig.Sysctls: sysctl 'net.ipv4.ip_forward' is not allowed in the host's network namespace",
                () -> request()
                        .netns(null)
                        .sysctls(Map.of("net.ipv4.ip_forward", "1"))
                        .build());
        assertMessage(
                "HostConfig.OomScoreAdj: Invalid value 2000",
                () -> request().oomScoreAdj(2000).build());
        assertMessage(
                "Config.Cmd: no command specified",
                () -> request().args(List.of()).build());
        assertMessage(
                "Config.WorkingDir: the working directory 'tmp' is invalid",
                () -> request().cwd("tmp").build());
        assertMessage(
                "HostConfig.Tmpfs: invalid tmpfs option 'size=lots'",
                () -> new ContainerMount.Tmpfs("/run", "size=lots"));
        assertMessage(
                "HostConfig.Binds: bind source path does not exist: /no/such",
                () -> new ContainerMount.Bind(Path.of("/no/such"), "/x", false, null));
        assertMessage(
                "HostConfig.Mounts: Duplicate mount point: /run",
                () -> request()
                        .mounts(List.of(
                                new ContainerMount.Tmpfs("/run", ""),
                                new ContainerMount.Bind(Path.of("/tmp"), "/run", false, null)))
                        .build());
        assertMessage(
                "cgroupsPath:",
                () -> SpecRequest.builder(List.of("sh"), "berth/x").build());
    }

    @Test
    void limitsAndMountsInTheSpec() {
        Spec s = OciSpec.build(request()
                .memory(64L << 20)
                .pidsLimit(10)
                .nanoCpus(1_500_000_000L)
                .readonlyRootfs(true)
                .mounts(List.of(
                        new ContainerMount.Tmpfs("/dev/shm", "size=1m"),
                        new ContainerMount.Bind(Path.of("/tmp"), "/data", true, "rshared")))
                .build());
        assertEquals(64L << 20, s.linux().resources().memory().limit());
        assertEquals(10, s.linux().resources().pids().limit());
        assertEquals(150_000, s.linux().resources().cpu().quota());
        assertEquals(100_000, s.linux().resources().cpu().period());
        assertTrue(s.root().readonly());
        assertEquals("rshared", s.linux().rootfsPropagation());
        assertEquals(
                1,
                s.mounts().stream()
                        .filter(m -> m.destination().equals("/dev/shm"))
                        .count(),
                "a user mount replaces the standard one");
        assertEquals(
                List.of("noexec", "nosuid", "nodev", "size=1m"),
                s.mounts().stream()
                        .filter(m -> m.destination().equals("/dev/shm"))
                        .findFirst()
                        .orElseThrow()
                        .options());
        assertEquals(
                List.of("rbind", "rshared", "ro"),
                s.mounts().stream()
                        .filter(m -> m.destination().equals("/data"))
                        .findFirst()
                        .orElseThrow()
                        .options());
    }

    @Test
    void execProcessCarriesTheContainersCapabilities() throws Exception {
        SpecRequest c =
                request().capAdd(List.of("NET_ADMIN")).noNewPrivileges(true).build();
        JsonNode p = JSON.readTree(OciSpec.processJson(ProcessRequest.exec(
                c, List.of("sh"), List.of(), "/tmp", new ProcessUser(5, 6, List.of(7L)), true, false)));
        assertEquals(15, p.at("/capabilities/bounding").size());
        assertTrue(p.at("/capabilities/effective").toString().contains("CAP_NET_ADMIN"));
        assertTrue(p.get("noNewPrivileges").asBoolean());
        assertTrue(p.get("terminal").asBoolean());
        assertEquals(
                "{\"uid\":5,\"gid\":6,\"additionalGids\":[7]}", p.get("user").toString());
        assertEquals("/tmp", p.get("cwd").asText());
    }

    @Test
    void userResolverFollowsDockersRules() {
        Map<String, String> files = Map.of(
                "/etc/passwd",
                        "root:x:0:0:root:/root:/bin/sh\n# comment\nwww:x:33:33:www:/var/www:/bin/false\nnobody:x:65534:65534::/nonexistent:/bin/false\n",
                "/etc/group", "root:x:0:\nwww:x:33:\nweb:x:200:www,other\nlog:x:201:www\nnogroup:x:65534:\n");
        UserResolver u = new UserResolver(p -> Optional.ofNullable(files.get(p)).map(String::getBytes));
        assertEquals(new UserResolver.Resolved(new ProcessUser(0, 0, List.of()), "/root"), u.resolve("", List.of()));
        assertEquals(
                new UserResolver.Resolved(new ProcessUser(33, 33, List.of(200L, 201L)), "/var/www"),
                u.resolve("www", List.of()));
        assertEquals(
                new ProcessUser(33, 33, List.of(200L, 201L)),
                u.resolve("33", List.of()).user());
        assertEquals(
                new ProcessUser(33, 200, List.of()),
                u.resolve("www:web", List.of()).user(),
                "an explicit group: no supplementary ones");
        assertEquals(new UserResolver.Resolved(new ProcessUser(1234, 0, List.of()), "/"), u.resolve("1234", List.of()));
        assertEquals(
                new ProcessUser(1234, 99, List.of()),
                u.resolve("1234:99", List.of()).user());
        assertEquals(
                new ProcessUser(65534, 65534, List.of(200L, 7L)),
                u.resolve("nobody", List.of("web", "7")).user());
        assertMessage(
                "Config.User: unable to find user bob: no matching entries in passwd file",
                () -> u.resolve("bob", List.of()));
        assertMessage(
                "Config.User: unable to find group staff: no matching entries in group file",
                () -> u.resolve("www:staff", List.of()));
        assertMessage(
                "Config.User: uids and gids must be in range 0-2147483647", () -> u.resolve("4294967296", List.of()));
        assertMessage("HostConfig.GroupAdd: Unable to find group wheel", () -> u.resolve("www", List.of("wheel")));
        UserResolver bare = new UserResolver(p -> Optional.empty());
        assertEquals(
                new ProcessUser(1000, 1000, List.of()),
                bare.resolve("1000:1000", List.of()).user(),
                "numeric ids need no passwd");
        assertMessage("Config.User: unable to find user app", () -> bare.resolve("app", List.of()));
    }

    private static List<String> allowed(Seccomp s) {
        List<String> out = new ArrayList<>();
        for (Syscall c : s.syscalls()) if (c.action().equals("SCMP_ACT_ALLOW")) out.addAll(c.names());
        return out;
    }

    private static void assertMessage(String prefix, Runnable r) {
        InvalidRequest e = assertThrows(InvalidRequest.class, r::run);
        assertTrue(e.getMessage().startsWith(prefix), "expected '" + prefix + "...', got: " + e.getMessage());
    }
}
