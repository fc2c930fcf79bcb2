package dev.berth.runtime;

import java.nio.file.Path;

/**
 * Where the runtime finds containerd and keeps its files.
 *
 * @param containerdSocket a running containerd's socket ({@code berthd --containerd}); null: berthd's own
 *                         managed containerd under {@code stateDir} and {@code runDir}, started if it is not running
 * @param stateDir         persistent files (the managed containerd's root, container logs)
 * @param runDir           runtime files (the managed containerd's socket and state, stdio FIFOs)
 * @param namespace        the containerd namespace Berth works in ({@code berth}); other namespaces are never touched
 * @param cgroupParent     the cgroup under which each container has its own (the spec's cgroupsPath is already there)
 * @param snapshotter      containerd's snapshotter for container root file systems ({@code overlayfs})
 */
public record RuntimeConfig(
        Path containerdSocket, Path stateDir, Path runDir, String namespace, String cgroupParent, String snapshotter) {}
