package dev.berth.runtime.image;

import dev.berth.model.BerthException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pulls one image from a registry into the content store, with Docker's progress messages per layer
 * (Pulling fs layer, Waiting, Downloading, Verifying Checksum, Download complete, Extracting, Pull complete,
 * or Already exists). Layers are fetched one after the other; containerd verifies every digest at commit.
 */
final class Puller {
    private final RegistryClient registry;
    private final ContentStore content;
    private final Unpacker unpacker;

    Puller(RegistryClient registry, ContentStore content, Unpacker unpacker) {
        this.registry = registry;
        this.content = content;
        this.unpacker = unpacker;
    }

    /** What was pulled: the digest the registry knows it by (an index's, when it served one) and the manifest. */
    record Pulled(String repoDigest, Descriptor manifestDescriptor, Manifest manifest, ImageConfig config) {}

    Pulled pull(ImageReference ref, RegistryAuth auth, ContainerdLease lease, ProgressListener progress)
            throws IOException {
        RegistryRepository repo = registry.repository(ref, auth, false);
        String reference = ref.digest() != null ? ref.digest() : ref.tag();
        RegistryRepository.Fetched top;
        try {
            top = repo.manifest(reference);
        } catch (RegistryException e) {
            if (e.error().status() != 404) throw e;
            throw new BerthException.NotFound("manifest for " + ref.familiar() + " not found: " + e.getMessage());
        }
        progress.event(ProgressEvent.layer(reference, "Pulling from " + ref.path()));
        RegistryRepository.Fetched fetched = top;
        if (MediaTypes.isIndex(top.mediaType())) {
            ImageIndex index = ImageJson.read(top.body(), ImageIndex.class, "manifest list");
            content.write(lease, top.body(), Map.of());
            Descriptor pick = index.pick(Platform.LINUX_AMD64, ref.familiar());
            fetched = repo.manifest(pick.digest());
        }
        if (!MediaTypes.isManifest(fetched.mediaType()))
            throw new IOException("unsupported manifest media type " + fetched.mediaType() + " for " + ref.familiar());
        Manifest m = ImageJson.read(fetched.body(), Manifest.class, "manifest");
        Descriptor md = Descriptor.of(fetched.mediaType(), fetched.digest(), fetched.body().length);
        if (!content.exists(m.config().digest())) fetchBlob(repo, lease, m.config(), null, null);
        ImageConfig config = ImageJson.read(content.readAll(m.config().digest()), ImageConfig.class, "image config");
        List<Descriptor> missing = new ArrayList<>();
        for (Descriptor l : m.layersOrEmpty()) {
            String id = shortId(l);
            if (content.exists(l.digest())) {
                lease.addContent(l.digest());
                progress.event(ProgressEvent.layer(id, "Already exists"));
            } else {
                progress.event(ProgressEvent.layer(id, "Pulling fs layer"));
                missing.add(l);
            }
        }
        for (int i = 1; i < missing.size(); i++)
            progress.event(ProgressEvent.layer(shortId(missing.get(i)), "Waiting"));
        for (Descriptor l : missing) {
            fetchBlob(repo, lease, l, shortId(l), progress);
            progress.event(ProgressEvent.layer(shortId(l), "Verifying Checksum"));
            progress.event(ProgressEvent.layer(shortId(l), "Download complete"));
        }
        content.write(lease, fetched.body(), Map.of());
        unpacker.unpack(lease, md, m, config, (i, layer, fresh, done) -> {
            if (!missing.contains(layer)) return;
            String id = shortId(layer);
            if (!done) progress.event(ProgressEvent.bytes(id, "Extracting", 0, layer.size()));
            else {
                progress.event(ProgressEvent.bytes(id, "Extracting", layer.size(), layer.size()));
                progress.event(ProgressEvent.layer(id, "Pull complete"));
            }
        });
        return new Pulled(top.digest().toString(), md, m, config);
    }

    private void fetchBlob(
            RegistryRepository repo, ContainerdLease lease, Descriptor d, String id, ProgressListener progress)
            throws IOException {
        RegistryRepository.Blob blob = repo.blob(d.digest());
        try (InputStream in = progress == null
                ? blob.stream()
                : new ProgressStream(blob.stream(), id, "Downloading", d.size(), progress)) {
            content.write(lease, d.digest(), d.size(), in, Map.of());
        }
    }

    static String shortId(Descriptor d) {
        return d.digestValue().shortId();
    }
}
