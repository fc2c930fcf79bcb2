package dev.berth.netlink.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * A non-blocking event counter to wake a thread waiting in {@link Epoll}: {@link #signal} from any thread,
 * {@link #drain} on the woken one. Equivalent to: {@code eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)}.
 */
public final class EventFd implements AutoCloseable {
    private static final int EFD_CLOEXEC = 02000000, EFD_NONBLOCK = 04000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle EVENTFD = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("eventfd"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.captureCallState("errno"));

    private final int fd;

    private EventFd(int fd) {
        this.fd = fd;
    }

    public static EventFd create() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = CallState.allocate(a);
            int fd = (int) EVENTFD.invokeExact(st, 0, EFD_CLOEXEC | EFD_NONBLOCK);
            if (fd < 0) throw new SystemCallException("eventfd", "EFD_CLOEXEC|EFD_NONBLOCK", CallState.errno(st));
            return new EventFd(fd);
        } catch (Throwable t) {
            throw CallState.rethrow(t);
        }
    }

    /** The descriptor to watch ({@link Epoll#addReadable}). */
    public int fd() {
        return fd;
    }

    /** Adds one to the counter: the descriptor becomes readable (a full counter is readable already). */
    public void signal() {
        try (Arena a = Arena.ofConfined()) {
            Libc.write(fd, a.allocateFrom(JAVA_LONG, 1L), 8);
        } catch (SystemCallException full) {
            // EAGAIN: the counter is at its top, the waiter wakes anyway
        }
    }

    /** Resets the counter, so the descriptor is no longer readable. */
    public void drain() {
        try (Arena a = Arena.ofConfined()) {
            Libc.read(fd, a.allocate(8, 8), 8);
        } catch (SystemCallException empty) {
            // EAGAIN: already drained
        }
    }

    @Override
    public void close() {
        Libc.close(fd);
    }
}
