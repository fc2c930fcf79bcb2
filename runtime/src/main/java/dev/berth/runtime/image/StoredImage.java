package dev.berth.runtime.image;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An image as the store holds it: its id (the config's digest), its manifest and config, and the
 * containerd records that name it (tags, digest references, or the one dangling record).
 */
record StoredImage(
        String id,
        Descriptor manifestDescriptor,
        Manifest manifest,
        byte[] configBytes,
        ImageConfig config,
        List<ImageRecords.Entry> records) {

    /** Tags in Docker's familiar form ({@code busybox:latest}), oldest record first. */
    List<String> repoTags() {
        List<String> out = new ArrayList<>();
        for (ImageRecords.Entry e : records) {
            if (e.dangling()) continue;
            ImageReference r = ImageReference.parse(e.name());
            if (r.tag() != null && r.digest() == null) out.add(r.familiar());
        }
        return out;
    }

    /** {@code name@digest} for every repository whose registry digest is known. */
    List<String> repoDigests() {
        Set<String> out = new LinkedHashSet<>();
        for (ImageRecords.Entry e : records) {
            if (e.dangling()) continue;
            ImageReference r = ImageReference.parse(e.name());
            if (r.digest() != null) out.add(r.familiarName() + "@" + r.digest());
            else e.repoDigest().ifPresent(d -> out.add(r.familiarName() + "@" + d));
        }
        return new ArrayList<>(out);
    }

    /** The records that are names (everything but the dangling one). */
    List<ImageRecords.Entry> named() {
        return records.stream().filter(e -> !e.dangling()).toList();
    }

    List<String> chainIds() {
        return Layers.chainIds(config.diffIds());
    }

    /** The top layer's chain id: a container's snapshot parent; null for an image without layers. */
    String chainId() {
        List<String> c = chainIds();
        return c.isEmpty() ? null : c.getLast();
    }

    String shortId() {
        return Digest.parse(id).shortId();
    }
}
