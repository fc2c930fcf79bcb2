package dev.berth.daemon.http;

/**
 * Berth's one version (the root pom's, in every jar's manifest as Implementation-Version; scripts/version
 * prints the same for the Debian package) and the Docker Engine release whose API berthd answers.
 * Clients check the engine version /version reports (Testcontainers wants at least 1.6.0, as digits and
 * dots), so the top-level "Version" is that Docker release and Berth's own version is a component.
 */
public final class BerthVersion {
    /** The Docker Engine release that introduced API {@link ApiVersions#CURRENT}. */
    public static final String DOCKER_COMPATIBLE = "28.2.0";

    private BerthVersion() {}

    /** e.g. "0.1.0-SNAPSHOT"; "dev" when run from classes rather than the built jar. */
    public static String berth() {
        String v = BerthVersion.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
