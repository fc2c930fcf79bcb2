package dev.berth.daemon;

import dev.berth.runtime.image.InsecureRegistries;

/**
 * dockerd's own options that berthd honours too, so that a DOCKER_OPTS line or a daemon.json works as
 * written ({@link DockerdOptions} reads them).
 *
 * @param insecureRegistries registries that may answer in plain HTTP ({@code --insecure-registry})
 */
public record DockerdSettings(InsecureRegistries insecureRegistries) {
    public static final DockerdSettings DEFAULTS = new DockerdSettings(InsecureRegistries.NONE);
}
