package dev.berth.runtime.image;

import dev.berth.model.BerthException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes an image usable: every layer unpacked into its snapshot (skipped when the chain exists already,
 * shared with other images), then the gc labels that let containerd's collector follow record → manifest
 * → config and layers → top snapshot, so nothing the image needs is collected once the lease goes.
 */
final class Unpacker {
    private final ContentStore content;
    private final Layers layers;

    Unpacker(ContentStore content, Layers layers) {
        this.content = content;
        this.layers = layers;
    }

    /** Told about each layer as it is unpacked; {@code fresh} is false for a layer that was there already. */
    interface Events {
        Events NONE = (i, layer, fresh, done) -> {};

        void layer(int index, Descriptor layer, boolean fresh, boolean done);
    }

    void unpack(
            ContainerdLease lease, Descriptor manifestDescriptor, Manifest manifest, ImageConfig config, Events events)
            throws IOException {
        List<Descriptor> blobs = manifest.layersOrEmpty();
        List<String> diffIds = config.diffIds();
        if (blobs.size() != diffIds.size())
            throw new BerthException.InvalidRequest(
                    "image",
                    "manifest " + manifestDescriptor.digest() + " has " + blobs.size() + " layers but its config lists "
                            + diffIds.size());
        List<String> chain = Layers.chainIds(diffIds);
        for (int i = 0; i < blobs.size(); i++) {
            Descriptor layer = blobs.get(i);
            if (!MediaTypes.isLayer(layer.mediaType()))
                throw new BerthException.InvalidRequest(
                        "image",
                        "layer " + layer.digest() + " has media type " + layer.mediaType()
                                + ", which Berth cannot unpack");
            if (layers.exists(chain.get(i))) {
                events.layer(i, layer, false, true);
                continue;
            }
            events.layer(i, layer, true, false);
            layers.unpack(lease, layer, diffIds.get(i), i == 0 ? null : chain.get(i - 1), chain.get(i));
            events.layer(i, layer, true, true);
        }
        if (!chain.isEmpty())
            content.addLabels(manifest.config().digest(), Map.of(Layers.GC_SNAPSHOT, chain.getLast()));
        content.addLabels(manifestDescriptor.digest(), gcLabels(manifest));
    }

    /** The labels that make a manifest hold its config and layers. */
    static Map<String, String> gcLabels(Manifest m) {
        Map<String, String> l = new LinkedHashMap<>();
        l.put("containerd.io/gc.ref.content.config", m.config().digest());
        List<Descriptor> blobs = m.layersOrEmpty();
        for (int i = 0; i < blobs.size(); i++)
            l.put("containerd.io/gc.ref.content.l." + i, blobs.get(i).digest());
        return l;
    }
}
