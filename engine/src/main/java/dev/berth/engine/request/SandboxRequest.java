package dev.berth.engine.request;

import java.util.List;

/**
 * {@code run}, network part: name, hostname, network mode ({@code bridge} default, a network name,
 * {@code host}, {@code none}, or {@code container:NAME}), how to join that network, published ports in
 * Docker's {@code -p} syntax, {@code -P}, and exposed ports ("80/tcp").
 *
 * @param id        the sandbox id to use (64 hex, e.g. the container's id), or null to make one up
 * @param netnsPath the file of a namespace another runtime owns (CNI_NETNS), to attach into instead of
 *                  making one; null for a namespace of the sandbox's own
 */
public record SandboxRequest(
        String id,
        String name,
        String hostname,
        String networkMode,
        EndpointRequest endpoint,
        List<String> publish,
        boolean publishAll,
        List<String> expose,
        String netnsPath) {
    public SandboxRequest(
            String id,
            String name,
            String hostname,
            String networkMode,
            EndpointRequest endpoint,
            List<String> publish,
            boolean publishAll,
            List<String> expose) {
        this(id, name, hostname, networkMode, endpoint, publish, publishAll, expose, null);
    }

    public SandboxRequest(
            String name,
            String hostname,
            String networkMode,
            EndpointRequest endpoint,
            List<String> publish,
            boolean publishAll,
            List<String> expose) {
        this(null, name, hostname, networkMode, endpoint, publish, publishAll, expose);
    }

    public SandboxRequest {
        networkMode = networkMode == null || networkMode.isBlank() ? "bridge" : networkMode;
        endpoint = endpoint == null ? EndpointRequest.DEFAULT : endpoint;
        publish = publish == null ? List.of() : List.copyOf(publish);
        expose = expose == null ? List.of() : List.copyOf(expose);
    }

    public static SandboxRequest on(String name, String networkMode) {
        return new SandboxRequest(name, null, networkMode, null, List.of(), false, List.of());
    }

    public SandboxRequest withId(String sandboxId) {
        return new SandboxRequest(
                sandboxId, name, hostname, networkMode, endpoint, publish, publishAll, expose, netnsPath);
    }

    public SandboxRequest withIp(String ipv4) {
        return new SandboxRequest(
                id, name, hostname, networkMode, EndpointRequest.ip(ipv4), publish, publishAll, expose, netnsPath);
    }

    public SandboxRequest publishing(String... specs) {
        return new SandboxRequest(
                id, name, hostname, networkMode, endpoint, List.of(specs), publishAll, expose, netnsPath);
    }

    public SandboxRequest publishingAll(String... exposed) {
        return new SandboxRequest(
                id, name, hostname, networkMode, endpoint, publish, true, List.of(exposed), netnsPath);
    }

    /** Attaches into the namespace at {@code path}, which another runtime made and will delete. */
    public SandboxRequest inNetns(String path) {
        return new SandboxRequest(id, name, hostname, networkMode, endpoint, publish, publishAll, expose, path);
    }

    public SandboxRequest withEndpoint(EndpointRequest e) {
        return new SandboxRequest(id, name, hostname, networkMode, e, publish, publishAll, expose, netnsPath);
    }
}
