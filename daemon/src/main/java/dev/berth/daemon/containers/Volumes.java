package dev.berth.daemon.containers;

import dev.berth.daemon.api.Json;
import dev.berth.model.BerthException;
import dev.berth.model.Ids;
import dev.berth.model.log.Log;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * The local volume driver and the one owner of volume records: a volume is {@code volumes/NAME/_data} (Docker's
 * layout) with its record beside it in {@code volumes/NAME/volume.json}, named ones from {@code docker volume
 * create}, {@code -v name:/path} and {@code --mount type=volume}, anonymous ones (a random name, Docker's
 * anonymous label) for an image's or the request's VOLUME paths that no other mount covers.
 *
 * <p>Crash safety: the data directory is made before the record is written (atomically), so a record
 * always has its directory, and a directory a crash left without record is adopted at start as a named
 * volume. Removal renames the volume's directory away in one step ({@code .removing-NAME-...}, a name no
 * volume can have) before deleting it, so a crash never leaves half a volume under its name; leftovers are
 * deleted at the next start.
 */
public final class Volumes {
    private static final String RECORD = "volume.json";
    private static final String REMOVING = ".removing-";

    private final Path root;
    private final Map<String, VolumeRecord> records = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private volatile BiConsumer<String, VolumeRecord> events = (action, v) -> {};

    public Volumes(Path root) {
        this.root = root;
        createDirectories(root);
        load();
    }

    /** Receives {@code create} and {@code destroy} with the volume (for {@code /events}). */
    public void onEvent(BiConsumer<String, VolumeRecord> listener) {
        this.events = listener;
    }

    public Path data(String name) {
        return root.resolve(name).resolve("_data");
    }

    // ------------------------------------------------------------------ records

    /**
     * {@code POST /volumes/create}: a new volume, or the existing one of that name (as Docker, which ignores
     * the labels and options of a second create with the same driver).
     */
    public VolumeRecord create(String name, String driver, Map<String, String> options, Map<String, String> labels) {
        String d = driver == null || driver.isEmpty() ? "local" : driver;
        if (!d.equals("local"))
            throw new BerthException.InvalidRequest(
                    "Driver",
                    "only the \"local\" volume driver is available, not \"" + d
                            + "\" (berthd loads no volume plugins)");
        if (options != null && !options.isEmpty()) {
            String key = options.keySet().iterator().next();
            throw new BerthException.InvalidRequest(
                    "DriverOpts." + key,
                    "berthd's local driver takes no options: volumes are"
                            + " directories under the state dir (mounting a device, NFS or tmpfs as a volume is not implemented)");
        }
        boolean generated = name == null || name.isEmpty();
        String n = generated ? Ids.random() : name;
        if (!generated) ContainerNames.checkVolume(n, "Name");
        synchronized (lock) {
            VolumeRecord existing = records.get(n);
            if (existing != null) return existing;
            return make(new VolumeRecord(n, "local", labels, options, Instant.now()));
        }
    }

    /** The volume a mount names, made when missing (as {@code docker run -v name:/path} does). */
    VolumeRecord ensure(String name, boolean anonymous) {
        synchronized (lock) {
            VolumeRecord existing = records.get(name);
            if (existing != null) return existing;
            return make(new VolumeRecord(
                    name, "local", anonymous ? Map.of(VolumeRecord.ANONYMOUS, "") : null, null, Instant.now()));
        }
    }

    public VolumeRecord get(String name) {
        VolumeRecord v = name == null ? null : records.get(name);
        if (v == null) throw new BerthException.NotFound("get " + name + ": no such volume");
        return v;
    }

    public boolean exists(String name) {
        return records.containsKey(name);
    }

    public List<VolumeRecord> list() {
        List<VolumeRecord> out = new ArrayList<>(records.values());
        out.sort(Comparator.comparing(VolumeRecord::name));
        return out;
    }

