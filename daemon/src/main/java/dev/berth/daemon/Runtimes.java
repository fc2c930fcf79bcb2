package dev.berth.daemon;

import dev.berth.runtime.ContainerRuntime;
import dev.berth.runtime.RuntimeConfig;

/** Opens the container runtime berthd runs its containers with. WIP: containerd's runtime is wired in when it lands. */
final class Runtimes {
    private Runtimes() {}

    static ContainerRuntime open(RuntimeConfig config) {
        throw new UnsupportedOperationException("this build has no containerd runtime yet");
    }
}
