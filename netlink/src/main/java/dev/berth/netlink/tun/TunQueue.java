package dev.berth.netlink.tun;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.berth.netlink.sys.CallState;
import dev.berth.netlink.sys.Errno;
import dev.berth.netlink.sys.Libc;
import dev.berth.netlink.sys.SystemCallException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/**
 * One non-blocking queue of a multi-queue TUN device with offload ({@link TunDevice#openOffloadQueue}): every
 * packet starts with a {@link TunDevice#VNET_HDR_SIZE}-byte virtio-net header and may be a super-packet of up
 * to ~64 KB. A thread moves packets through its own {@link Io}, whose calls allocate nothing and throw only on
 * failures a packet loop cannot go on from.
 */
public final class TunQueue implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle READ = bind("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle WRITE = bind("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle WRITEV = bind("writev", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle POLL = bind("poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final long IOVEC = 16;

    private final int fd;
    private volatile boolean closed;

    private TunQueue(int fd) {
        this.fd = fd;
    }

    private static MethodHandle bind(String name, MemoryLayout result, MemoryLayout... args) {
        return LINKER.downcallHandle(
                LINKER.defaultLookup().findOrThrow(name),
                FunctionDescriptor.of(result, args),
                Linker.Option.captureCallState("errno"));
    }

    /** Opens one queue of {@code name} in the calling thread's namespace (the first creates the device). */
    public static TunQueue open(String name) {
        int fd = TunDevice.openOffloadQueue(name);
        try {
            Libc.setNonBlocking(fd);
            return new TunQueue(fd);
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /** A thread's calls on this queue, with room to gather a packet from up to {@code maxPieces} pieces. */
    public Io io(Arena arena, int maxPieces) {
        return new Io(arena, maxPieces);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Libc.close(fd);
    }

    /** The calls of one thread: reads, writes and waits on the queue, each with its own errno capture. */
    public final class Io {
        private final MemorySegment state, pollfd, gather;
        private final int maxPieces;
        private int pieces;

        private Io(Arena arena, int maxPieces) {
            this.maxPieces = maxPieces;
            state = CallState.allocate(arena);
            pollfd = arena.allocate(8, 4);
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, Libc.POLLIN);
            gather = arena.allocate(IOVEC * Math.max(1, maxPieces), 8);
        }

        /** Reads one packet into {@code buf}; its length, or 0 when none is waiting. Throws on a failure. */
        public int read(MemorySegment buf) {
            while (true) {
                long r;
                try {
                    r = (long) READ.invokeExact(state, fd, buf, buf.byteSize());
                } catch (Throwable t) {
                    throw CallState.rethrow(t);
                }
                if (r >= 0) return (int) r;
                int errno = CallState.errno(state);
                if (errno == Errno.EAGAIN) return 0;
                if (errno != Errno.EINTR) throw new SystemCallException("read", "TUN queue " + fd, errno);
            }
        }

        /**
         * Writes one packet of {@code length} bytes from {@code offset} of {@code buf}: true when the kernel took it
         * or its queue was full (the kernel drops it then, as it would), false when the kernel refused it.
         */
        public boolean write(MemorySegment buf, long offset, long length) {
            Objects.checkFromIndexSize(offset, length, buf.byteSize());
            long r;
            try {
                r = (long) WRITE.invokeExact(state, fd, buf.asSlice(offset, length), length);
            } catch (Throwable t) {
                throw CallState.rethrow(t);
            }
            return r >= 0 || CallState.errno(state) == Errno.EAGAIN;
        }

        /** Starts gathering a packet from pieces ({@link #gather}, then {@link #writeGathered}). */
        public void clearGather() {
            pieces = 0;
        }

        /** Appends {@code length} bytes of native segment {@code s} from {@code offset} to the packet being gathered. */
        public void gather(MemorySegment s, long offset, long length) {
            if (pieces == maxPieces)
                throw new IllegalStateException("a packet gathers at most " + maxPieces + " pieces");
            Objects.checkFromIndexSize(offset, length, s.byteSize());
            gather.set(JAVA_LONG, IOVEC * pieces, s.address() + offset);
            gather.set(JAVA_LONG, IOVEC * pieces + 8, length);
            pieces++;
        }

        /** Writes the gathered pieces as one packet (writev); the outcome as {@link #write}'s. */
        public boolean writeGathered() {
            long r;
            try {
                r = (long) WRITEV.invokeExact(state, fd, gather, pieces);
            } catch (Throwable t) {
                throw CallState.rethrow(t);
            }
            return r >= 0 || CallState.errno(state) == Errno.EAGAIN;
        }

        /** Waits up to {@code timeoutMillis} for a packet to read. */
        public void await(int timeoutMillis) {
            try {
                int ignored = (int) POLL.invokeExact(state, pollfd, 1L, timeoutMillis);
            } catch (Throwable t) {
                throw CallState.rethrow(t);
            }
        }
    }
}
