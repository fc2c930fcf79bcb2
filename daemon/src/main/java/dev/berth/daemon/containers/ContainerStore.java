package dev.berth.daemon.containers;

import dev.berth.daemon.json.Json;
import dev.berth.engine.state.RecordJournal;
import dev.berth.engine.tx.Faults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Container records in a {@link RecordJournal} (a snapshot and an append-only journal): a record change is
 * one appended line, and a crash leaves the old or the new record, never half. Records of the layout before
 * (one JSON file each, {@code ID.json}) are read once and folded into the snapshot.
 */
final class ContainerStore implements AutoCloseable {
    private static final String KIND = "container";
    private final Path dir;
    private Faults faults = Faults.NONE;
    private RecordJournal journal;

    ContainerStore(Path dir) {
        this.dir = dir;
    }

    /** Test-only: crash tests kill berthd in the middle of a record's line ({@code record:mid-append:container}). */
    void crashPoints(Faults f) {
        this.faults = f;
    }

    void put(ContainerRecord r) {
        journal().put(KIND, r.id(), Json.write(r));
    }

    void remove(String id) {
        journal().remove(KIND, id);
    }

    /** Every record. */
    List<ContainerRecord> load() {
        List<ContainerRecord> out = new ArrayList<>();
        for (Map.Entry<String, byte[]> r : journal().records(KIND).entrySet()) {
            try {
                out.add(Json.MAPPER.readValue(r.getValue(), ContainerRecord.class));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the record of container " + r.getKey() + " in " + dir, e);
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (journal != null) journal.close();
    }

    /** Opened at first use, after the crash points are set. */
    private synchronized RecordJournal journal() {
        if (journal == null) {
            Faults f = faults;
            journal = RecordJournal.open(dir, false, f, "record:mid-append:", new OneFileEach(dir));
        }
        return journal;
    }

    /** The layout before the journal: {@code ID.json} each; a half-written {@code ID.json.tmp} is dropped. */
    private record OneFileEach(Path dir) implements RecordJournal.LegacyFiles {
        @Override
        public List<RecordJournal.Legacy> read() {
            List<RecordJournal.Legacy> out = new ArrayList<>();
            if (!Files.isDirectory(dir)) return out;
            try (DirectoryStream<Path> tmps = Files.newDirectoryStream(dir, "*.json.tmp")) {
                for (Path t : tmps) Files.deleteIfExists(t); // a write the old layout never renamed
            } catch (IOException e) {
                throw new UncheckedIOException("cannot clean the container records in " + dir, e);
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    byte[] compact = Json.MAPPER.writeValueAsBytes(Json.MAPPER.readTree(f.toFile()));
                    out.add(new RecordJournal.Legacy(KIND, name.substring(0, name.length() - 5), compact));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the container records in " + dir, e);
            }
            return out;
        }

        @Override
        public void delete() {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json*")) {
                for (Path f : files) Files.deleteIfExists(f);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove the old container records in " + dir, e);
            }
        }
    }
}
