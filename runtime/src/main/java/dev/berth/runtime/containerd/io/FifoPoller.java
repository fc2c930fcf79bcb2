package dev.berth.runtime.containerd.io;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.berth.model.log.Log;
import dev.berth.netlink.sys.Errno;
import dev.berth.netlink.sys.Libc;
import dev.berth.netlink.sys.SystemCallException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
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
    private static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLLIN = 0x1, EPOLLHUP = 0x10, EPOLLERR = 0x8;
    private static final int EPOLL_CLOEXEC = 02000000, EFD_CLOEXEC = 02000000, EFD_NONBLOCK = 04000;
    private static final int EVENT_SIZE = 12, MAX_EVENTS = 64, CHUNK = 32 * 1024, READS_PER_TURN = 8;
    private static final long WAKE = 0;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle EPOLL_CREATE1 = bind("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL =
            bind("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT =
            bind("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD = bind("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static FifoPoller instance;

    private final int epoll;
    private final int wakeFd;
    private final AtomicLong ids = new AtomicLong(1);
    private final Map<Long, Polled> pumps = new ConcurrentHashMap<>();
    private final Queue<Polled> stops = new ConcurrentLinkedQueue<>();

    private static MethodHandle bind(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), d);
    }

    private FifoPoller() throws IOException {
        try {
            epoll = (int) EPOLL_CREATE1.invokeExact(EPOLL_CLOEXEC);
            if (epoll < 0) throw new IOException("epoll_create1 failed");
            wakeFd = (int) EVENTFD.invokeExact(0, EFD_CLOEXEC | EFD_NONBLOCK);
            if (wakeFd < 0) throw new IOException("eventfd failed");
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("epoll: " + t, t);
        }
        control(EPOLL_CTL_ADD, wakeFd, WAKE);
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
            control(EPOLL_CTL_ADD, fd, p.id);
        } catch (IOException e) {
            pumps.remove(p.id);
            throw e;
        }
        return p;
    }

    private void control(int op, int fd, long data) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ev = a.allocate(EVENT_SIZE); // struct epoll_event is packed on x86-64: u32 events, u64 data
            ev.set(JAVA_INT, 0, EPOLLIN);
            ev.set(JAVA_LONG.withByteAlignment(4), 4, data);
            int rc = (int) EPOLL_CTL.invokeExact(epoll, op, fd, ev);
            if (rc < 0) throw new IOException("epoll_ctl " + op + " on fd " + fd + " failed");
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("epoll_ctl: " + t, t);
        }
    }

    private void wake() {
        try (Arena a = Arena.ofConfined()) {
            Libc.write(wakeFd, a.allocateFrom(JAVA_LONG, 1L), 8);
        } catch (SystemCallException full) {
            // the counter is already set: the poller wakes anyway
        }
    }

    private void loop() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment events = a.allocate((long) EVENT_SIZE * MAX_EVENTS);
            MemorySegment buf = a.allocate(CHUNK);
            while (true) {
                int n;
                try {
                    n = (int) EPOLL_WAIT.invokeExact(epoll, events, MAX_EVENTS, -1);
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
                for (int i = 0; i < n; i++) {
                    long id = events.get(JAVA_LONG.withByteAlignment(4), (long) i * EVENT_SIZE + 4);
                    if (id == WAKE) {
                        drainWake(buf);
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

    private void drainWake(MemorySegment buf) {
        try {
            Libc.read(wakeFd, buf, 8);
        } catch (SystemCallException again) {
            // EAGAIN: already drained
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
            control(EPOLL_CTL_DEL, p.fd, p.id);
        } catch (IOException e) {
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
