package dev.berth.model;

/** Where a sandbox's network namespace comes from. */
public sealed interface NetnsMode {
    /** A namespace of its own at /run/netns/berth-NAME (bridge, user networks, and none). */
    record Own(String path) implements NetnsMode {}

    /** The host's namespace (network mode host): no endpoints, no isolation. */
    record Host() implements NetnsMode {}

    /** Another sandbox's namespace (network mode container:NAME): same IPs, ports and lo. */
    record Joined(String sandboxId) implements NetnsMode {}

    /**
     * A namespace another runtime owns (a CNI runtime, Docker through the remote driver), given by its
     * file: Berth adds its endpoints to it and takes only those out again; it never creates or deletes it.
     */
    record External(String path) implements NetnsMode {}
}
