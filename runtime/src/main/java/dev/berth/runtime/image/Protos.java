package dev.berth.runtime.image;

import dev.berth.runtime.containerd.api.types.Descriptor;

/** containerd's descriptor message, kept apart from the image {@code Descriptor} record whose name it shares. */
final class Protos {
    private Protos() {}

    static Descriptor descriptor(String mediaType, String digest, long size) {
        return Descriptor.newBuilder()
                .setMediaType(mediaType)
                .setDigest(digest)
                .setSize(size)
                .build();
    }
}
