package dev.berth.daemon.containers;

import java.util.Optional;

/** What containers need of the image store: an image's identity and config, and files of its root file system. */
public interface Images {

    /** An image resolved for a container; {@code reference} is what containerd knows it by. */
    record Resolved(String reference, String id, String chainId, ImageDefaults.ImageConfig config) {}

    /** The image, or a {@code NotFound} "No such image: REF" (the docker CLI pulls on that). */
    Resolved resolve(String ref);

    /** A file of the image's root file system (for {@code -u NAME}: /etc/passwd, /etc/group), if present. */
    Optional<byte[]> file(String imageId, String path);
}
