package dev.berth.daemon.containers;

import dev.berth.engine.Ids;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Volumes as directories under the state dir ({@code volumes/NAME/_data}, Docker's local driver layout):
 * named ones from {@code -v name:/path} and {@code --mount type=volume}, anonymous ones (a random name)
 * for an image's or the request's VOLUME paths that no other mount covers.
 */
public final class Volumes {
    private final Path root;

    public Volumes(Path root) {
        this.root = root;
    }

    public Path data(String name) {
        return root.resolve(name).resolve("_data");
    }

    /** Every mount of {@code r} with its source directory, anonymous volumes added; directories created. */
    public List<ContainerRecord.Mount> resolve(ContainerRecord r) {
        List<ContainerRecord.Mount> out = new ArrayList<>();
        Set<String> targets = new HashSet<>();
        for (ContainerRecord.Mount m : r.host().resolved()) {
            targets.add(m.destination());
            out.add(switch (m.type()) {
                case "volume" -> {
                    String name = m.name() == null ? Ids.random() : m.name();
                    yield new ContainerRecord.Mount("volume", name, create(name).toString(), m.destination(), m.readOnly(),
                            m.name() == null || m.anonymous(), List.of());
                }
                case "bind" -> {
                    createDirectories(Path.of(m.source())); // as docker -v does for a missing host path
                    yield m;
                }
                default -> m;
            });
        }
        for (String target : r.config().volumes()) {
            if (!targets.add(target)) continue;
            String name = Ids.random();
            out.add(new ContainerRecord.Mount("volume", name, create(name).toString(), target, false, true, List.of()));
        }
        return out;
    }

    /** Removes the anonymous volumes of a container ({@code docker rm -v}, and {@code --rm} containers). */
    public void removeAnonymous(ContainerRecord r) {
        for (ContainerRecord.Mount m : r.host().resolved())
            if (m.type().equals("volume") && m.anonymous() && m.name() != null) delete(root.resolve(m.name()));
    }

    private Path create(String name) {
        Path p = data(name);
        createDirectories(p);
        return p;
    }

    private static void createDirectories(Path p) {
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + p, e);
        }
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the volume " + dir, e);
        }
    }
}
