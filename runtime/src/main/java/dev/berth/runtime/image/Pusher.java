package dev.berth.runtime.image;

import java.io.IOException;
import java.util.Map;

/**
 * Pushes one image to a registry: layers (Preparing, Pushing with byte counts, Pushed or Layer already
 * exists), the config, then the manifest under the tag, as stored (so its digest stays what Berth knows),
 * ending with Docker's {@code TAG: digest: D size: N} line and the aux record the CLI reads.
 */
final class Pusher {
    private final RegistryClient registry;
    private final ContentStore content;

    Pusher(RegistryClient registry, ContentStore content) {
        this.registry = registry;
        this.content = content;
    }

    /** Answers the manifest digest the registry stored. */
    String push(StoredImage img, ImageReference target, RegistryAuth auth, ProgressListener progress)
            throws IOException {
        RegistryRepository repo = registry.repository(target, auth, true);
        for (Descriptor l : img.manifest().layersOrEmpty())
            progress.event(ProgressEvent.layer(Puller.shortId(l), "Preparing"));
        for (Descriptor l : img.manifest().layersOrEmpty()) {
            String id = Puller.shortId(l);
            if (repo.hasBlob(l.digest())) {
                progress.event(ProgressEvent.layer(id, "Layer already exists"));
                continue;
            }
            repo.uploadBlob(
                    l.digest(),
                    l.size(),
                    () -> new ProgressStream(content.open(l.digest()), id, "Pushing", l.size(), progress));
            progress.event(ProgressEvent.layer(id, "Pushed"));
        }
        Descriptor cfg = img.manifest().config();
        if (!repo.hasBlob(cfg.digest())) repo.uploadBlob(cfg.digest(), cfg.size(), () -> content.open(cfg.digest()));
        byte[] body = content.readAll(img.manifestDescriptor().digest());
        String digest = repo.putManifest(target.tag(), img.manifestDescriptor().mediaType(), body);
        progress.event(ProgressEvent.status(target.tag() + ": digest: " + digest + " size: " + body.length));
        progress.event(ProgressEvent.aux(Map.of("Tag", target.tag(), "Digest", digest, "Size", body.length)));
        return digest;
    }
}
