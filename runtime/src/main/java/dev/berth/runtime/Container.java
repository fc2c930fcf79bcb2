package dev.berth.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The supervisor's mutable record of one container; every field is guarded by the object's monitor. */
final class Container {
    final String id;
    final String name;
    final ContainerFiles files;
    StoredContainer stored;
    /** pidfd of the command while it runs (signals go through it, so never to a reused PID); -1 otherwise. */
    int commandFd = -1;
    /** Completes when the current run (or, for a container not yet started, the next one) ends. */
    CompletableFuture<ContainerState> exit = new CompletableFuture<>();
    boolean removed;
    /** Futures to complete, with their states, once the lock is released. */
    final List<Map.Entry<CompletableFuture<ContainerState>, ContainerState>> announcements = new ArrayList<>();

    Container(ContainerFiles files, StoredContainer stored) {
        this.id = stored.spec().id();
        this.name = stored.spec().name();
        this.files = files;
        this.stored = stored;
    }

    ContainerState view() {
        return stored.view();
    }
}
