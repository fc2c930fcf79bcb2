package dev.berth.runtime.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.runtime.oci.ContainerMount.Bind;
import dev.berth.runtime.oci.ContainerMount.EtcFile;
import dev.berth.runtime.oci.ContainerMount.Tmpfs;
import dev.berth.runtime.oci.OciModel.CapabilitySets;
import dev.berth.runtime.oci.OciModel.Cpu;
import dev.berth.runtime.oci.OciModel.Linux;
import dev.berth.runtime.oci.OciModel.Memory;
import dev.berth.runtime.oci.OciModel.Mount;
import dev.berth.runtime.oci.OciModel.Namespace;
import dev.berth.runtime.oci.OciModel.Pids;
import dev.berth.runtime.oci.OciModel.Process;
import dev.berth.runtime.oci.OciModel.Resources;
import dev.berth.runtime.oci.OciModel.Rlimit;
import dev.berth.runtime.oci.OciModel.Root;
import dev.berth.runtime.oci.OciModel.Spec;
import dev.berth.runtime.oci.OciModel.User;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/**
 * Builds the OCI runtime spec (config.json, runtime-spec 1.0.2) Berth gives containerd for a container,
 * and the process spec of an exec: Docker's isolation from Berth's own definitions (namespaces, the 14
 * default capabilities, {@link SeccompProfile}, masked paths, the device allow-list, cgroup limits).
 */
public final class OciSpec {
    public static final String VERSION = "1.0.2";
    /** The root file system's path relative to the bundle, where containerd mounts the snapshot. */
    public static final String ROOTFS = "rootfs";

    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final long CPU_PERIOD = 100_000;
    private static final BigInteger RLIM_INFINITY = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final ObjectMapper JSON = new ObjectMapper();

    private OciSpec() {}

    /** The container's config.json. */
    public static byte[] toJson(SpecRequest r) {
        return write(build(r));
    }

    /** The process spec of an exec in a container (containerd's ExecProcess spec). */
    public static byte[] processJson(ProcessRequest p) {
        return write(process(p));
    }

    /** The spec as records, for callers that inspect or adjust it before writing. */
    public static Spec build(SpecRequest r) {
        List<String> caps = Capabilities.resolve(r.privileged(), r.capAdd(), r.capDrop());
        Process process = new Process(
                r.terminal(),
                user(r.user()),
                r.args(),
                env(r.env(), r.hostname(), r.terminal()),
                r.cwd(),
                capabilities(caps),
                rlimits(r.ulimits()),
                r.noNewPrivileges(),
                r.oomScoreAdj());
        return new Spec(
                VERSION, process, new Root(ROOTFS, r.readonlyRootfs()), r.hostname(), mounts(r), linux(r, caps));
    }

    static Process process(ProcessRequest p) {
        List<String> caps = Capabilities.resolve(p.privileged(), p.capAdd(), p.capDrop());
        return new Process(
                p.terminal(),
                user(p.user()),
                p.args(),
                withDefault(p.env(), "PATH", DEFAULT_PATH),
                p.cwd(),
                capabilities(caps),
                rlimits(p.ulimits()),
                p.noNewPrivileges(),
                null);
    }

    private static Linux linux(SpecRequest r, List<String> caps) {
        List<Namespace> ns = new ArrayList<>(List.of(
                new Namespace("pid", null),
                new Namespace("ipc", null),
                new Namespace("uts", null),
                new Namespace("mount", null)));
        if (r.netns() != null) ns.add(new Namespace("network", r.netns().toString()));
        Resources resources = new Resources(
                r.privileged() ? DockerDefaults.allDevices() : DockerDefaults.deviceRules(),
                memory(r.memory(), r.memorySwap()),
                cpu(r.nanoCpus(), r.cpuShares()),
                r.pidsLimit() > 0 ? new Pids(r.pidsLimit()) : null);
        List<String> masked =
                r.maskedPaths() != null ? r.maskedPaths() : r.privileged() ? List.of() : DockerDefaults.MASKED_PATHS;
        List<String> readonly = r.readonlyPaths() != null
                ? r.readonlyPaths()
                : r.privileged() ? List.of() : DockerDefaults.READONLY_PATHS;
        boolean confined = !r.privileged() && r.seccomp() == SeccompMode.DEFAULT;
        return new Linux(
                ns,
                r.privileged() ? HostDevices.list() : List.of(),
                r.cgroupsPath(),
                resources,
                r.sysctls().isEmpty() ? null : r.sysctls(),
                confined ? SeccompProfile.forCapabilities(caps) : null,
                rootfsPropagation(r.mounts()),
                masked,
                readonly);
    }

