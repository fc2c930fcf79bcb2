package dev.berth.engine.request;

import java.util.List;

/**
 * {@code run}, network part: name, hostname, network mode ({@code bridge} default, a network name,
 * {@code host}, {@code none}, or {@code container:NAME}), how to join that network, published ports in
 * Docker's {@code -p} syntax, {@code -P}, and exposed ports ("80/tcp").
 */
public record SandboxRequest(String name, String hostname, String networkMode, EndpointRequest endpoint,
                             List<String> publish, boolean publishAll, List<String> expose) {
    public SandboxRequest {
        networkMode = networkMode == null || networkMode.isBlank() ? "bridge" : networkMode;
        endpoint = endpoint == null ? EndpointRequest.DEFAULT : endpoint;
        publish = publish == null ? List.of() : List.copyOf(publish);
        expose = expose == null ? List.of() : List.copyOf(expose);
    }

    public static SandboxRequest on(String name, String networkMode) {
        return new SandboxRequest(name, null, networkMode, null, List.of(), false, List.of());
    }

    public SandboxRequest withIp(String ipv4) {
        return new SandboxRequest(name, hostname, networkMode, EndpointRequest.ip(ipv4), publish, publishAll, expose);
    }

    public SandboxRequest publishing(String... specs) {
        return new SandboxRequest(name, hostname, networkMode, endpoint, List.of(specs), publishAll, expose);
    }

    public SandboxRequest publishingAll(String... exposed) {
        return new SandboxRequest(name, hostname, networkMode, endpoint, publish, true, List.of(exposed));
    }
}
