package dev.berth.engine.state;

import dev.berth.engine.tx.Faults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Records by kind and id, as a snapshot file and an append-only journal in one directory. A change is one
 * line appended to the journal ({@code CRC KIND ID PAYLOAD}, or {@code -} as payload for a removal): one
 * write, never a rename over an existing file (ext4 flushes the new file's data at such a rename, and at a
 * truncation to zero, which took milliseconds per record under load). A kill -9 loses at most the line being
 * written; its torn tail fails its checksum and is cut off at the next open. When the journal has grown past
 * twice the snapshot (and 1 MiB), the live records become the new snapshot (written, then renamed) and the
 * journal is emptied: each record is copied a bounded number of times, so a change costs O(1) whatever the
 * number of records. A crash between the snapshot's rename and the journal's truncation replays the journal
 * over the new snapshot, which gives the same records: every line sets or removes a whole record.
 * With {@code durable} every append and snapshot is also fsynced (power loss, not only a crash).
 */
public final class RecordJournal implements AutoCloseable {
    public static final String SNAPSHOT = "snapshot", JOURNAL = "journal";
    private static final byte[] REMOVED = {'-'};
    private static final long MIN_COMPACT = 1 << 20;

    /** A record in the layout a store used before the journal: read once, then deleted when the snapshot holds it. */
    public record Legacy(String kind, String id, byte[] payload) {}

    /** The previous layout's records and how to delete them. */
    public interface LegacyFiles {
        List<Legacy> read();

        void delete();
    }

    private final Path dir;
    private final boolean durable;
    private final Faults faults;
    private final String midAppend;
    /** Live records: kind to id to payload, each in id order. */
    private final Map<String, TreeMap<String, byte[]>> live = new TreeMap<>();

    private FileChannel journal;
    private long journalBytes;
    private long snapshotBytes;

    private RecordJournal(Path dir, boolean durable, Faults faults, String midAppend) {
        this.dir = dir;
        this.durable = durable;
        this.faults = faults;
        this.midAppend = midAppend;
    }

