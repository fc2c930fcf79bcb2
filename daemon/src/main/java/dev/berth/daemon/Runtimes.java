package dev.berth.daemon;

import dev.berth.runtime.ContainerRuntime;
import dev.berth.runtime.RuntimeConfig;
import dev.berth.runtime.containerd.ContainerdRuntime;

/** Opens the container runtime berthd runs its containers with: containerd (given, or berthd's own). */
final class Runtimes {
    private Runtimes() {}

    static ContainerRuntime open(RuntimeConfig config) {
        return ContainerdRuntime.open(config);
    }
}
