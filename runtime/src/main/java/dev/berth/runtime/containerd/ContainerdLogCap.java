package dev.berth.runtime.containerd;

import dev.berth.model.log.Log;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * Keeps the managed containerd's own log ({@code STATE/containerd/containerd.log}) from growing without
 * end: containerd writes ~1.6 KB there per container run (shim start, disconnect, clean-up) for as long
 * as it lives, which is months, and holds the file open in append mode across berthd's restarts. So the
 * file is trimmed in place as logrotate's {@code copytruncate} does: past {@link #MAX_BYTES} it is copied
 * to {@code containerd.log.1} (replacing the older copy) and truncated, and containerd's next write lands
 * at the start of the emptied file (O_APPEND). Lines written between the copy and the truncation are lost,
 * a few at most. Checked when berthd opens the runtime and then every {@link #EVERY} on a daemon thread.
 */
final class ContainerdLogCap implements AutoCloseable {
    /** containerd.log's most; with its one older copy the log takes at most twice this. */
    static final long MAX_BYTES = 8L * 1024 * 1024;

    static final Duration EVERY = Duration.ofMinutes(1);

    private final Path log;
    private final long maxBytes;
    private final Thread thread;

    private ContainerdLogCap(Path log, long maxBytes) {
        this.log = log;
        this.maxBytes = maxBytes;
        this.thread = Thread.ofPlatform().daemon().name("containerd-log-cap").unstarted(this::loop);
    }

    /** Trims {@code log} now and then every {@link #EVERY} until closed. */
    static ContainerdLogCap start(Path log) {
        ContainerdLogCap c = new ContainerdLogCap(log, MAX_BYTES);
        c.trimQuietly();
        c.thread.start();
        return c;
    }

    private void loop() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(EVERY);
                trimQuietly();
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private void trimQuietly() {
        try {
            if (trim(log, maxBytes))
                Log.info("trimmed a container log; the older part is FILE.1", "file", log, "max_bytes", maxBytes);
        } catch (IOException e) {
            Log.warn("cannot trim a container log", "file", log, "error", e.getMessage());
        }
    }

    /** Copies {@code log} to {@code log.1} and empties it when it holds more than {@code maxBytes}; true if it did. */
    static boolean trim(Path log, long maxBytes) throws IOException {
        if (!Files.isRegularFile(log) || Files.size(log) <= maxBytes) return false;
        Path older = log.resolveSibling(log.getFileName() + ".1");
        Path tmp = log.resolveSibling(log.getFileName() + ".1.tmp");
        Files.copy(log, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, older, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        return true;
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
