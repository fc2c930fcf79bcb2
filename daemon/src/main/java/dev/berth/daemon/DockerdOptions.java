package dev.berth.daemon;

import dev.berth.runtime.image.InsecureRegistries;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * dockerd's options berthd takes with dockerd's names and meaning (a picocli mixin of {@link Berthd}), and
 * their daemon.json keys. Each is honoured or refused at start naming it, never taken and ignored.
 */
final class DockerdOptions {
    @Option(
            names = "--insecure-registry",
            description = "registry (host, host:port or CIDR) that may answer in plain HTTP (repeatable)")
    List<String> insecureRegistries;

    /** daemon.json's keys for these options, as dockerd names them. */
    static final Set<String> FILE_KEYS = Set.of("insecure-registries");

    static final Set<String> LIST_KEYS = Set.of("insecure-registries");

    /** The options, each from its flag, else the config file, else dockerd's default. */
    DockerdSettings resolve(Map<String, String> file) {
        List<String> insecure = insecureRegistries != null
                ? insecureRegistries
                : file.containsKey("insecure-registries")
                        ? List.of(file.get("insecure-registries").split("[,\\s]+"))
                        : List.of();
        InsecureRegistries registries;
        try {
            registries = InsecureRegistries.parse(insecure);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--insecure-registry: " + e.getMessage());
        }
        return new DockerdSettings(registries);
    }
}
