package dev.berth.daemon;

import dev.berth.daemon.containers.Healthcheck;
import dev.berth.daemon.containers.ImageDefaults;
import dev.berth.daemon.containers.Images;
import dev.berth.runtime.image.ContainerConfig;
import dev.berth.runtime.image.HealthConfig;
import dev.berth.runtime.image.ImageStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** The image store as containers see it: an image's identity, snapshot parent and the config create merges. */
final class StoreImages implements Images {
    private final Supplier<ImageStore> store;

    StoreImages(Supplier<ImageStore> store) {
        this.store = store;
    }

    @Override
    public Resolved resolve(String ref) {
        ImageStore.Resolved r = store.get().resolve(ref);
        return new Resolved(r.reference(), r.id(), r.chainId(), config(r.id(), r.config()));
    }

    @Override
    public Optional<byte[]> file(String imageId, String path) {
        return store.get().file(imageId, path);
    }

    private static ImageDefaults.ImageConfig config(String id, ContainerConfig c) {
        if (c == null)
            return new ImageDefaults.ImageConfig(id, null, null, null, null, null, null, null, null, null, null);
        List<String> exposed = c.exposedPorts() == null
                ? List.of()
                : new ArrayList<>(c.exposedPorts().keySet());
        List<String> volumes =
                c.volumes() == null ? List.of() : new ArrayList<>(c.volumes().keySet());
        return new ImageDefaults.ImageConfig(
                id,
                c.cmd(),
                c.entrypoint(),
                c.env(),
                c.workingDir(),
                c.user(),
                exposed,
                volumes,
                c.labels() == null ? Map.of() : c.labels(),
                c.stopSignal(),
                healthcheck(c.healthcheck()));
    }

    private static Healthcheck healthcheck(HealthConfig h) {
        if (h == null) return null;
        return new Healthcheck(
                h.test(),
                orZero(h.interval()),
                orZero(h.timeout()),
                orZero(h.startPeriod()),
                orZero(h.startInterval()),
                h.retries() == null ? 0 : h.retries());
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }
}
