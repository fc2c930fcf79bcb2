package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every main response's JSON keys against the fields the Engine API v1.50 reference lists for its type (kept by
 * hand below): Berth writes no key Docker does not have, and the keys clients read are there. Read raw through
 * the socket (curl), not through a client that would drop what it does not know.
 */
@ExtendWith(LabExtension.class)
class ApiShapesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    // --- the Engine API v1.50 reference's fields, per type
    private static final Set<String> CONTAINER_SUMMARY = Set.of(
            "Id",
            "Names",
            "Image",
            "ImageID",
            "ImageManifestDescriptor",
            "Command",
            "Created",
            "Ports",
            "SizeRw",
            "SizeRootFs",
            "Labels",
            "State",
            "Status",
            "HostConfig",
            "NetworkSettings",
            "Mounts",
            "Health");
    private static final Set<String> PORT = Set.of("IP", "PrivatePort", "PublicPort", "Type");
    private static final Set<String> CONTAINER_INSPECT = Set.of(
            "Id",
            "Created",
            "Path",
            "Args",
            "State",
            "Image",
            "ResolvConfPath",
            "HostnamePath",
            "HostsPath",
            "LogPath",
            "Name",
            "RestartCount",
            "Driver",
            "Platform",
            "ImageManifestDescriptor",
            "MountLabel",
            "ProcessLabel",
            "AppArmorProfile",
            "ExecIDs",
            "HostConfig",
            "GraphDriver",
            "SizeRw",
            "SizeRootFs",
            "Mounts",
            "Config",
            "NetworkSettings");
    private static final Set<String> STATE = Set.of(
            "Status",
            "Running",
            "Paused",
            "Restarting",
            "OOMKilled",
            "Dead",
            "Pid",
            "ExitCode",
            "Error",
            "StartedAt",
            "FinishedAt",
            "Health");
    private static final Set<String> HEALTH = Set.of("Status", "FailingStreak", "Log");
    private static final Set<String> HEALTH_RESULT = Set.of("Start", "End", "ExitCode", "Output");
    private static final Set<String> CONTAINER_CONFIG = Set.of(
            "Hostname",
            "Domainname",
            "User",
            "AttachStdin",
            "AttachStdout",
            "AttachStderr",
            "ExposedPorts",
            "Tty",
            "OpenStdin",
            "StdinOnce",
            "Env",
            "Cmd",
            "Healthcheck",
            "ArgsEscaped",
            "Image",
            "Volumes",
            "WorkingDir",
            "Entrypoint",
            "NetworkDisabled",
            "MacAddress",
            "OnBuild",
            "Labels",
            "StopSignal",
            "StopTimeout",
            "Shell");
    private static final Set<String> HEALTH_CONFIG =
            Set.of("Test", "Interval", "Timeout", "Retries", "StartPeriod", "StartInterval");
    private static final Set<String> HOST_CONFIG = Set.of(
            "CpuShares",
            "Memory",
            "CgroupParent",
            "BlkioWeight",
            "BlkioWeightDevice",
            "BlkioDeviceReadBps",
            "BlkioDeviceWriteBps",
            "BlkioDeviceReadIOps",
            "BlkioDeviceWriteIOps",
            "CpuPeriod",
            "CpuQuota",
            "CpuRealtimePeriod",
            "CpuRealtimeRuntime",
            "CpusetCpus",
            "CpusetMems",
            "Devices",
            "DeviceCgroupRules",
            "DeviceRequests",
            "KernelMemoryTCP",
            "MemoryReservation",
            "MemorySwap",
            "MemorySwappiness",
            "NanoCpus",
            "OomKillDisable",
            "Init",
            "PidsLimit",
            "Ulimits",
            "CpuCount",
            "CpuPercent",
            "IOMaximumIOps",
            "IOMaximumBandwidth",
            "Binds",
            "ContainerIDFile",
            "LogConfig",
            "NetworkMode",
            "PortBindings",
            "RestartPolicy",
            "AutoRemove",
            "VolumeDriver",
            "VolumesFrom",
            "Mounts",
            "ConsoleSize",
            "Annotations",
            "CapAdd",
            "CapDrop",
            "CgroupnsMode",
            "Dns",
            "DnsOptions",
            "DnsSearch",
            "ExtraHosts",
            "GroupAdd",
            "IpcMode",
            "Cgroup",
            "Links",
            "OomScoreAdj",
            "PidMode",
            "Privileged",
            "PublishAllPorts",
            "ReadonlyRootfs",
            "SecurityOpt",
            "StorageOpt",
            "Tmpfs",
            "UTSMode",
            "UsernsMode",
            "ShmSize",
            "Sysctls",
            "Runtime",
            "Isolation",
            "MaskedPaths",
            "ReadonlyPaths");
    private static final Set<String> MOUNT = Set.of(
            "Type",
            "Source",
            "Target",
            "ReadOnly",
            "Consistency",
            "BindOptions",
            "VolumeOptions",
            "ImageOptions",
            "TmpfsOptions");
    private static final Set<String> MOUNT_POINT =
            Set.of("Type", "Name", "Source", "Destination", "Driver", "Mode", "RW", "Propagation");
    private static final Set<String> NETWORK_SETTINGS = Set.of(
            "Bridge",
            "SandboxID",
            "HairpinMode",
            "LinkLocalIPv6Address",
            "LinkLocalIPv6PrefixLen",
            "Ports",
            "SandboxKey",
            "SecondaryIPAddresses",
            "SecondaryIPv6Addresses",
            "EndpointID",
            "Gateway",
            "GlobalIPv6Address",
            "GlobalIPv6PrefixLen",
            "IPAddress",
            "IPPrefixLen",
            "IPv6Gateway",
            "MacAddress",
            "Networks");
    private static final Set<String> ENDPOINT_SETTINGS = Set.of(
            "IPAMConfig",
            "Links",
            "MacAddress",
            "Aliases",
            "DriverOpts",
            "GwPriority",
            "NetworkID",
            "EndpointID",
            "Gateway",
            "IPAddress",
            "IPPrefixLen",
            "IPv6Gateway",
            "GlobalIPv6Address",
            "GlobalIPv6PrefixLen",
            "DNSNames");
    private static final Set<String> NETWORK = Set.of(
            "Name",
            "Id",
            "Created",
            "Scope",
            "Driver",
            "EnableIPv4",
            "EnableIPv6",
            "IPAM",
            "Internal",
            "Attachable",
            "Ingress",
            "ConfigFrom",
            "ConfigOnly",
            "Containers",
            "Options",
            "Labels",
            "Peers",
            "Services");
    private static final Set<String> IPAM = Set.of("Driver", "Config", "Options");
    private static final Set<String> IPAM_CONFIG = Set.of("Subnet", "IPRange", "Gateway", "AuxiliaryAddresses");
    private static final Set<String> NETWORK_CONTAINER =
            Set.of("Name", "EndpointID", "MacAddress", "IPv4Address", "IPv6Address");
    private static final Set<String> VOLUME = Set.of(
            "Name",
            "Driver",
            "Mountpoint",
            "CreatedAt",
            "Status",
            "Labels",
            "Scope",
            "ClusterVolume",
            "Options",
            "UsageData");
    private static final Set<String> VERSION = Set.of(
            "Platform",
            "Components",
            "Version",
            "ApiVersion",
            "MinAPIVersion",
            "GitCommit",
            "GoVersion",
            "Os",
            "Arch",
            "KernelVersion",
            "Experimental",
            "BuildTime");
    private static final Set<String> INFO = Set.of(
            "ID",
            "Containers",
            "ContainersRunning",
            "ContainersPaused",
            "ContainersStopped",
            "Images",
            "Driver",
            "DriverStatus",
            "DockerRootDir",
            "Plugins",
            "MemoryLimit",
            "SwapLimit",
            "KernelMemoryTCP",
            "CpuCfsPeriod",
            "CpuCfsQuota",
            "CPUShares",
            "CPUSet",
            "PidsLimit",
            "OomKillDisable",
            "IPv4Forwarding",
            "Debug",
            "NFd",
            "NGoroutines",
            "SystemTime",
            "LoggingDriver",
            "CgroupDriver",
            "CgroupVersion",
            "NEventsListener",
            "KernelVersion",
            "OperatingSystem",
            "OSVersion",
            "OSType",
            "Architecture",
            "NCPU",
            "MemTotal",
            "IndexServerAddress",
            "RegistryConfig",
            "GenericResources",
            "HttpProxy",
            "HttpsProxy",
            "NoProxy",
            "Name",
            "Labels",
            "ExperimentalBuild",
            "ServerVersion",
            "Runtimes",
            "DefaultRuntime",
            "Swarm",
            "LiveRestoreEnabled",
            "Isolation",
            "InitBinary",
            "ContainerdCommit",
            "RuncCommit",
            "InitCommit",
            "SecurityOptions",
            "ProductLicense",
            "DefaultAddressPools",
            "FirewallBackend",
            "DiscoveredDevices",
            "Warnings",
            "CDISpecDirs",
            "Containerd");
    private static final Set<String> SWARM = Set.of(
            "NodeID",
            "NodeAddr",
            "LocalNodeState",
            "ControlAvailable",
            "Error",
            "RemoteManagers",
            "Nodes",
            "Managers",
            "Cluster");
    private static final Set<String> EXEC_INSPECT = Set.of(
            "CanRemove",
            "DetachKeys",
            "ID",
            "Running",
            "ExitCode",
            "ProcessConfig",
            "OpenStdin",
            "OpenStderr",
            "OpenStdout",
            "ContainerID",
            "Pid");
    private static final Set<String> PROCESS_CONFIG = Set.of("privileged", "user", "tty", "entrypoint", "arguments");
    /** EventMessage, with the legacy status, id and from dockerd still sends for container and image events. */
    private static final Set<String> EVENT =
            Set.of("Type", "Action", "Actor", "scope", "time", "timeNano", "status", "id", "from");

    private static final Set<String> IMAGE_SUMMARY = Set.of(
            "Id",
            "ParentId",
            "RepoTags",
            "RepoDigests",
            "Created",
            "Size",
            "SharedSize",
            "VirtualSize",
            "Labels",
            "Containers",
            "Manifests",
            "Descriptor");
    private static final Set<String> IMAGE_INSPECT = Set.of(
            "Id",
            "Descriptor",
            "Manifests",
            "RepoTags",
            "RepoDigests",
            "Parent",
            "Comment",
            "Created",
            "DockerVersion",
            "Author",
            "Config",
            "Architecture",
            "Variant",
            "Os",
            "OsVersion",
            "Size",
            "VirtualSize",
            "GraphDriver",
            "RootFS",
            "Metadata");

    @Test
    void everyResponseHasDockersKeysAndNoOthers(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            long since = System.currentTimeMillis() / 1000;
            d.dockerOk(
                    "network",
                    "create",
                    "--subnet",
                    "10.77.0.0/24",
                    "--ip-range",
                    "10.77.0.128/25",
                    "--aux-address",
                    "r=10.77.0.5",
                    "n");
            d.dockerOk("volume", "create", "--label", "k=v", "vol");
            d.dockerOk(
                    "run",
                    "-d",
                    "--name",
                    "web",
                    "--network",
                    "n",
                    "--network-alias",
                    "www",
                    "-p",
                    "8080:80",
                    "--expose",
                    "81",
                    "-v",
                    "vol:/data",
                    "--mount",
                    "type=tmpfs,target=/scratch,tmpfs-size=1m",
                    "--health-cmd",
                    "true",
                    "--health-interval",
                    "300ms",
                    "--stop-signal",
                    "TERM",
                    "--stop-timeout",
                    "3",
                    "--cap-add",
                    "NET_ADMIN",
                    "--ulimit",
                    "nofile=1024:2048",
                    "--restart",
                    "on-failure:2",
                    "nginx");
            d.dockerOk("create", "--name", "idle", "busybox", "true");
            DockerContainerCliTest.sleepMs(1000); // a healthcheck run for State.Health.Log
            String exec = get(d, "/containers/web/exec", "POST", "{\"Cmd\":[\"true\"]}")
                    .get("Id")
                    .asText();
            get(d, "/exec/" + exec + "/start", "POST", "{\"Detach\":true}");

            List<String> problems = new ArrayList<>();
            check(
                    problems,
                    "Version",
                    get(d, "/version"),
                    VERSION,
                    Set.of("Version", "ApiVersion", "MinAPIVersion", "Os", "Arch", "Components"));
            JsonNode info = get(d, "/info");
            check(
                    problems,
                    "Info",
                    info,
                    INFO,
                    Set.of(
                            "ID",
                            "Containers",
                            "NCPU",
                            "MemTotal",
                            "KernelVersion",
                            "OperatingSystem",
                            "Architecture",
                            "Driver",
                            "CgroupVersion",
                            "SecurityOptions",
                            "Swarm",
                            "ServerVersion"));
            check(problems, "Info.Swarm", info.get("Swarm"), SWARM, Set.of("LocalNodeState"));

            for (JsonNode c : get(d, "/containers/json?all=1")) {
                check(
                        problems,
                        "ContainerSummary",
                        c,
                        CONTAINER_SUMMARY,
                        Set.of("Id", "Names", "Image", "State", "Status", "Labels"));
                for (JsonNode p : c.get("Ports")) check(problems, "Port", p, PORT, Set.of("PrivatePort", "Type"));
                for (JsonNode n : c.at("/NetworkSettings/Networks"))
                    check(problems, "EndpointSettings", n, ENDPOINT_SETTINGS, Set.of());
                for (JsonNode m : c.get("Mounts")) check(problems, "MountPoint", m, MOUNT_POINT, Set.of());
            }
            for (String name : List.of("web", "idle")) {
                JsonNode c = get(d, "/containers/" + name + "/json");
                check(
                        problems,
                        "ContainerInspect",
                        c,
                        CONTAINER_INSPECT,
                        Set.of(
                                "Id",
                                "Created",
                                "State",
                                "Image",
                                "Name",
                                "HostConfig",
                                "Config",
                                "NetworkSettings",
                                "Mounts"));
                check(
                        problems,
                        "State",
                        c.get("State"),
                        STATE,
                        Set.of("Status", "Running", "Pid", "ExitCode", "StartedAt"));
                check(problems, "Config", c.get("Config"), CONTAINER_CONFIG, Set.of("Image", "Env", "Labels"));
                check(
                        problems,
                        "HostConfig",
                        c.get("HostConfig"),
                        HOST_CONFIG,
                        Set.of("NetworkMode", "LogConfig", "RestartPolicy", "PortBindings"));
                check(
                        problems,
                        "NetworkSettings",
                        c.get("NetworkSettings"),
                        NETWORK_SETTINGS,
                        Set.of("Networks", "Ports"));
                for (JsonNode n : c.at("/NetworkSettings/Networks"))
                    check(problems, "EndpointSettings", n, ENDPOINT_SETTINGS, Set.of("NetworkID", "IPAddress"));
                for (JsonNode m : c.get("Mounts"))
                    check(problems, "MountPoint", m, MOUNT_POINT, Set.of("Type", "Destination", "RW"));
                for (JsonNode m : c.at("/HostConfig/Mounts"))
                    check(problems, "Mount", m, MOUNT, Set.of("Type", "Target"));
            }
            JsonNode web = get(d, "/containers/web/json");
            check(problems, "Health", web.at("/State/Health"), HEALTH, HEALTH);
            for (JsonNode r : web.at("/State/Health/Log"))
                check(problems, "HealthcheckResult", r, HEALTH_RESULT, HEALTH_RESULT);
            check(problems, "HealthConfig", web.at("/Config/Healthcheck"), HEALTH_CONFIG, Set.of("Test"));

            JsonNode exInspect = get(d, "/exec/" + exec + "/json");
            check(problems, "ExecInspect", exInspect, EXEC_INSPECT, EXEC_INSPECT);
            check(problems, "ProcessConfig", exInspect.get("ProcessConfig"), PROCESS_CONFIG, PROCESS_CONFIG);

            for (JsonNode n : get(d, "/networks"))
                check(problems, "Network", n, NETWORK, Set.of("Name", "Id", "Driver", "IPAM"));
            JsonNode net = get(d, "/networks/n");
            check(
                    problems,
                    "Network",
                    net,
                    NETWORK,
                    Set.of("Name", "Id", "Created", "Scope", "Driver", "IPAM", "Containers", "Labels"));
            check(problems, "IPAM", net.get("IPAM"), IPAM, Set.of("Driver", "Config"));
            for (JsonNode c : net.at("/IPAM/Config"))
                check(problems, "IPAMConfig", c, IPAM_CONFIG, Set.of("Subnet", "IPRange", "AuxiliaryAddresses"));
            for (JsonNode c : net.get("Containers"))
                check(problems, "NetworkContainer", c, NETWORK_CONTAINER, NETWORK_CONTAINER);

            for (JsonNode v : get(d, "/volumes").get("Volumes"))
                check(problems, "Volume", v, VOLUME, Set.of("Name", "Driver", "Mountpoint"));
            check(
                    problems,
                    "Volume",
                    get(d, "/volumes/vol"),
                    VOLUME,
                    Set.of("Name", "Driver", "Mountpoint", "CreatedAt", "Labels", "Scope"));

            for (JsonNode i : get(d, "/images/json"))
                check(problems, "ImageSummary", i, IMAGE_SUMMARY, Set.of("Id", "RepoTags", "Created", "Size"));
            check(
                    problems,
                    "ImageInspect",
                    get(d, "/images/busybox/json"),
                    IMAGE_INSPECT,
                    Set.of(
                            "Id",
                            "RepoTags",
                            "RepoDigests",
                            "Config",
                            "Created",
                            "Size",
                            "Os",
                            "Architecture",
                            "RootFS"));

            DockerContainerCliTest.sleepMs(1100);
            String events =
                    raw(d, "/events?since=" + since + "&until=" + System.currentTimeMillis() / 1000, "GET", null);
            int n = 0;
            for (String line : events.lines().toList()) {
                JsonNode e = parse(line);
                check(
                        problems,
                        "EventMessage",
                        e,
                        EVENT,
                        Set.of("Type", "Action", "Actor", "scope", "time", "timeNano"));
                n++;
            }
            assertTrue(n > 10, "events were read: " + events);
            assertEquals(List.of(), problems);
        }
    }

    /** The keys of {@code node} must all be in {@code docker}'s list, and {@code required} must all be there. */
    private static void check(
            List<String> problems, String type, JsonNode node, Set<String> docker, Set<String> required) {
        if (node == null || !node.isObject()) {
            problems.add(type + ": not an object: " + node);
            return;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!docker.contains(k)) problems.add(type + ": '" + k + "' is not a field of Docker's " + type);
        }
        for (String k : required) if (!node.has(k)) problems.add(type + ": '" + k + "' is missing");
    }

    private static JsonNode get(DaemonLab d, String path) {
        return parse(raw(d, path, "GET", null));
    }

    private static JsonNode get(DaemonLab d, String path, String method, String body) {
        return parse(raw(d, path, method, body));
    }

    private static String raw(DaemonLab d, String path, String method, String body) {
        List<String> c = new ArrayList<>(List.of(
                "curl",
                "-sS",
                "--fail-with-body",
                "--max-time",
                "20",
                "--unix-socket",
                d.socket.toString(),
                "-X",
                method));
        if (body != null) c.addAll(List.of("-H", "Content-Type: application/json", "-d", body));
        c.add("http://berth/v1.50" + path);
        ExecResult r = Commands.run(c, Duration.ofSeconds(30), null);
        if (!r.ok()) throw new AssertionError(method + " " + path + " failed: " + r.stdout() + r.stderr());
        return r.stdout();
    }

    private static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + s, e);
        }
    }
}
