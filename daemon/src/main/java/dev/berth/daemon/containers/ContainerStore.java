package dev.berth.daemon.containers;

import dev.berth.daemon.json.Json;
import dev.berth.engine.tx.Faults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** Container records as one JSON file each, replaced atomically (a crash leaves the old or the new one). */
final class ContainerStore {
    private final Path dir;
    private Faults faults = Faults.NONE;

    ContainerStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /** Test-only: crash tests kill berthd between a record's write and its rename. */
    void crashPoints(Faults f) {
        this.faults = f;
    }

    void put(ContainerRecord r) {
        Path tmp = dir.resolve(r.id() + ".json.tmp");
        try {
            Files.write(tmp, Json.write(r));
            faults.reach("record:before-rename");
            try {
                Files.move(tmp, dir.resolve(r.id() + ".json"), StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(r.id() + ".json"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record container " + r.name(), e);
        }
    }

    void remove(String id) {
        try {
            Files.deleteIfExists(dir.resolve(id + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot forget container " + id, e);
        }
    }

    /** Every record; a half-written one (a crash between the write and the rename) is deleted: the old one stands. */
    List<ContainerRecord> load() {
        List<ContainerRecord> out = new ArrayList<>();
        try (DirectoryStream<Path> tmps = Files.newDirectoryStream(dir, "*.json.tmp")) {
            for (Path t : tmps) Files.deleteIfExists(t);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean the container records in " + dir, e);
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) out.add(Json.MAPPER.readValue(f.toFile(), ContainerRecord.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the container records in " + dir, e);
        }
        return out;
    }
}
