package dev.berth.runtime.oci;

import dev.berth.model.BerthException.InvalidRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything Berth decides about one container's process and isolation, from docker's Config and
 * HostConfig and the image's config (see {@link OciSpec#toJson}). Checked on construction; messages name
 * the docker field at fault. Make one with {@link #builder}.
 *
 * @param args            the program and its arguments (Entrypoint + Cmd, already combined)
 * @param env             {@code KEY=value} entries
 * @param cwd             the absolute working directory inside the container
 * @param user            the resolved identity ({@link UserResolver})
 * @param terminal        whether the process gets a pseudo-terminal ({@code -t})
 * @param hostname        the container's hostname (its own UTS namespace)
 * @param netns           the network namespace file to join (a sandbox's, or another container's); null:
 *                        the host's ({@code --network host}), no network namespace of its own
 * @param readonlyRootfs  {@code --read-only}
 * @param privileged      {@code --privileged}: all capabilities and devices, no seccomp, nothing masked
 * @param capAdd          {@code --cap-add}, names with or without {@code CAP_}, or ALL
 * @param capDrop         {@code --cap-drop}, likewise
 * @param seccomp         the default profile, or unconfined
 * @param mounts          binds, tmpfs and the /etc files, on top of the standard mounts
 * @param memory          {@code --memory} in bytes; 0: no limit
 * @param memorySwap      {@code --memory-swap} in bytes (memory + swap); 0: twice {@code memory}, as Docker; -1: unlimited swap
 * @param nanoCpus        {@code --cpus} times 10^9; 0: no limit
 * @param cpuShares       {@code --cpu-shares}; 0: the kernel's default
 * @param pidsLimit       {@code --pids-limit}; 0 or less: no limit
 * @param ulimits         {@code --ulimit}; RLIMIT_NOFILE defaults to the daemon's own hard limit
 * @param sysctls         {@code --sysctl}, namespaced ones only (as Docker)
 * @param cgroupsPath     the container's cgroup, e.g. {@code /berth/<id>}
 * @param oomScoreAdj     {@code --oom-score-adj}, -1000..1000
 * @param noNewPrivileges {@code --security-opt no-new-privileges}
 * @param maskedPaths     {@code HostConfig.MaskedPaths}; null: Docker's list (none when privileged)
 * @param readonlyPaths   {@code HostConfig.ReadonlyPaths}; null: Docker's list (none when privileged)
 */
public record SpecRequest(
        List<String> args,
        List<String> env,
        String cwd,
        ProcessUser user,
        boolean terminal,
        String hostname,
        Path netns,
        boolean readonlyRootfs,
        boolean privileged,
        List<String> capAdd,
        List<String> capDrop,
        SeccompMode seccomp,
        List<ContainerMount> mounts,
        long memory,
        long memorySwap,
        long nanoCpus,
        long cpuShares,
        long pidsLimit,
        List<Ulimit> ulimits,
        Map<String, String> sysctls,
        String cgroupsPath,
        int oomScoreAdj,
        boolean noNewPrivileges,
        List<String> maskedPaths,
        List<String> readonlyPaths) {

    private static final Pattern HOSTNAME = Pattern.compile("[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,62})");
    private static final Pattern CGROUP = Pattern.compile("(/[a-zA-Z0-9_.:-]+)+");
    private static final long MIN_MEMORY = 6L * 1024 * 1024;
    /** IPC sysctls a container may set in its own IPC namespace (Docker's list). */
    private static final Set<String> IPC_SYSCTLS = Set.of(
            "kernel.msgmax",
            "kernel.msgmnb",
            "kernel.msgmni",
            "kernel.sem",
            "kernel.shmall",
            "kernel.shmmax",
            "kernel.shmmni",
            "kernel.shm_rmid_forced");

    public SpecRequest {
        args = checkArgs("Config.Cmd", args);
        env = checkEnv(env);
        if (cwd == null || cwd.isEmpty()) cwd = "/";
        if (!cwd.startsWith("/"))
            throw new InvalidRequest(
                    "Config.WorkingDir",
                    "the working directory '" + cwd + "' is invalid: it needs to be an absolute path");
        if (user == null) user = ProcessUser.ROOT;
        if (hostname == null || !HOSTNAME.matcher(hostname).matches())
            throw new InvalidRequest(
                    "Config.Hostname",
                    "invalid hostname format: '" + hostname + "' (1-63 of a-z, A-Z, 0-9, '_', '.', '-')");
        capAdd = Capabilities.normalizeAll("HostConfig.CapAdd", capAdd);
        capDrop = Capabilities.normalizeAll("HostConfig.CapDrop", capDrop);
        Capabilities.resolve(privileged, capAdd, capDrop); // refuses what cannot be granted, now rather than at start
        if (seccomp == null) seccomp = SeccompMode.DEFAULT;
        mounts = checkMounts(mounts);
        checkMemory(memory, memorySwap);
        checkCpus(nanoCpus, cpuShares);
        ulimits = checkUlimits(ulimits);
        sysctls = checkSysctls(sysctls, netns == null);
        if (cgroupsPath == null
                || !CGROUP.matcher(cgroupsPath).matches()
                || cgroupsPath.contains("/../")
                || cgroupsPath.endsWith("/.."))
            throw new InvalidRequest(
                    "cgroupsPath", "'" + cgroupsPath + "' must be an absolute cgroup path such as /berth/<id>");
        if (oomScoreAdj < -1000 || oomScoreAdj > 1000)
            throw new InvalidRequest(
                    "HostConfig.OomScoreAdj",
                    "Invalid value " + oomScoreAdj + ", range for oom score adj is [-1000, 1000]");
        maskedPaths = checkPaths("HostConfig.MaskedPaths", maskedPaths);
        readonlyPaths = checkPaths("HostConfig.ReadonlyPaths", readonlyPaths);
    }

    /** A request for {@code args} in cgroup {@code cgroupsPath}, with Docker's defaults for everything else. */
    public static Builder builder(List<String> args, String cgroupsPath) {
        return new Builder(args, cgroupsPath);
    }

    static List<String> checkArgs(String field, List<String> args) {
        if (args == null || args.isEmpty()) throw new InvalidRequest(field, "no command specified");
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a == null || a.indexOf('\0') >= 0)
                throw new InvalidRequest(field + "[" + i + "]", "is null or holds a NUL byte");
        }
        if (args.getFirst().isEmpty()) throw new InvalidRequest(field, "the program to run is an empty string");
        return List.copyOf(args);
    }

    static List<String> checkEnv(List<String> env) {
        if (env == null) return List.of();
        for (int i = 0; i < env.size(); i++) {
            String e = env.get(i);
            if (e == null || e.indexOf('\0') >= 0 || e.indexOf('=') <= 0)
                throw new InvalidRequest("Config.Env[" + i + "]", "'" + e + "' is not KEY=value");
        }
        return List.copyOf(env);
    }

    private static List<ContainerMount> checkMounts(List<ContainerMount> mounts) {
        if (mounts == null) return List.of();
        Set<String> targets = new HashSet<>();
        for (ContainerMount m : mounts) {
            if (m == null) throw new InvalidRequest("HostConfig.Mounts", "contains a null mount");
            if (!targets.add(m.target()))
                throw new InvalidRequest("HostConfig.Mounts", "Duplicate mount point: " + m.target());
        }
        return List.copyOf(mounts);
    }

    private static void checkMemory(long memory, long memorySwap) {
        if (memory < 0)
            throw new InvalidRequest("HostConfig.Memory", "must be 0 (no limit) or a number of bytes: " + memory);
        if (memory > 0 && memory < MIN_MEMORY)
            throw new InvalidRequest("HostConfig.Memory", "Minimum memory limit allowed is 6MB");
        if (memorySwap < -1)
            throw new InvalidRequest(
                    "HostConfig.MemorySwap", "must be -1 (unlimited), 0 or a number of bytes: " + memorySwap);
        if (memorySwap > 0 && memory == 0)
            throw new InvalidRequest(
                    "HostConfig.MemorySwap", "You should always set the Memory limit when using Memoryswap limit");
        if (memorySwap > 0 && memorySwap < memory)
            throw new InvalidRequest(
                    "HostConfig.MemorySwap", "Minimum memoryswap limit should be larger than memory limit");
        if (memorySwap > 0 && !HostLimits.swapAccounting())
            throw new InvalidRequest(
                    "HostConfig.MemorySwap",
                    "this kernel has no swap accounting (memory.memsw.*); leave --memory-swap unset");
    }

    private static void checkCpus(long nanoCpus, long cpuShares) {
        long max = HostLimits.cpus() * 1_000_000_000L;
        if (nanoCpus < 0 || (nanoCpus > 0 && nanoCpus < 10_000_000L) || nanoCpus > max)
            throw new InvalidRequest(
                    "HostConfig.NanoCpus",
                    "Range of CPUs is from 0.01 to " + HostLimits.cpus() + ".00, as there are only " + HostLimits.cpus()
                            + " CPUs available");
        if (cpuShares < 0)
            throw new InvalidRequest("HostConfig.CpuShares", "must be 0 (default) or positive: " + cpuShares);
    }

    private static List<Ulimit> checkUlimits(List<Ulimit> ulimits) {
        if (ulimits == null) return List.of();
        Set<String> names = new HashSet<>();
        for (Ulimit u : ulimits) {
            if (u == null) throw new InvalidRequest("HostConfig.Ulimits", "contains a null entry");
            if (!names.add(u.name()))
                throw new InvalidRequest("HostConfig.Ulimits", "ulimit " + u.name() + " is given twice");
        }
        return List.copyOf(ulimits);
    }

    /** Namespaced sysctls only, as Docker: IPC ones, fs.mqueue.*, and net.* unless on the host's network. */
    private static Map<String, String> checkSysctls(Map<String, String> sysctls, boolean hostNetwork) {
        if (sysctls == null) return Map.of();
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : sysctls.entrySet()) {
            String k = e.getKey();
            if (k == null || e.getValue() == null || e.getValue().indexOf('\0') >= 0)
                throw new InvalidRequest("HostConfig.Sysctls", "sysctl '" + k + "' needs a value");
            boolean net = k.startsWith("net.");
            if (!(IPC_SYSCTLS.contains(k) || k.startsWith("fs.mqueue.") || net))
                throw new InvalidRequest(
                        "HostConfig.Sysctls",
                        "sysctl '" + k + "' is not allowed: only namespaced ones are"
                                + " (kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.*)");
            if (net && hostNetwork)
                throw new InvalidRequest(
                        "HostConfig.Sysctls", "sysctl '" + k + "' is not allowed in the host's network namespace");
            out.put(k, e.getValue());
        }
        return Map.copyOf(out);
    }

    private static List<String> checkPaths(String field, List<String> paths) {
        if (paths == null) return null;
        List<String> out = new ArrayList<>();
        for (String p : paths) {
            if (p == null || !p.startsWith("/"))
                throw new InvalidRequest(field, "'" + p + "' must be an absolute path");
            out.add(p);
        }
        return List.copyOf(out);
    }

    /** Fills a {@link SpecRequest} field by field; unset fields keep Docker's defaults. */
    public static final class Builder {
        private List<String> args;
        private List<String> env = List.of();
        private String cwd = "/";
        private ProcessUser user = ProcessUser.ROOT;
        private boolean terminal;
        private String hostname;
        private Path netns;
        private boolean netnsLater;
        private boolean readonlyRootfs;
        private boolean privileged;
        private List<String> capAdd = List.of();
        private List<String> capDrop = List.of();
        private SeccompMode seccomp = SeccompMode.DEFAULT;
        private List<ContainerMount> mounts = List.of();
        private long memory;
        private long memorySwap;
        private long nanoCpus;
        private long cpuShares;
        private long pidsLimit;
        private List<Ulimit> ulimits = List.of();
        private Map<String, String> sysctls = Map.of();
        private final String cgroupsPath;
        private int oomScoreAdj;
        private boolean noNewPrivileges;
        private List<String> maskedPaths;
        private List<String> readonlyPaths;

        private Builder(List<String> args, String cgroupsPath) {
            this.args = args;
            this.cgroupsPath = cgroupsPath;
            this.hostname = "berth";
        }

        public Builder args(List<String> v) {
            args = v;
            return this;
        }

        public Builder env(List<String> v) {
            env = v;
            return this;
        }

        public Builder cwd(String v) {
            cwd = v;
            return this;
        }

        public Builder user(ProcessUser v) {
            user = v;
            return this;
        }

        public Builder terminal(boolean v) {
            terminal = v;
            return this;
        }

        public Builder hostname(String v) {
            hostname = v;
            return this;
        }

        public Builder netns(Path v) {
            netns = v;
            netnsLater = false;
            return this;
        }
        /** A namespace that is made before the container runs (its sandbox's, at start): not checked for now. */
        public Builder netnsMadeLater(Path v) {
            if (v != null) {
                netns = v;
                netnsLater = true;
            }
            return this;
        }

        public Builder readonlyRootfs(boolean v) {
            readonlyRootfs = v;
            return this;
        }

        public Builder privileged(boolean v) {
            privileged = v;
            return this;
        }

        public Builder capAdd(List<String> v) {
            capAdd = v;
            return this;
        }

        public Builder capDrop(List<String> v) {
            capDrop = v;
            return this;
        }

        public Builder seccomp(SeccompMode v) {
            seccomp = v;
            return this;
        }

        public Builder mounts(List<ContainerMount> v) {
            mounts = v;
            return this;
        }

        public Builder memory(long v) {
            memory = v;
            return this;
        }

        public Builder memorySwap(long v) {
            memorySwap = v;
            return this;
        }

        public Builder nanoCpus(long v) {
            nanoCpus = v;
            return this;
        }

        public Builder cpuShares(long v) {
            cpuShares = v;
            return this;
        }

        public Builder pidsLimit(long v) {
            pidsLimit = v;
            return this;
        }

        public Builder ulimits(List<Ulimit> v) {
            ulimits = v;
            return this;
        }

        public Builder sysctls(Map<String, String> v) {
            sysctls = v;
            return this;
        }

        public Builder oomScoreAdj(int v) {
            oomScoreAdj = v;
            return this;
        }

        public Builder noNewPrivileges(boolean v) {
            noNewPrivileges = v;
            return this;
        }

        public Builder maskedPaths(List<String> v) {
            maskedPaths = v;
            return this;
        }

        public Builder readonlyPaths(List<String> v) {
            readonlyPaths = v;
            return this;
        }

        public SpecRequest build() {
            if (netns != null && !netnsLater && !Files.exists(netns))
                throw new InvalidRequest("NetworkMode", "network namespace " + netns + " does not exist");
            return new SpecRequest(
                    args,
                    env,
                    cwd,
                    user,
                    terminal,
                    hostname,
                    netns,
                    readonlyRootfs,
                    privileged,
                    capAdd,
                    capDrop,
                    seccomp,
                    mounts,
                    memory,
                    memorySwap,
                    nanoCpus,
                    cpuShares,
                    pidsLimit,
                    ulimits,
                    sysctls,
                    cgroupsPath,
                    oomScoreAdj,
                    noNewPrivileges,
                    maskedPaths,
                    readonlyPaths);
        }
    }
}
