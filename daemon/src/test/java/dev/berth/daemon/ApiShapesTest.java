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
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every main response's JSON keys against the fields the Engine API v1.50 reference lists for its type (extracted
 * from Docker's swagger file, see {@link #REFERENCE}): Berth writes no key Docker does not have, and the keys
 * clients read are there. Read raw through
 * the socket (curl), not through a client that would drop what it does not know.
 */
@ExtendWith(LabExtension.class)
class ApiShapesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The Engine API v1.50 reference's fields per type, extracted from moby's api/swagger.yaml (tag v28.2.2) by
     * {@code scripts/engine-api-fields.py} into a test resource, so no list is typed by hand.
     */
    private static final Map<String, Set<String>> REFERENCE = reference("/engine-api-1.50-fields.txt");

    private static final Set<String> CONTAINER_SUMMARY = fields("ContainerSummary");
    private static final Set<String> SUMMARY_HOST_CONFIG = fields("ContainerSummary.HostConfig");
    private static final Set<String> SUMMARY_NETWORK_SETTINGS = fields("ContainerSummary.NetworkSettings");
    private static final Set<String> PORT = fields("Port");
    private static final Set<String> CONTAINER_INSPECT = fields("ContainerInspectResponse");
    private static final Set<String> STATE = fields("ContainerState");
    private static final Set<String> HEALTH = fields("Health");
    private static final Set<String> HEALTH_RESULT = fields("HealthcheckResult");
    private static final Set<String> CONTAINER_CONFIG = fields("ContainerConfig");
    private static final Set<String> HEALTH_CONFIG = fields("HealthConfig");
    private static final Set<String> HOST_CONFIG = fields("HostConfig");
    private static final Set<String> RESTART_POLICY = fields("RestartPolicy");
    private static final Set<String> MOUNT = fields("Mount");
    private static final Set<String> MOUNT_POINT = fields("MountPoint");
    private static final Set<String> NETWORK_SETTINGS = fields("NetworkSettings");
    private static final Set<String> ENDPOINT_SETTINGS = fields("EndpointSettings");
    private static final Set<String> ENDPOINT_IPAM_CONFIG = fields("EndpointIPAMConfig");
    private static final Set<String> PORT_BINDING = fields("PortBinding");
    /** Services: dockerd's network.Inspect has it (omitempty, swarm's), though the swagger does not list it. */
    private static final Set<String> NETWORK = fields("Network", "Services");

    private static final Set<String> IPAM = fields("IPAM");
    private static final Set<String> IPAM_CONFIG = fields("IPAMConfig");
    private static final Set<String> NETWORK_CONTAINER = fields("NetworkContainer");
    private static final Set<String> VOLUME = fields("Volume");
    private static final Set<String> VERSION = fields("SystemVersion");
    private static final Set<String> COMPONENT_VERSION = fields("SystemVersion.Components");
    private static final Set<String> INFO = fields("SystemInfo");
    private static final Set<String> SWARM = fields("SwarmInfo");
    private static final Set<String> EXEC_INSPECT = fields("GET /exec/{id}/json");
    private static final Set<String> PROCESS_CONFIG = fields("ProcessConfig");
    /** EventMessage, with the legacy status, id and from dockerd still sends for container and image events. */
    private static final Set<String> EVENT = fields("EventMessage", "status", "id", "from");

    private static final Set<String> EVENT_ACTOR = fields("EventActor");
    private static final Set<String> IMAGE_SUMMARY = fields("ImageSummary");
    private static final Set<String> IMAGE_INSPECT = fields("ImageInspect");
    private static final Set<String> IMAGE_CONFIG = fields("ImageConfig");
    private static final Set<String> IMAGE_ROOTFS = fields("ImageInspect.RootFS");

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
            for (JsonNode c : get(d, "/version").path("Components"))
                check(problems, "ComponentVersion", c, COMPONENT_VERSION, Set.of("Name", "Version"));

            for (JsonNode c : get(d, "/containers/json?all=1")) {
                check(
                        problems,
                        "ContainerSummary",
                        c,
                        CONTAINER_SUMMARY,
                        Set.of("Id", "Names", "Image", "State", "Status", "Labels"));
                for (JsonNode p : c.get("Ports")) check(problems, "Port", p, PORT, Set.of("PrivatePort", "Type"));
                check(
                        problems,
                        "ContainerSummary.HostConfig",
                        c.get("HostConfig"),
                        SUMMARY_HOST_CONFIG,
                        Set.of("NetworkMode"));
                check(
                        problems,
                        "ContainerSummary.NetworkSettings",
                        c.get("NetworkSettings"),
                        SUMMARY_NETWORK_SETTINGS,
                        Set.of("Networks"));
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
                for (JsonNode n : c.at("/NetworkSettings/Networks")) {
                    check(
                            problems,
                            "EndpointSettings",
                            n,
                            ENDPOINT_SETTINGS,
                            Set.of("NetworkID", "IPAddress", "Gateway", "GwPriority"));
                    if (n.hasNonNull("IPAMConfig"))
                        check(problems, "EndpointIPAMConfig", n.get("IPAMConfig"), ENDPOINT_IPAM_CONFIG, Set.of());
                }
                check(
                        problems,
                        "RestartPolicy",
                        c.at("/HostConfig/RestartPolicy"),
                        RESTART_POLICY,
                        Set.of("Name", "MaximumRetryCount"));
                for (JsonNode bindings : c.at("/HostConfig/PortBindings"))
                    for (JsonNode b : bindings) check(problems, "PortBinding", b, PORT_BINDING, Set.of("HostPort"));
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
            JsonNode image = get(d, "/images/busybox/json");
            check(problems, "ImageConfig", image.get("Config"), IMAGE_CONFIG, Set.of("Cmd"));
            check(problems, "ImageInspect.RootFS", image.get("RootFS"), IMAGE_ROOTFS, Set.of("Type", "Layers"));
            check(
                    problems,
                    "ImageInspect",
                    image,
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
                check(problems, "EventActor", e.get("Actor"), EVENT_ACTOR, Set.of("ID", "Attributes"));
                n++;
            }
            assertTrue(n > 10, "events were read: " + events);
            assertEquals(List.of(), problems);
        }
    }

    private static Map<String, Set<String>> reference(String resource) {
        Map<String, Set<String>> out = new HashMap<>();
        try (InputStream in = ApiShapesTest.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is not on the test class path");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList()) {
                if (line.startsWith("#") || line.isBlank()) continue;
                int colon = line.indexOf(": ");
                String rest = colon < 0 ? "" : line.substring(colon + 2).strip();
                out.put(
                        colon < 0 ? line.substring(0, line.length() - 1) : line.substring(0, colon),
                        rest.isEmpty() ? Set.of() : Set.of(rest.split(" ")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The reference's fields of {@code type}, with {@code extra} keys dockerd writes beyond it. */
    private static Set<String> fields(String type, String... extra) {
        Set<String> f = REFERENCE.get(type);
        if (f == null) throw new IllegalStateException(type + " is not a type of the reference");
        Set<String> out = new HashSet<>(f);
        out.addAll(List.of(extra));
        return Set.copyOf(out);
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
