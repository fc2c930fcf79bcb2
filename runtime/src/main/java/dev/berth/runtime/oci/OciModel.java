package dev.berth.runtime.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * The subset of the OCI runtime specification 1.0.2 ({@code config.json}) that Berth writes, as Jackson
 * records: component names are the JSON field names, null fields are left out.
 */
public final class OciModel {
    private OciModel() {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Spec(
            String ociVersion, Process process, Root root, String hostname, List<Mount> mounts, Linux linux) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Process(
            boolean terminal,
            User user,
            List<String> args,
            List<String> env,
            String cwd,
            CapabilitySets capabilities,
            List<Rlimit> rlimits,
            boolean noNewPrivileges,
            Integer oomScoreAdj) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record User(long uid, long gid, List<Long> additionalGids) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CapabilitySets(
            List<String> bounding,
            List<String> effective,
            List<String> inheritable,
            List<String> permitted,
            List<String> ambient) {}

    /** Limits are unsigned 64-bit in the spec; {@code 2^64-1} is RLIM_INFINITY. */
    public record Rlimit(String type, BigInteger hard, BigInteger soft) {}

    public record Root(String path, boolean readonly) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Mount(String destination, String type, String source, List<String> options) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Linux(
            List<Namespace> namespaces,
            List<Device> devices,
            String cgroupsPath,
            Resources resources,
            Map<String, String> sysctl,
            Seccomp seccomp,
            String rootfsPropagation,
            List<String> maskedPaths,
            List<String> readonlyPaths) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Namespace(String type, String path) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Device(String path, String type, long major, long minor, Integer fileMode, Long uid, Long gid) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Resources(List<DeviceRule> devices, Memory memory, Cpu cpu, Pids pids) {}

    /** A devices-cgroup rule; null major or minor is the wildcard {@code *}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Memory(Long limit, Long swap) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Cpu(Long shares, Long quota, Long period) {}

    public record Pids(long limit) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Seccomp(
            String defaultAction, Integer defaultErrnoRet, List<String> architectures, List<Syscall> syscalls) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Syscall(List<String> names, String action, Integer errnoRet, List<SyscallArg> args) {}

    public record SyscallArg(int index, long value, long valueTwo, String op) {}
}
