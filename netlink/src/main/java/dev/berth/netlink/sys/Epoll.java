package dev.berth.netlink.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * An epoll set that waits for descriptors to become readable (or hung up), each known by a key the caller
 * chooses. Equivalent to: {@code epoll_create1(EPOLL_CLOEXEC)}, {@code epoll_ctl}, {@code epoll_wait}.
 */
public final class Epoll implements AutoCloseable {
    private static final int EPOLL_CLOEXEC = 02000000, EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLLIN = 0x1;
    /** struct epoll_event is packed on x86-64: u32 events, then u64 data at offset 4. */
    private static final long EVENT_SIZE = 12;

    private static final ValueLayout.OfLong DATA = JAVA_LONG.withByteAlignment(4);
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle CREATE1 = bind("epoll_create1", JAVA_INT, JAVA_INT);
    private static final MethodHandle CTL = bind("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle WAIT = bind("epoll_wait", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);

    private final int fd;

    private Epoll(int fd) {
        this.fd = fd;
    }

    private static MethodHandle bind(String name, MemoryLayout result, MemoryLayout... args) {
        return LINKER.downcallHandle(
                LINKER.defaultLookup().findOrThrow(name),
                FunctionDescriptor.of(result, args),
                Linker.Option.captureCallState("errno"));
    }

    public static Epoll create() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = CallState.allocate(a);
            int fd = (int) CREATE1.invokeExact(st, EPOLL_CLOEXEC);
            if (fd < 0) throw new SystemCallException("epoll_create1", "EPOLL_CLOEXEC", CallState.errno(st));
            return new Epoll(fd);
        } catch (Throwable t) {
            throw CallState.rethrow(t);
        }
    }

    /** Watches {@code target} for input (and hang-up, which epoll always reports); its events carry {@code key}. */
    public void addReadable(int target, long key) {
        control(EPOLL_CTL_ADD, target, key);
    }

    /** Stops watching {@code target} (closing it does too). */
    public void remove(int target) {
        control(EPOLL_CTL_DEL, target, 0);
    }

    private void control(int op, int target, long key) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = CallState.allocate(a);
            MemorySegment ev = a.allocate(EVENT_SIZE);
            ev.set(JAVA_INT, 0, EPOLLIN);
            ev.set(DATA, 4, key);
            if ((int) CTL.invokeExact(st, fd, op, target, ev) < 0)
                throw new SystemCallException(
                        "epoll_ctl", (op == EPOLL_CTL_ADD ? "add fd " : "delete fd ") + target, CallState.errno(st));
        } catch (Throwable t) {
            throw CallState.rethrow(t);
        }
    }

    /** Room for the events of one {@link #await}, owned by the waiting thread. */
    public Events events(Arena arena, int max) {
        return new Events(arena, max);
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: without end) for watched descriptors; returns how many are ready, their
     * keys in {@code events}; 0 on a timeout or an interrupted wait.
     */
    public int await(Events events, int timeoutMillis) {
        int n;
        try {
            n = (int) WAIT.invokeExact(events.state, fd, events.buf, events.max, timeoutMillis);
        } catch (Throwable t) {
            throw CallState.rethrow(t);
        }
        if (n >= 0) return n;
        int errno = CallState.errno(events.state);
        if (errno == Errno.EINTR) return 0;
        throw new SystemCallException("epoll_wait", String.valueOf(fd), errno);
    }

    @Override
    public void close() {
        Libc.close(fd);
    }

    /** The keys of the descriptors one {@link #await} found ready. */
    public static final class Events {
        private final MemorySegment buf, state;
        private final int max;

        private Events(Arena arena, int max) {
            this.max = max;
            this.buf = arena.allocate(EVENT_SIZE * max, 8);
            this.state = CallState.allocate(arena);
        }

        public long key(int i) {
            return buf.get(DATA, EVENT_SIZE * i + 4);
        }
    }
}
