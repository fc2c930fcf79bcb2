package dev.berth.daemon.api.shapes;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.daemon.containers.Healthcheck;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /containers/{id}/json}: Docker's ContainerInspectResponse, the fields Berth implements. Fields Docker
 * leaves out when unset are {@code NON_NULL} here (null: left out); the others are written also when null.
 */
public record ContainerInspect(
        @JsonProperty("Id") String id,
        @JsonProperty("Created") String created,
        @JsonProperty("Path") String path,
        @JsonProperty("Args") List<String> args,
        @JsonProperty("State") State state,
        @JsonProperty("Image") String image,
        @JsonProperty("ResolvConfPath") String resolvConfPath,
        @JsonProperty("HostnamePath") String hostnamePath,
        @JsonProperty("HostsPath") String hostsPath,
        @JsonProperty("LogPath") String logPath,
        @JsonProperty("Name") String name,
        @JsonProperty("RestartCount") int restartCount,
        @JsonProperty("Driver") String driver,
        @JsonProperty("Platform") String platform,
        @JsonProperty("MountLabel") String mountLabel,
        @JsonProperty("ProcessLabel") String processLabel,
        @JsonProperty("AppArmorProfile") String appArmorProfile,
        @JsonProperty("ExecIDs") List<String> execIds,
        @JsonProperty("HostConfig") HostConfig hostConfig,
        @JsonProperty("Mounts") List<MountPoint> mounts,
        @JsonProperty("Config") Config config,
        @JsonProperty("NetworkSettings") NetworkSettings networkSettings) {

    public record State(
            @JsonProperty("Status") String status,
            @JsonProperty("Running") boolean running,
            @JsonProperty("Paused") boolean paused,
            @JsonProperty("Restarting") boolean restarting,
            @JsonProperty("OOMKilled") boolean oomKilled,
            @JsonProperty("Dead") boolean dead,
            @JsonProperty("Pid") long pid,
            @JsonProperty("ExitCode") int exitCode,
            @JsonProperty("Error") String error,
            @JsonProperty("StartedAt") String startedAt,
            @JsonProperty("FinishedAt") String finishedAt,

            @JsonProperty("Health") @JsonInclude(JsonInclude.Include.NON_NULL)
            Health health) {}

    /** State.Health: the status, failures in a row and the last runs of the check. */
    public record Health(
            @JsonProperty("Status") String status,
            @JsonProperty("FailingStreak") int failingStreak,
            @JsonProperty("Log") List<HealthLog> log) {}

    public record HealthLog(
            @JsonProperty("Start") String start,
            @JsonProperty("End") String end,
            @JsonProperty("ExitCode") int exitCode,
            @JsonProperty("Output") String output) {}

    public record HostConfig(
            @JsonProperty("Binds") List<String> binds,
            @JsonProperty("ContainerIDFile") String containerIdFile,
            @JsonProperty("LogConfig") LogConfig logConfig,
            @JsonProperty("NetworkMode") String networkMode,
            @JsonProperty("PortBindings") Map<String, List<PortBinding>> portBindings,
            @JsonProperty("RestartPolicy") RestartPolicy restartPolicy,
            @JsonProperty("AutoRemove") boolean autoRemove,
            @JsonProperty("CapAdd") List<String> capAdd,
            @JsonProperty("CapDrop") List<String> capDrop,
            @JsonProperty("Dns") List<String> dns,
            @JsonProperty("DnsOptions") List<String> dnsOptions,
            @JsonProperty("DnsSearch") List<String> dnsSearch,
            @JsonProperty("ExtraHosts") List<String> extraHosts,
            @JsonProperty("Privileged") boolean privileged,
            @JsonProperty("PublishAllPorts") boolean publishAllPorts,
            @JsonProperty("ReadonlyRootfs") boolean readonlyRootfs,
            @JsonProperty("SecurityOpt") List<String> securityOpt,
            @JsonProperty("Tmpfs") Map<String, String> tmpfs,
            @JsonProperty("CpuShares") long cpuShares,
            @JsonProperty("Memory") long memory,
            @JsonProperty("NanoCpus") long nanoCpus,
            @JsonProperty("MemorySwap") long memorySwap,
            @JsonProperty("PidsLimit") Long pidsLimit,
            @JsonProperty("Ulimits") List<Ulimit> ulimits,

            @JsonProperty("Mounts") @JsonInclude(JsonInclude.Include.NON_NULL)
            List<MountSpec> mounts,

            @JsonProperty("Init") Boolean init) {}

    public record LogConfig(
            @JsonProperty("Type") String type,
            @JsonProperty("Config") Map<String, String> config) {}

    public record PortBinding(
            @JsonProperty("HostIp") String hostIp,
            @JsonProperty("HostPort") String hostPort) {}

    public record RestartPolicy(
            @JsonProperty("Name") String name,
            @JsonProperty("MaximumRetryCount") int maximumRetryCount) {}

    public record Ulimit(
            @JsonProperty("Name") String name,
            @JsonProperty("Soft") long soft,
            @JsonProperty("Hard") long hard) {}

    /** One HostConfig.Mounts entry as the client gave it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MountSpec(
            @JsonProperty("Type") String type,
            @JsonProperty("Source") String source,
            @JsonProperty("Target") String target,
            @JsonProperty("ReadOnly") Boolean readOnly,
            @JsonProperty("TmpfsOptions") TmpfsOptions tmpfsOptions) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TmpfsOptions(
            @JsonProperty("SizeBytes") Long sizeBytes,
            @JsonProperty("Mode") Integer mode) {}

    /** A mount the container has (the top-level Mounts). */
    public record MountPoint(
            @JsonProperty("Type") String type,

            @JsonProperty("Name") @JsonInclude(JsonInclude.Include.NON_NULL)
            String name,

            @JsonProperty("Source") String source,
            @JsonProperty("Destination") String destination,

            @JsonProperty("Driver") @JsonInclude(JsonInclude.Include.NON_NULL)
            String driver,

            @JsonProperty("Mode") String mode,
            @JsonProperty("RW") boolean rw,
            @JsonProperty("Propagation") String propagation) {}

    public record Config(
            @JsonProperty("Hostname") String hostname,
            @JsonProperty("Domainname") String domainname,
            @JsonProperty("User") String user,
            @JsonProperty("AttachStdin") boolean attachStdin,
            @JsonProperty("AttachStdout") boolean attachStdout,
            @JsonProperty("AttachStderr") boolean attachStderr,
            @JsonProperty("ExposedPorts") Map<String, Map<String, Object>> exposedPorts,
            @JsonProperty("Tty") boolean tty,
            @JsonProperty("OpenStdin") boolean openStdin,
            @JsonProperty("StdinOnce") boolean stdinOnce,
            @JsonProperty("Env") List<String> env,
            @JsonProperty("Cmd") List<String> cmd,
            @JsonProperty("Image") String image,
            @JsonProperty("Volumes") Map<String, Map<String, Object>> volumes,
            @JsonProperty("WorkingDir") String workingDir,
            @JsonProperty("Entrypoint") List<String> entrypoint,
            @JsonProperty("OnBuild") List<String> onBuild,
            @JsonProperty("Labels") Map<String, String> labels,

            @JsonProperty("StopSignal") @JsonInclude(JsonInclude.Include.NON_NULL)
            String stopSignal,

            @JsonProperty("StopTimeout") @JsonInclude(JsonInclude.Include.NON_NULL)
            Integer stopTimeout,

            @JsonProperty("Healthcheck") @JsonInclude(JsonInclude.Include.NON_NULL)
            Healthcheck healthcheck) {}

    /** The top-level address fields describe the default bridge endpoint, as Docker's. */
    public record NetworkSettings(
            @JsonProperty("Bridge") String bridge,
            @JsonProperty("SandboxID") String sandboxId,
            @JsonProperty("SandboxKey") String sandboxKey,
            @JsonProperty("Ports") Map<String, List<PortBinding>> ports,
            @JsonProperty("EndpointID") String endpointId,
            @JsonProperty("Gateway") String gateway,
            @JsonProperty("GlobalIPv6Address") String globalIpv6Address,
            @JsonProperty("GlobalIPv6PrefixLen") int globalIpv6PrefixLen,
            @JsonProperty("IPAddress") String ipAddress,
            @JsonProperty("IPPrefixLen") int ipPrefixLen,
            @JsonProperty("IPv6Gateway") String ipv6Gateway,
            @JsonProperty("MacAddress") String macAddress,
            @JsonProperty("Networks") Map<String, EndpointSettings> networks) {}

    /** One network of the container: live while it runs, else what was asked for. */
    public record EndpointSettings(
            @JsonProperty("IPAMConfig") EndpointIpam ipamConfig,
            @JsonProperty("Links") List<String> links,
            @JsonProperty("Aliases") List<String> aliases,
            @JsonProperty("MacAddress") String macAddress,
            @JsonProperty("DriverOpts") Map<String, String> driverOpts,
            @JsonProperty("GwPriority") int gwPriority,
            @JsonProperty("NetworkID") String networkId,
            @JsonProperty("EndpointID") String endpointId,
            @JsonProperty("Gateway") String gateway,
            @JsonProperty("IPAddress") String ipAddress,
            @JsonProperty("IPPrefixLen") int ipPrefixLen,
            @JsonProperty("IPv6Gateway") String ipv6Gateway,
            @JsonProperty("GlobalIPv6Address") String globalIpv6Address,
            @JsonProperty("GlobalIPv6PrefixLen") int globalIpv6PrefixLen,
            @JsonProperty("DNSNames") List<String> dnsNames) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EndpointIpam(
            @JsonProperty("IPv4Address") String ipv4Address,
            @JsonProperty("IPv6Address") String ipv6Address) {}
}
