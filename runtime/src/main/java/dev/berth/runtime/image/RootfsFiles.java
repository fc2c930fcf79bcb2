package dev.berth.runtime.image;

import dev.berth.runtime.containerd.Containerd;
import dev.berth.runtime.containerd.api.snapshots.RemoveSnapshotRequest;
import dev.berth.runtime.containerd.api.snapshots.ViewSnapshotRequest;
import dev.berth.runtime.containerd.api.types.Mount;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reads a file of an image's root file system without mounting it: a view snapshot's mounts name the
 * layer directories (one bind mount, or overlay lowerdirs top first); the file is taken from the topmost
 * layer that has it, and an overlay whiteout (a 0/0 character device) hides it. Symbolic links are not
 * followed, so nothing outside the image is read.
 */
final class RootfsFiles {
    private final Containerd client;

    RootfsFiles(Containerd client) {
        this.client = client;
    }

    Optional<byte[]> read(String chainId, String path) {
        if (chainId == null) return Optional.empty();
        String key = "berth-view-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        List<Mount> mounts = client.snapshots()
                .view(ViewSnapshotRequest.newBuilder()
                        .setSnapshotter(Layers.SNAPSHOTTER)
                        .setKey(key)
                        .setParent(chainId)
                        .build())
                .getMountsList();
        try {
            for (Path dir : layerDirs(mounts)) {
                Path p = dir.resolve(path.replaceFirst("^/+", "")).normalize();
                if (!p.startsWith(dir)) return Optional.empty();
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    continue; // not in this layer
                }
                if (a.isRegularFile()) return Optional.of(Files.readAllBytes(p));
                return Optional.empty(); // a whiteout, a directory or a link
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } finally {
            try {
                client.snapshots()
                        .remove(RemoveSnapshotRequest.newBuilder()
                                .setSnapshotter(Layers.SNAPSHOTTER)
                                .setKey(key)
                                .build());
            } catch (StatusRuntimeException ignored) {
                // an unreferenced view is collected with the next collection
            }
        }
    }

    static List<Path> layerDirs(List<Mount> mounts) {
        List<Path> out = new ArrayList<>();
        for (Mount m : mounts) {
            if (m.getType().equals("bind")) out.add(Path.of(m.getSource()));
            for (String o : m.getOptionsList())
                if (o.startsWith("lowerdir=")) for (String d : o.substring(9).split(":")) out.add(Path.of(d));
        }
        return out;
    }
}
