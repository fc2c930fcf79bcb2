package dev.berth.runtime;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.berth.netlink.sys.Libc;
import dev.berth.runtime.sys.Pidfd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Waits for processes to exit: one platform thread polls all their pidfds (plus an eventfd that wakes it
 * when the set changes), so an exit is seen at once whatever the number of containers. Each pidfd given to
 * {@link #watch} is owned and closed here; the callback runs on a virtual thread after the exit.
 */
final class ExitWatcher implements AutoCloseable {
    private static final long POLLFD_SIZE = 8; // struct pollfd { int fd; short events; short revents; }

    private final int wake = Pidfd.eventfd(Pidfd.EFD_CLOEXEC | Pidfd.EFD_NONBLOCK);
    private final Map<Integer, Runnable> added = new LinkedHashMap<>();
    private final Map<Integer, Runnable> watched = new LinkedHashMap<>(); // only the watcher thread touches it
    private final Thread thread;
    private volatile boolean closed;

    ExitWatcher() {
        thread = Thread.ofPlatform().daemon().name("berth-runtime-exits").start(this::run);
    }

    /** Calls {@code onExit} once the process behind {@code pidfd} has exited (at once if it already has). */
    void watch(int pidfd, Runnable onExit) {
        synchronized (added) {
            if (closed) { // a start that raced with close: the next open adopts the container
                Libc.close(pidfd);
                return;
            }
            added.put(pidfd, onExit);
        }
        poke();
    }

    private void poke() {
        try (Arena a = Arena.ofConfined()) {
            Libc.write(wake, a.allocateFrom(JAVA_LONG, 1L), 8);
        }
    }

    private void run() {
        while (!closed) {
            synchronized (added) {
                watched.putAll(added);
                added.clear();
            }
            List<Integer> fds = new ArrayList<>(watched.keySet());
            try (Arena a = Arena.ofConfined()) {
                MemorySegment pfds = a.allocate(POLLFD_SIZE * (fds.size() + 1));
                pfds.set(JAVA_INT, 0, wake);
                pfds.set(JAVA_SHORT, 4, Libc.POLLIN);
                for (int i = 0; i < fds.size(); i++) {
                    pfds.set(JAVA_INT, POLLFD_SIZE * (i + 1), fds.get(i));
                    pfds.set(JAVA_SHORT, POLLFD_SIZE * (i + 1) + 4, Libc.POLLIN);
                }
                Libc.poll(pfds, fds.size() + 1, -1);
                if (pfds.get(JAVA_SHORT, 6) != 0) Libc.read(wake, a.allocate(8), 8);
                for (int i = 0; i < fds.size(); i++) {
                    if (pfds.get(JAVA_SHORT, POLLFD_SIZE * (i + 1) + 6) == 0) continue;
                    int fd = fds.get(i);
                    Runnable callback = watched.remove(fd);
                    Libc.close(fd);
                    Thread.ofVirtual().name("berth-runtime-exit").start(callback);
                }
            }
        }
        for (int fd : watched.keySet()) Libc.close(fd);
        synchronized (added) {
            for (int fd : added.keySet()) Libc.close(fd);
            added.clear();
        }
        watched.clear();
    }

    /** Stops watching (callbacks of exits not yet seen never run) and closes every pidfd. */
    @Override
    public void close() {
        synchronized (added) {
            if (closed) return;
            closed = true;
        }
        poke();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Libc.close(wake);
    }
}
