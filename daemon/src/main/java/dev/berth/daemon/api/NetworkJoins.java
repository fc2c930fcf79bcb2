package dev.berth.daemon.api;

import dev.berth.engine.request.EndpointRequest;

/**
 * Joins containers to networks for {@code /networks/{id}/connect|disconnect}: a running container's sandbox
 * gets its endpoint on the network at once, a stopped container's when it starts.
 */
public interface NetworkJoins {
    void connect(String container, String network, EndpointRequest request);

    void disconnect(String container, String network, boolean force);

    /** The container name for a sandbox id, as network inspect lists it. */
    String nameOf(String sandboxId);
}
