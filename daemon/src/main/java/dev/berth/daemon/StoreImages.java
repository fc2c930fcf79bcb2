package dev.berth.daemon;

import dev.berth.daemon.containers.Images;
import dev.berth.runtime.ContainerRuntime;

import java.nio.file.Path;
import java.util.Optional;

/** STUB until the image store lands. */
final class StoreImages implements Images {
    static Images open(ContainerRuntime runtime, Path stateDir) {
        return new StoreImages();
    }

    @Override
    public Resolved resolve(String ref) {
        throw new dev.berth.engine.BerthException.NotFound("No such image: " + ref);
    }

    @Override
    public Optional<byte[]> file(String imageId, String path) {
        return Optional.empty();
    }
}
