package dev.berth.daemon.api.shapes;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /info}: the fields of Docker's SystemInfo that Berth reports, from berthd's state and the machine. */
public record SystemInfo(
        @JsonProperty("ID") String id,
        @JsonProperty("Containers") int containers,
        @JsonProperty("ContainersRunning") long containersRunning,
        @JsonProperty("ContainersPaused") long containersPaused,
        @JsonProperty("Name") String name,
        @JsonProperty("ServerVersion") String serverVersion,
        @JsonProperty("NCPU") int ncpu,
        @JsonProperty("MemTotal") long memTotal,
        @JsonProperty("KernelVersion") String kernelVersion,
        @JsonProperty("OperatingSystem") String operatingSystem,
        @JsonProperty("OSVersion") String osVersion,
        @JsonProperty("OSType") String osType,
        @JsonProperty("Architecture") String architecture,
        @JsonProperty("Driver") String driver,
        @JsonProperty("CgroupDriver") String cgroupDriver,
        @JsonProperty("CgroupVersion") String cgroupVersion,
        @JsonProperty("SecurityOptions") List<String> securityOptions,
        @JsonProperty("DefaultRuntime") String defaultRuntime,
        @JsonProperty("Runtimes") Map<String, Runtime> runtimes,
        @JsonProperty("LoggingDriver") String loggingDriver,
        @JsonProperty("Swarm") Swarm swarm,
        @JsonProperty("DockerRootDir") String dockerRootDir,
        @JsonProperty("RegistryConfig") RegistryConfig registryConfig) {

    /** The same with Docker's registry settings ({@code docker info}'s "Insecure Registries"). */
    public SystemInfo withRegistryConfig(RegistryConfig r) {
        return new SystemInfo(
                id,
                containers,
                containersRunning,
                containersPaused,
                name,
                serverVersion,
                ncpu,
                memTotal,
                kernelVersion,
                operatingSystem,
                osVersion,
                osType,
                architecture,
                driver,
                cgroupDriver,
                cgroupVersion,
                securityOptions,
                defaultRuntime,
                runtimes,
                loggingDriver,
                swarm,
                dockerRootDir,
                r);
    }

    /**
     * Docker's RegistryServiceConfig: the CIDRs whose registries may speak plain HTTP and one IndexInfo per
     * registry named (Secure false for the insecure ones; docker.io, the official index, always there).
     */
    public record RegistryConfig(
            @JsonProperty("AllowNondistributableArtifactsCIDRs")
            List<String> allowNondistributableCidrs,

            @JsonProperty("AllowNondistributableArtifactsHostnames")
            List<String> allowNondistributableHostnames,

            @JsonProperty("InsecureRegistryCIDRs") List<String> insecureRegistryCidrs,
            @JsonProperty("IndexConfigs") Map<String, IndexInfo> indexConfigs,
            @JsonProperty("Mirrors") List<String> mirrors) {

        public static RegistryConfig of(List<String> insecureNames, List<String> insecureCidrs) {
            Map<String, IndexInfo> index = new LinkedHashMap<>();
            index.put("docker.io", new IndexInfo("docker.io", List.of(), true, true));
            for (String n : insecureNames) index.put(n, new IndexInfo(n, List.of(), false, false));
            return new RegistryConfig(List.of(), List.of(), List.copyOf(insecureCidrs), index, List.of());
        }
    }

    public record IndexInfo(
            @JsonProperty("Name") String name,
            @JsonProperty("Mirrors") List<String> mirrors,
            @JsonProperty("Secure") boolean secure,
            @JsonProperty("Official") boolean official) {}

    public record Runtime(@JsonProperty("path") String path) {}

    /** Always inactive: Berth has no swarm mode. */
    public record Swarm(
            @JsonProperty("NodeID") String nodeId,
            @JsonProperty("NodeAddr") String nodeAddr,
            @JsonProperty("LocalNodeState") String localNodeState,
            @JsonProperty("ControlAvailable") boolean controlAvailable,
            @JsonProperty("Error") String error,
            @JsonProperty("RemoteManagers") List<Object> remoteManagers) {
        public static final Swarm INACTIVE = new Swarm("", "", "inactive", false, "", List.of());
    }

    /** What the machine says about itself (from /proc, /etc/os-release, /sys/fs/cgroup). */
    public record Host(
            int ncpu,
            long memTotal,
            String kernelVersion,
            String operatingSystem,
            String osVersion,
            String architecture,
            String cgroupVersion) {}

    /** berthd's counts and names with the machine's facts, Docker's constant words around them. */
    public static SystemInfo of(
            String name, String serverVersion, int containers, long running, long paused, Host h, String rootDir) {
        return new SystemInfo(
                "berth",
                containers,
                running,
                paused,
                name,
                serverVersion,
                h.ncpu(),
                h.memTotal(),
                h.kernelVersion(),
                h.operatingSystem(),
                h.osVersion(),
                "linux",
                h.architecture(),
                "overlayfs",
                "cgroupfs",
                h.cgroupVersion(),
                List.of("name=seccomp,profile=builtin"),
                "runc",
                Map.of("runc", new Runtime("runc")),
                "json-file",
                Swarm.INACTIVE,
                rootDir,
                RegistryConfig.of(List.of(), List.of("127.0.0.0/8", "::1/128")));
    }
}
