package dev.berth.runtime.containerd.io;

import dev.berth.model.log.Log;
import dev.berth.netlink.sys.Epoll;
import dev.berth.netlink.sys.Errno;
import dev.berth.netlink.sys.EventFd;
import dev.berth.netlink.sys.Libc;
import dev.berth.netlink.sys.SystemCallException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One thread, one epoll set, for the output FIFOs of every running task: a thread blocked in read per
 * stream costs a stack and its malloc arena each (two per container: 100 threads and ~13 MB with 50
 * containers). Each FIFO is read without blocking when epoll says it is readable or hung up, until it
 * would block; end-of-file ends its pump. Sinks must not block (the log file and attachers that are
 * dropped when they fall behind); an exec's output, which a slow client may hold back, keeps its own thread.
 * A stop (berthd lets go of the task) is carried out on the poller's thread, so a descriptor is never
 * closed while it is read.
 */
final class FifoPoller {
    private static final int MAX_EVENTS = 64, CHUNK = 32 * 1024, READS_PER_TURN = 8;
    private static final long WAKE = 0;
    private static FifoPoller instance;

    private final Epoll epoll;
    private final EventFd wake;
    private final AtomicLong ids = new AtomicLong(1);
    private final Map<Long, Polled> pumps = new ConcurrentHashMap<>();
    private final Queue<Polled> stops = new ConcurrentLinkedQueue<>();

    private FifoPoller() throws IOException {
        try {
            epoll = Epoll.create();
            wake = EventFd.create();
            epoll.addReadable(wake.fd(), WAKE);
        } catch (SystemCallException e) {
            throw new IOException("epoll: " + e.getMessage(), e);
        }
        Thread.ofPlatform().daemon().name("fifo-poller").start(this::loop);
    }

    /** The poller of this process, started at the first use. */
    static synchronized FifoPoller get() throws IOException {
        if (instance == null) instance = new FifoPoller();
        return instance;
    }

    /** A stream being copied: the FIFO's non-blocking descriptor, its sink and what runs at its end. */
    final class Polled {
        private final long id;
        private final String name;
        private final int fd;
        private final Consumer<byte[]> sink;
        private final Runnable onEnd;
        private boolean ended; // poller thread only

        private Polled(long id, String name, int fd, Consumer<byte[]> sink, Runnable onEnd) {
            this.id = id;
            this.name = name;
            this.fd = fd;
            this.sink = sink;
            this.onEnd = onEnd;
        }

        /** berthd lets go: the copy ends (onEnd runs) on the poller's thread, the descriptor is closed there. */
        void stop() {
            stops.add(this);
            wake();
        }
    }

    /**
     * Copies the FIFO open (non-blocking, reading) on {@code fd} to {@code sink} until end-of-file or
     * {@link Polled#stop}; takes over the descriptor.
     */
    Polled add(String name, int fd, Consumer<byte[]> sink, Runnable onEnd) throws IOException {
        Polled p = new Polled(ids.getAndIncrement(), name, fd, sink, onEnd);
        pumps.put(p.id, p);
        try {
            epoll.addReadable(fd, p.id);
        } catch (SystemCallException e) {
            pumps.remove(p.id);
            throw new IOException(e.getMessage(), e);
        }
        return p;
    }

    private void wake() {
        wake.signal();
    }

    private void loop() {
        try (Arena a = Arena.ofConfined()) {
            Epoll.Events events = epoll.events(a, MAX_EVENTS);
            MemorySegment buf = a.allocate(CHUNK);
            while (true) {
                int n = epoll.await(events, -1);
                for (int i = 0; i < n; i++) {
                    long id = events.key(i);
                    if (id == WAKE) {
                        wake.drain();
                        continue;
                    }
                    Polled p = pumps.get(id);
                    if (p != null) readSome(p, buf);
                }
                for (Polled p; (p = stops.poll()) != null; ) end(p);
            }
        } catch (RuntimeException | Error e) {
            Log.error("fifo-poller stopped: task output is no longer copied", "error", e);
        }
    }

    /** Reads until the FIFO would block (a few chunks at most, so one busy task does not starve the rest). */
    private void readSome(Polled p, MemorySegment buf) {
        for (int i = 0; i < READS_PER_TURN && !p.ended; i++) {
            long n;
            try {
                n = Libc.read(p.fd, buf, CHUNK);
            } catch (SystemCallException e) {
                if (e.errno() == Errno.EAGAIN) return;
                Log.debug("fifo read ended", "fifo", p.name, "error", e.getMessage());
                end(p);
                return;
            }
            if (n == 0) {
                end(p); // every writer closed: all the output was copied
                return;
            }
            try {
                p.sink.accept(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
            } catch (RuntimeException e) {
                Log.warn("output lost", "fifo", p.name, "error", e);
            }
        }
    }

    private void end(Polled p) {
        if (p.ended) return;
        p.ended = true;
        pumps.remove(p.id);
        try {
            epoll.remove(p.fd);
        } catch (SystemCallException e) {
            // closing removes it anyway
        }
        try {
            Libc.close(p.fd);
        } catch (SystemCallException e) {
            // already gone
        }
        try {
            p.onEnd.run();
        } catch (RuntimeException e) {
            Log.warn("a fifo's end action failed", "fifo", p.name, "error", e);
        }
    }
}