    /** The standard mounts (those a user mount replaces dropped), then the user's, parents before children. */
    private static List<Mount> mounts(SpecRequest r) {
        List<Mount> out = new ArrayList<>();
        for (Mount m : DockerDefaults.standardMounts(r.privileged(), r.readonlyRootfs())) {
            boolean replaced = false;
            for (ContainerMount u : r.mounts()) replaced |= u.target().equals(m.destination());
            if (!replaced) out.add(m);
        }
        List<ContainerMount> user = new ArrayList<>(r.mounts());
        user.sort(Comparator.comparingInt(m -> m.target().split("/").length));
        for (ContainerMount m : user) out.add(mount(m, r.readonlyRootfs()));
        return out;
    }

    private static Mount mount(ContainerMount m, boolean readonlyRootfs) {
        return switch (m) {
            case Bind b ->
                new Mount(
                        b.target(),
                        "bind",
                        b.source().toString(),
                        List.of("rbind", b.propagation(), b.readOnly() ? "ro" : "rw"));
            case Tmpfs t -> new Mount(t.target(), "tmpfs", "tmpfs", tmpfsOptions(t.optionList()));
            case EtcFile e ->
                new Mount(
                        e.target(),
                        "bind",
                        e.source().toString(),
                        List.of("rbind", "rprivate", readonlyRootfs ? "ro" : "rw"));
        };
    }

    /** Docker's tmpfs defaults (noexec, nosuid, nodev), each dropped when the user asks for its opposite. */
    private static List<String> tmpfsOptions(List<String> given) {
        List<String> out = new ArrayList<>();
        for (String d : List.of("noexec", "nosuid", "nodev")) {
            if (!given.contains(d.substring(2))) out.add(d);
        }
        for (String o : given) if (!out.contains(o)) out.add(o);
        return out;
    }

    /** Shared or slave bind mounts need the root's propagation to carry them (Docker sets it the same way). */
    private static String rootfsPropagation(List<ContainerMount> mounts) {
        String out = null;
        for (ContainerMount m : mounts) {
            if (!(m instanceof Bind b)) continue;
            if (b.propagation().endsWith("shared")) return "rshared";
            if (b.propagation().endsWith("slave")) out = "rslave";
        }
        return out;
    }

    /** Docker gives no inheritable or ambient capabilities (CVE-2022-24769): a non-root user ends with none effective. */
    private static CapabilitySets capabilities(List<String> caps) {
        return new CapabilitySets(caps, caps, null, caps, null);
    }

    private static User user(ProcessUser u) {
        return new User(u.uid(), u.gid(), u.additionalGids().isEmpty() ? null : u.additionalGids());
    }

    /** Docker's environment: PATH when the image has none, HOSTNAME, and TERM=xterm with a terminal. */
    private static List<String> env(List<String> env, String hostname, boolean terminal) {
        List<String> out = withDefault(env, "PATH", DEFAULT_PATH);
        out = withDefault(out, "HOSTNAME", hostname);
        return terminal ? withDefault(out, "TERM", "xterm") : out;
    }

    private static List<String> withDefault(List<String> env, String key, String value) {
        for (String e : env) if (e.startsWith(key + "=")) return env;
        List<String> out = new ArrayList<>(env);
        out.add(key + "=" + value);
        return List.copyOf(out);
    }

    /**
     * The requested ulimits; RLIMIT_NOFILE defaults to the daemon's own hard limit (Docker's 1048576 at most:
     * asking more than the daemon holds fails without CAP_SYS_RESOURCE).
     */
    private static List<Rlimit> rlimits(List<Ulimit> ulimits) {
        List<Rlimit> out = new ArrayList<>();
        boolean nofile = false;
        for (Ulimit u : ulimits) {
            out.add(new Rlimit(u.type(), limit(u.hard()), limit(u.soft())));
            nofile |= u.name().equals("nofile");
        }
        if (!nofile) {
            OptionalLong hard = HostLimits.hardLimit("nofile");
            long n = Math.min(hard.orElse(1_048_576L), 1_048_576L);
            out.add(new Rlimit("RLIMIT_NOFILE", BigInteger.valueOf(n), BigInteger.valueOf(n)));
        }
        return out;
    }

    private static BigInteger limit(long v) {
        return v == -1 ? RLIM_INFINITY : BigInteger.valueOf(v);
    }

    /** Memory and memory+swap; with only --memory, swap is twice the memory as in Docker. */
    private static Memory memory(long memory, long memorySwap) {
        if (memory == 0) return null; // swap is limited only together with memory
        Long swap = !HostLimits.swapAccounting() ? null : memorySwap == 0 ? 2 * memory : memorySwap;
        return new Memory(memory, swap);
    }

    /** {@code --cpus} as a CFS quota over Docker's 100 ms period; {@code --cpu-shares} as is. */
    private static Cpu cpu(long nanoCpus, long shares) {
        if (nanoCpus == 0 && shares == 0) return null;
        Long quota = nanoCpus > 0 ? nanoCpus * CPU_PERIOD / 1_000_000_000L : null;
        return new Cpu(shares > 0 ? shares : null, quota, quota != null ? CPU_PERIOD : null);
    }

    private static byte[] write(Object o) {
        try {
            return JSON.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the OCI spec", e);
        }
    }
}
