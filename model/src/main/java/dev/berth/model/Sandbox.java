package dev.berth.model;

import java.util.List;

/**
 * The network side of a container: its namespace, name, hostname and published ports.
 *
 * @param exposed ports the sandbox declares (for -P), each "80/tcp"
 */
public record Sandbox(
        String id, String name, String hostname, NetnsMode netns, List<PortMapping> ports, List<String> exposed) {
    public Sandbox {
        ports = List.copyOf(ports);
        exposed = List.copyOf(exposed);
    }
}
