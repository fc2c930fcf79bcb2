package dev.berth.daemon.containers;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code docker create} asked for, kept in the state directory for the container's whole life. The
 * network side (addresses, ports) exists in the engine only while the container runs, as in Docker.
 *
 * @param command    the program and its arguments (Entrypoint followed by Cmd)
 * @param networks   network name or id to how the container joins it (the first is the primary one)
 * @param publish    Docker's {@code -p} texts built from HostConfig.PortBindings
 * @param exposed    "80/tcp" entries from Config.ExposedPorts and the port bindings
 */
public record ContainerRecord(String id, String name, String image, List<String> entrypoint, List<String> cmd,
                              List<String> command, List<String> env, String workingDir, String hostname,
                              Map<String, String> labels, Instant created, String networkMode,
                              Map<String, EndpointSettings> networks, List<String> publish,
                              Map<String, List<PortBinding>> portBindings, boolean publishAll,
                              List<String> exposed, boolean autoRemove, List<String> dns) {

    public ContainerRecord {
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        command = List.copyOf(command);
        env = env == null ? List.of() : List.copyOf(env);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        networks = networks == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(networks));
        publish = publish == null ? List.of() : List.copyOf(publish);
        portBindings = portBindings == null ? Map.of() : Map.copyOf(portBindings);
        exposed = exposed == null ? List.of() : List.copyOf(exposed);
        dns = dns == null ? List.of() : List.copyOf(dns);
    }

    /** How the container joins one network: static addresses, MAC and aliases (null/empty: allocate). */
    public record EndpointSettings(String ipv4, String ipv6, String mac, List<String> aliases) {
        public EndpointSettings {
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
        }
    }

    /** One HostConfig.PortBindings entry as the client sent it. */
    public record PortBinding(String hostIp, String hostPort) {}

    public String shortId() {
        return id.substring(0, 12);
    }

    public ContainerRecord withNetworks(Map<String, EndpointSettings> n) {
        return new ContainerRecord(id, name, image, entrypoint, cmd, command, env, workingDir, hostname, labels, created,
                networkMode, n, publish, portBindings, publishAll, exposed, autoRemove, dns);
    }
}
