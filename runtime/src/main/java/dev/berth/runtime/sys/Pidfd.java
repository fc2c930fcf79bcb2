package dev.berth.runtime.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.berth.netlink.sys.Errno;
import dev.berth.netlink.sys.SystemCallException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Process file descriptors (Linux >= 5.3) and eventfd, bound with java.lang.foreign. A pidfd names one
 * process for good: signals sent through it can never hit a later process that reused the PID, and it
 * becomes readable (poll) when the process exits, whoever its parent is.
 */
@SuppressWarnings("restricted") // FFM downcalls: the JVM runs with --enable-native-access
public final class Pidfd {
    /** Syscall numbers of the generic table, the same on x86-64 and arm64. */
    private static final long SYS_PIDFD_SEND_SIGNAL = 424, SYS_PIDFD_OPEN = 434;
    public static final int EFD_CLOEXEC = 02000000, EFD_NONBLOCK = 04000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    // long syscall(long number, ...): every variadic argument passed as a long, as the kernel reads registers.
    private static final MethodHandle SYSCALL4 = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("syscall"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle EVENTFD = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("eventfd"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.captureCallState("errno"));

    private Pidfd() {}

    /** Opens a pidfd for {@code pid} (close-on-exec); -1 when no such process exists (ESRCH). */
    public static int open(long pid) {
        MemorySegment st = STATE.get();
        long rc;
        try {
            rc = (long) SYSCALL4.invokeExact(st, SYS_PIDFD_OPEN, pid, 0L, 0L, 0L);
        } catch (Throwable t) { throw rethrow(t); }
        if (rc >= 0) return (int) rc;
        int errno = (int) ERRNO.get(st, 0L);
        if (errno == Errno.ESRCH) return -1;
        throw new SystemCallException("pidfd_open", String.valueOf(pid), errno);
    }

    /** Sends {@code signal} through a pidfd; false when the process has already exited (ESRCH). */
    public static boolean sendSignal(int pidfd, int signal) {
        MemorySegment st = STATE.get();
        long rc;
        try {
            rc = (long) SYSCALL4.invokeExact(st, SYS_PIDFD_SEND_SIGNAL, (long) pidfd, (long) signal, 0L, 0L);
        } catch (Throwable t) { throw rethrow(t); }
        if (rc == 0) return true;
        int errno = (int) ERRNO.get(st, 0L);
        if (errno == Errno.ESRCH) return false;
        throw new SystemCallException("pidfd_send_signal", pidfd + "," + signal, errno);
    }

    /** An eventfd: a counter another thread bumps to wake a poll. */
    public static int eventfd(int flags) {
        MemorySegment st = STATE.get();
        int rc;
        try {
            rc = (int) EVENTFD.invokeExact(st, 0, flags);
        } catch (Throwable t) { throw rethrow(t); }
        if (rc < 0) throw new SystemCallException("eventfd", "0", (int) ERRNO.get(st, 0L));
        return rc;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
