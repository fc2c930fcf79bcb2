package dev.berth.runtime.image;

import dev.berth.runtime.containerd.Containerd;
import dev.berth.runtime.containerd.api.diff.ApplyRequest;
import dev.berth.runtime.containerd.api.diff.DiffGrpc;
import dev.berth.runtime.containerd.api.snapshots.CommitSnapshotRequest;
import dev.berth.runtime.containerd.api.snapshots.PrepareSnapshotRequest;
import dev.berth.runtime.containerd.api.snapshots.RemoveSnapshotRequest;
import dev.berth.runtime.containerd.api.snapshots.SnapshotsGrpc;
import dev.berth.runtime.containerd.api.snapshots.StatSnapshotRequest;
import dev.berth.runtime.containerd.api.snapshots.UsageRequest;
import dev.berth.runtime.containerd.api.types.Mount;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Unpacked layers: one committed overlayfs snapshot per layer, named by its chain ID (the layer's
 * identity together with everything below it), so images that share a base share its snapshots.
 */
final class Layers {
    static final String SNAPSHOTTER = "overlayfs";
    /** The content label that keeps an image's top snapshot (and so its whole chain) from the collector. */
    static final String GC_SNAPSHOT = "containerd.io/gc.ref.snapshot." + SNAPSHOTTER;

    private final Containerd client;

    Layers(Containerd client) {
        this.client = client;
    }

    /** The chain IDs of {@code diffIds}, bottom first: the first is its diff ID, each next one hashes the one below. */
    static List<String> chainIds(List<String> diffIds) {
        List<String> out = new ArrayList<>(diffIds.size());
        String below = null;
        for (String d : diffIds) {
            below = below == null
                    ? d
                    : Digest.of((below + " " + d).getBytes(StandardCharsets.UTF_8))
                            .toString();
            out.add(below);
        }
        return out;
    }

    boolean exists(String chainId) {
        try {
            client.snapshots()
                    .stat(StatSnapshotRequest.newBuilder()
                            .setSnapshotter(SNAPSHOTTER)
                            .setKey(chainId)
                            .build());
            return true;
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) return false;
            throw e;
        }
    }

    /** Bytes the layer's snapshot takes on disk (its own files, not its parents'). */
    long usage(String chainId) {
        try {
            return client.snapshots()
                    .usage(UsageRequest.newBuilder()
                            .setSnapshotter(SNAPSHOTTER)
                            .setKey(chainId)
                            .build())
                    .getSize();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) return 0;
            throw e;
        }
    }

    /**
     * Prepare an active snapshot on {@code parent}, apply the layer blob into its mounts (containerd
     * decompresses by media type and checks the result against {@code diffId}), commit it as
     * {@code chainId}. All under {@code lease}: a crash half-way leaves only leased, collectable things.
     */
    void unpack(ContainerdLease lease, Descriptor layer, String diffId, String parent, String chainId)
            throws IOException {
        SnapshotsGrpc.SnapshotsBlockingStub snaps =
                SnapshotsGrpc.newBlockingStub(lease.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
        String key = "extract-" + lease.id() + "-" + chainId;
        PrepareSnapshotRequest.Builder prep =
                PrepareSnapshotRequest.newBuilder().setSnapshotter(SNAPSHOTTER).setKey(key);
        if (parent != null) prep.setParent(parent);
        List<Mount> mounts;
        try {
            mounts = snaps.prepare(prep.build()).getMountsList();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) throw e;
            snaps.remove(RemoveSnapshotRequest.newBuilder()
                    .setSnapshotter(SNAPSHOTTER)
                    .setKey(key)
                    .build());
            mounts = SnapshotsGrpc.newBlockingStub(lease.channel())
                    .withDeadlineAfter(60, TimeUnit.SECONDS)
                    .prepare(prep.build())
                    .getMountsList();
        }
        boolean committed = false;
        try {
            var applied = DiffGrpc.newBlockingStub(lease.channel())
                    .withDeadlineAfter(30, TimeUnit.MINUTES)
                    .apply(ApplyRequest.newBuilder()
                            .setDiff(Protos.descriptor(layer.mediaType(), layer.digest(), layer.size()))
                            .addAllMounts(mounts)
                            .build())
                    .getApplied();
            if (!applied.getDigest().equals(diffId))
                throw new IOException("layer " + layer.digest() + " unpacked to " + applied.getDigest()
                        + ", but the image config says " + diffId);
            try {
                SnapshotsGrpc.newBlockingStub(lease.channel())
                        .withDeadlineAfter(60, TimeUnit.SECONDS)
                        .commit(CommitSnapshotRequest.newBuilder()
                                .setSnapshotter(SNAPSHOTTER)
                                .setName(chainId)
                                .setKey(key)
                                .build());
                committed = true;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) throw e; // another pull committed it first
            }
        } finally {
            if (!committed) {
                try {
                    SnapshotsGrpc.newBlockingStub(lease.channel())
                            .withDeadlineAfter(60, TimeUnit.SECONDS)
                            .remove(RemoveSnapshotRequest.newBuilder()
                                    .setSnapshotter(SNAPSHOTTER)
                                    .setKey(key)
                                    .build());
                } catch (StatusRuntimeException ignored) {
                    // leased: the collector takes it when the lease goes
                }
            }
        }
    }
}