    /**
     * Opens (or starts) the records in {@code dir}: the previous layout's, then the snapshot's, then the
     * journal's lines in order. Crash tests may kill the process at {@code midAppend + KIND}, half of a line
     * written.
     */
    public static RecordJournal open(Path dir, boolean durable, Faults faults, String midAppend, LegacyFiles legacy) {
        RecordJournal j = new RecordJournal(dir, durable, faults, midAppend);
        try {
            Files.createDirectories(dir);
            List<Legacy> old = legacy.read();
            for (Legacy l : old) j.apply(l.kind(), l.id(), l.payload());
            Files.deleteIfExists(dir.resolve(SNAPSHOT + ".tmp")); // a compaction that died before its rename
            j.snapshotBytes = j.replay(dir.resolve(SNAPSHOT), false);
            j.journalBytes = j.replay(dir.resolve(JOURNAL), true);
            j.journal = FileChannel.open(
                    dir.resolve(JOURNAL),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            if (!old.isEmpty()) {
                j.compact(); // the snapshot holds the old files' records before they go
                legacy.delete();
            } else if (j.tooLong()) j.compact();
            return j;
        } catch (IOException e) {
            j.close();
            throw new UncheckedIOException("cannot open the records in " + dir, e);
        }
    }

    /**
     * The records in {@code dir} as {@code KIND/ID} to payload, read without changing anything (for tests and
     * tools that look at a store another process may have open); the previous layout's files are not read.
     */
    public static Map<String, byte[]> peek(Path dir) {
        RecordJournal j = new RecordJournal(dir, false, Faults.NONE, "");
        try {
            j.replay(dir.resolve(SNAPSHOT), false);
            j.replay(dir.resolve(JOURNAL), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the records in " + dir, e);
        }
        Map<String, byte[]> out = new TreeMap<>();
        j.live.forEach((kind, m) -> m.forEach((id, payload) -> out.put(kind + "/" + id, payload)));
        return out;
    }

    /** Sets a record. */
    public void put(String kind, String id, byte[] payload) {
        write(kind, id, payload);
    }

    /** Removes a record (nothing when there is none). */
    public void remove(String kind, String id) {
        synchronized (this) {
            TreeMap<String, byte[]> m = live.get(kind);
            if (m == null || !m.containsKey(id)) return;
        }
        write(kind, id, REMOVED);
    }

    /** A kind's records, id to payload, in id order (a copy). */
    public synchronized Map<String, byte[]> records(String kind) {
        TreeMap<String, byte[]> m = live.get(kind);
        return m == null ? Map.of() : new TreeMap<>(m);
    }

    /** Every kind that has records. */
    public synchronized List<String> kinds() {
        return live.entrySet().stream()
                .filter(e -> !e.getValue().isEmpty())
                .map(Map.Entry::getKey)
                .toList();
    }

    private synchronized void write(String kind, String id, byte[] payload) {
        byte[] line = line(kind, id, payload);
        try {
            if (faults == Faults.NONE) {
                writeFully(ByteBuffer.wrap(line));
            } else { // crash tests: a kill -9 in the middle of a line
                int half = line.length / 2;
                writeFully(ByteBuffer.wrap(line, 0, half));
                faults.reach(midAppend + kind);
                writeFully(ByteBuffer.wrap(line, half, line.length - half));
            }
            if (durable) journal.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record " + kind + "/" + id + " in " + dir, e);
        }
        journalBytes += line.length;
        apply(kind, id, payload);
        if (tooLong()) {
            try {
                compact();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot compact the records in " + dir, e);
            }
        }
    }

    private boolean tooLong() {
        return journalBytes > Math.max(MIN_COMPACT, 2 * snapshotBytes);
    }

    /** The live records become the snapshot (written, renamed), then the journal is emptied. */
    private void compact() throws IOException {
        Path tmp = dir.resolve(SNAPSHOT + ".tmp");
        long size = 0;
        try (FileChannel c = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (Map.Entry<String, TreeMap<String, byte[]>> k : live.entrySet())
                for (Map.Entry<String, byte[]> r : k.getValue().entrySet()) {
                    ByteBuffer b = ByteBuffer.wrap(line(k.getKey(), r.getKey(), r.getValue()));
                    size += b.remaining();
                    while (b.hasRemaining()) c.write(b);
                }
            if (durable) c.force(true);
        }
        Files.move(tmp, dir.resolve(SNAPSHOT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (durable) syncDirectory();
        faults.reach("state:compacted"); // a crash here replays the journal over the snapshot: the same records
        journal.truncate(0);
        if (durable) journal.force(true);
        journalBytes = 0;
        snapshotBytes = size;
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) journal.write(b);
    }

    private void apply(String kind, String id, byte[] payload) {
        if (payload.length == 1 && payload[0] == '-') {
            TreeMap<String, byte[]> m = live.get(kind);
            if (m != null) m.remove(id);
        } else live.computeIfAbsent(kind, k -> new TreeMap<>()).put(id, payload);
    }

    /**
     * Applies a file's lines in order; the first line that is incomplete or fails its checksum ends it (a torn
     * tail from a kill -9 mid-write), and with {@code cut} the file is truncated there. The bytes kept.
     */
    private long replay(Path file, boolean cut) throws IOException {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException none) {
            return 0;
        }
        int pos = 0;
        while (pos < all.length) {
            int end = indexOf(all, (byte) '\n', pos);
            if (end < 0) break;
            int a = indexOf(all, (byte) ' ', pos), b = a < 0 ? -1 : indexOf(all, (byte) ' ', a + 1);
            int c = b < 0 ? -1 : indexOf(all, (byte) ' ', b + 1);
            if (c < 0 || c >= end) break;
            String kind = new String(all, a + 1, b - a - 1, StandardCharsets.UTF_8);
            String id = new String(all, b + 1, c - b - 1, StandardCharsets.UTF_8);
            byte[] payload = Arrays.copyOfRange(all, c + 1, end);
            if (!new String(all, pos, a - pos, StandardCharsets.US_ASCII).equals(crc(kind, id, payload))) break;
            apply(kind, id, payload);
            pos = end + 1;
        }
        if (pos < all.length && cut)
            try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
                c.truncate(pos);
            }
        return pos;
    }

    private static int indexOf(byte[] b, byte x, int from) {
        for (int i = from; i < b.length; i++) if (b[i] == x) return i;
        return -1;
    }

    private static byte[] line(String kind, String id, byte[] payload) {
        if (kind.indexOf(' ') >= 0 || id.indexOf(' ') >= 0 || kind.isEmpty() || id.isEmpty())
            throw new IllegalArgumentException("record kind and id must be words: " + kind + "/" + id);
        for (byte x : payload)
            if (x == '\n') throw new IllegalArgumentException("a record's payload is one line: " + kind + "/" + id);
        byte[] head = (crc(kind, id, payload) + " " + kind + " " + id + " ").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + payload.length + 1];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(payload, 0, out, head.length, payload.length);
        out[out.length - 1] = '\n';
        return out;
    }

    private static String crc(String kind, String id, byte[] payload) {
        CRC32C c = new CRC32C();
        c.update((kind + " " + id + " ").getBytes(StandardCharsets.UTF_8));
        c.update(payload);
        return HexFormat.of().toHexDigits((int) c.getValue());
    }

    private void syncDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (journal != null) journal.close();
        } catch (IOException ignored) {
            // nothing was pending: every append was a complete write
        }
    }
}
