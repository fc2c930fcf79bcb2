package dev.berth.runtime.logs;

import dev.berth.runtime.LogChunk;
import dev.berth.runtime.LogOptions;
import dev.berth.runtime.LogReader;
import dev.berth.runtime.LogStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Reads a json-file log (with its rotated files, oldest first) as {@code docker logs} does: stream
 * selection, since/until, tail over both streams, and follow. Following polls the file (with a short
 * back-off) rather than being told of writes, because after a berthd restart the writer is another
 * object; it moves on to the new file when the log rotates, and ends once {@code runEnded} completed and
 * everything written before was delivered.
 */
public final class JsonFileLogReader implements LogReader {
    private static final int MAX_WAIT_MS = 100;

    private final Path file;
    private final LogOptions o;
    private final CompletableFuture<?> runEnded;
    private final Deque<Path> olderFiles = new ArrayDeque<>();
    private final Deque<LogChunk> ready = new ArrayDeque<>();
    private LineFile current;
    private boolean ended;

    /** @param runEnded completes when the task's output has all been written to the log (completed: no task) */
    public JsonFileLogReader(Path file, LogOptions o, CompletableFuture<?> runEnded) throws IOException {
        this.file = file;
        this.o = o;
        this.runEnded = runEnded;
        for (int n = 1; Files.exists(JsonFileLog.rotated(file, n)); n++)
            olderFiles.addFirst(JsonFileLog.rotated(file, n));
        if (o.tail() >= 0) readTail();
    }

    /** Everything written so far, keeping only the last {@code tail} entries; following goes on from there. */
    private void readTail() throws IOException {
        int tail = o.tail();
        while (true) {
            LogChunk c = readOne();
            if (c == null) break;
            if (tail == 0) continue;
            if (ready.size() == tail) ready.removeFirst();
            ready.addLast(c);
        }
        if (!o.follow()) ended = true;
    }

    @Override
    public LogChunk next() throws IOException, InterruptedException {
        if (!ready.isEmpty()) return ready.removeFirst();
        int waitMs = 1;
        while (!ended) {
            boolean finished = runEnded.isDone(); // looked at first: what was written before the end is read below
            LogChunk c = readOne();
            if (c != null) return c;
            if (!o.follow() || finished || (o.until() != null && !Instant.now().isBefore(o.until()))) break;
            Thread.sleep(waitMs);
            waitMs = Math.min(waitMs * 2, MAX_WAIT_MS);
        }
        ended = true;
        return null;
    }

    /** The next entry that passes the filters, or null when nothing more is there now. */
    private LogChunk readOne() throws IOException {
        while (true) {
            byte[] line = nextLine();
            if (line == null) return null;
            LogChunk c = JsonLogLine.decode(line, 0, line.length);
            if (c == null) continue;
            if (o.until() != null && !c.time().isBefore(o.until())) {
                ended = o.follow() || ended; // following stops at until; a plain read skips what lies after it
                if (o.follow()) return null;
                continue;
            }
            if (o.since() != null && c.time().isBefore(o.since())) continue;
            if (c.stream() == LogStream.STDOUT ? !o.stdout() : !o.stderr()) continue;
            return c;
        }
    }

    /** The next complete line across the rotated files and the live one, or null for now. */
    private byte[] nextLine() throws IOException {
        while (true) {
            if (current == null && !openNext()) return null;
            byte[] l = current.next();
            if (l != null) return l;
            if (current.truncated()) {
                current.rewind();
                continue;
            }
            boolean live = olderFiles.isEmpty();
            if (live && current.isStill(file)) return null; // at the end of the live file: wait for more
            if (live) queueNewerRotations(); // several rotations may have passed while this reader lagged
            current.close(); // a rotated file (or the live one was just rotated away): it is complete
            current = null;
        }
    }

    /**
     * The live file we read was rotated away: it is now {@code file.N}; the files {@code N-1 .. 1} came after it
     * and are read before the new live file, so a slow follower loses no line that max-file still keeps.
     */
    private void queueNewerRotations() {
        for (int n = 1; Files.exists(JsonFileLog.rotated(file, n)); n++) {
            if (current.isStill(JsonFileLog.rotated(file, n))) {
                for (int k = n - 1; k >= 1; k--) olderFiles.addLast(JsonFileLog.rotated(file, k));
                return;
            }
        }
    }

    private boolean openNext() throws IOException {
        while (!olderFiles.isEmpty()) {
            try {
                current = new LineFile(olderFiles.removeFirst());
                return true;
            } catch (NoSuchFileException rotatedAway) {
                // max-file dropped it meanwhile
            }
        }
        try {
            current = new LineFile(file);
            return true;
        } catch (NoSuchFileException notYet) {
            return false; // no output yet, or mid-rotation
        }
    }

    /** The rotated files of {@code file} and the file itself, for deletion. */
    public static List<Path> allFiles(Path file) {
        List<Path> all = new ArrayList<>();
        for (int n = 1; Files.exists(JsonFileLog.rotated(file, n)); n++) all.add(JsonFileLog.rotated(file, n));
        all.add(file);
        return all;
    }

    @Override
    public void close() throws IOException {
        ended = true;
        if (current != null) current.close();
    }
}