    /**
     * Deletes the volume and its data; the caller checked that no container uses it. Returns the bytes
     * its data held.
     */
    long remove(String name) {
        Path trash;
        VolumeRecord v;
        synchronized (lock) {
            v = get(name);
            trash = root.resolve(REMOVING + name + "-" + Ids.random().substring(0, 8));
            try {
                Files.move(root.resolve(name), trash, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new BerthException.Failed("remove " + name + ": " + e.getMessage(), e);
            }
            records.remove(name);
        }
        long size = size(trash.resolve("_data"));
        delete(trash);
        events.accept("destroy", v);
        return size;
    }

    private VolumeRecord make(VolumeRecord v) {
        createDirectories(data(v.name()));
        write(v);
        records.put(v.name(), v);
        events.accept("create", v);
        return v;
    }

    private void write(VolumeRecord v) {
        Path dir = root.resolve(v.name());
        Path tmp = dir.resolve(RECORD + ".tmp");
        try {
            Files.write(tmp, Json.write(v));
            try {
                Files.move(tmp, dir.resolve(RECORD), StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(RECORD), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record volume " + v.name(), e);
        }
    }

    private void load() {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (name.startsWith(REMOVING)) {
                    delete(dir); // a removal a crash interrupted
                    continue;
                }
                if (!Files.isDirectory(dir)) continue;
                Path record = dir.resolve(RECORD);
                VolumeRecord v;
                if (Files.exists(record)) {
                    v = Json.MAPPER.readValue(record.toFile(), VolumeRecord.class);
                    createDirectories(data(name));
                } else {
                    // made before its record was written (or by an older berthd): adopted as a named volume
                    v = new VolumeRecord(
                            name,
                            "local",
                            null,
                            null,
                            Files.getLastModifiedTime(dir).toInstant());
                    createDirectories(data(name));
                    write(v);
                    Log.info("adopted a volume directory without record", "volume", name);
                }
                records.put(name, v);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the volumes in " + root, e);
        }
    }

    // ------------------------------------------------------------------ mounts

    /** Every mount of {@code r} with its source directory, anonymous volumes added; volumes and directories created. */
    public List<ContainerRecord.Mount> resolve(ContainerRecord r) {
        List<ContainerRecord.Mount> out = new ArrayList<>();
        Set<String> targets = new HashSet<>();
        for (ContainerRecord.Mount m : r.host().resolved()) {
            targets.add(m.destination());
            out.add(
                    switch (m.type()) {
                        case "volume" -> {
                            boolean anonymous = m.name() == null || m.anonymous();
                            String name = m.name() == null ? Ids.random() : m.name();
                            ensure(name, anonymous);
                            yield new ContainerRecord.Mount(
                                    "volume",
                                    name,
                                    data(name).toString(),
                                    m.destination(),
                                    m.readOnly(),
                                    anonymous,
                                    List.of());
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
            ensure(name, true);
            out.add(new ContainerRecord.Mount("volume", name, data(name).toString(), target, false, true, List.of()));
        }
        return out;
    }

    /** Removes the anonymous volumes of a container that was never recorded (its create failed). */
    void removeAnonymous(ContainerRecord r) {
        for (ContainerRecord.Mount m : r.host().resolved())
            if (m.type().equals("volume") && m.anonymous() && m.name() != null) removeQuietly(m.name());
    }

    void removeQuietly(String name) {
        try {
            remove(name);
        } catch (BerthException.NotFound gone) {
            // removed meanwhile
        } catch (RuntimeException e) {
            Log.warn("cannot remove a volume", "volume", name, "error", e.getMessage());
        }
    }

    // ------------------------------------------------------------------ files

    private static void createDirectories(Path p) {
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + p, e);
        }
    }

    /** Bytes in the regular files under {@code dir} (what a prune reclaims). */
    static long size(Path dir) {
        if (!Files.exists(dir)) return 0;
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(Files::isRegularFile)
                    .mapToLong(p -> {
                        try {
                            return Files.size(p);
                        } catch (IOException e) {
                            return 0;
                        }
                    })
                    .sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
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
