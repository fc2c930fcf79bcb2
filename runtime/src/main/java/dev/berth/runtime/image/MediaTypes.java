package dev.berth.runtime.image;

import java.util.Set;

/** The media types of images, as Docker and OCI name them. */
public final class MediaTypes {
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
    public static final String DOCKER_FOREIGN_LAYER = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";

    private static final Set<String> MANIFESTS = Set.of(DOCKER_MANIFEST, OCI_MANIFEST);
    private static final Set<String> INDEXES = Set.of(DOCKER_MANIFEST_LIST, OCI_INDEX);
    private static final Set<String> LAYERS = Set.of(
            DOCKER_LAYER_GZIP,
            DOCKER_LAYER,
            OCI_LAYER,
            OCI_LAYER_GZIP,
            OCI_LAYER_ZSTD,
            DOCKER_FOREIGN_LAYER,
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip");

    /** What Berth asks a registry for, most wanted first. */
    public static final String ACCEPT =
            String.join(", ", DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_MANIFEST, OCI_INDEX);

    private MediaTypes() {}

    public static boolean isManifest(String t) {
        return t != null && MANIFESTS.contains(t);
    }

    public static boolean isIndex(String t) {
        return t != null && INDEXES.contains(t);
    }

    public static boolean isLayer(String t) {
        return t != null && LAYERS.contains(t);
    }
}
