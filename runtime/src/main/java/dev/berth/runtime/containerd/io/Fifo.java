package dev.berth.runtime.containerd.io;

import dev.berth.netlink.sys.FileModes;
import dev.berth.netlink.sys.Libc;
import dev.berth.netlink.sys.SystemCallException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The named pipes between berthd and a task's shim. containerd's shim opens them by path; berthd opens
 * its ends first with O_RDWR, which never blocks on a FIFO, then reopens the wanted direction through
 * /proc/self/fd (this cannot block either, since the O_RDWR descriptor is both a reader and a writer).
 * The O_RDWR "holder" of a reading end is closed once the shim has opened its writer: from then on the
 * read sees end-of-file exactly when the shim closes it, that is when all the task's output was copied.
 */
public final class Fifo {
    /** Pipe capacity asked for: output keeps flowing into the pipe (up to this) while berthd is down. */
    private static final int PIPE_SIZE = 1 << 20;

    private Fifo() {}

    /** mkfifo(path, 0600); an existing FIFO is kept. */
    public static void create(Path path) throws IOException {
        try {
            Libc.mkfifo(path.toString(), 0600);
        } catch (SystemCallException e) {
            if (!Files.exists(path)) throw new IOException("mkfifo " + path + " failed: " + e.getMessage(), e);
            if (!isFifo(path)) throw new FileAlreadyExistsException(path.toString(), null, "exists and is not a FIFO");
        }
    }

    static boolean isFifo(Path path) {
        try {
            return FileModes.isFifo((int) Files.getAttribute(path, "unix:mode"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Opens the O_RDWR holder of {@code path}; close it with {@link #release}. */
    public static int hold(Path path) {
        int fd = Libc.open(path.toString(), Libc.O_RDWR | Libc.O_CLOEXEC, 0);
        try {
            Libc.setPipeSize(fd, PIPE_SIZE);
        } catch (SystemCallException e) {
            // keep the default size: pipe-max-size may be lower
        }
        return fd;
    }

    /** A reading channel on the FIFO held by {@code holder}. */
    public static FileChannel reader(int holder) throws IOException {
        return FileChannel.open(Path.of("/proc/self/fd/" + holder), StandardOpenOption.READ);
    }

    /** A non-blocking reading descriptor on the FIFO held by {@code holder} (for {@link FifoPoller}). */
    public static int pollingReader(int holder) {
        return Libc.open("/proc/self/fd/" + holder, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
    }

    /** A writing channel on the FIFO held by {@code holder}. */
    public static FileChannel writer(int holder) throws IOException {
        return FileChannel.open(Path.of("/proc/self/fd/" + holder), StandardOpenOption.WRITE);
    }

    public static void release(int holder) {
        if (holder >= 0) Libc.close(holder);
    }
}
