package dev.berth.runtime.image;

import java.util.List;

/** Asked before an image goes: which containers use it (the daemon knows them, the image store does not). */
@FunctionalInterface
public interface ImageUsers {
    ImageUsers NONE = id -> List.of();

    /** A container created from an image, and whether it runs. */
    record User(String containerId, boolean running) {}

    List<User> of(String imageId);
}
