package dev.berth.daemon.api.shapes;

import com.fasterxml.jackson.annotation.JsonProperty;
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
        @JsonProperty("DockerRootDir") String dockerRootDir) {

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
                rootDir);
    }
}
