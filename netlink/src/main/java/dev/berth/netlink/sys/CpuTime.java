package dev.berth.netlink.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * CPU time (user + system) from getrusage(2): of this process (every thread, JIT and GC included), or of its
 * children that have been waited for. Benchmarks read it: it is less sensitive than wall time to other load.
 */
public final class CpuTime {
    private static final int RUSAGE_SELF = 0, RUSAGE_CHILDREN = -1;
    /** struct rusage on 64-bit Linux: ru_utime and ru_stime (struct timeval each) first. */
    private static final long RUSAGE_SIZE = 144;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle GETRUSAGE = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("getrusage"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS),
            Linker.Option.captureCallState("errno"));

    private CpuTime() {}

    /** This process's CPU time so far, in nanoseconds. */
    public static long selfNanos() {
        return usage(RUSAGE_SELF);
    }

    /** The CPU time of this process's children that were waited for, in nanoseconds. */
    public static long childrenNanos() {
        return usage(RUSAGE_CHILDREN);
    }

    private static long usage(int who) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = CallState.allocate(a);
            MemorySegment s = a.allocate(RUSAGE_SIZE, 8);
            if ((int) GETRUSAGE.invokeExact(st, who, s) != 0)
                throw new SystemCallException("getrusage", String.valueOf(who), CallState.errno(st));
            long utime = s.get(JAVA_LONG, 0) * 1_000_000_000L + s.get(JAVA_LONG, 8) * 1000L;
            long stime = s.get(JAVA_LONG, 16) * 1_000_000_000L + s.get(JAVA_LONG, 24) * 1000L;
            return utime + stime;
        } catch (Throwable t) {
            throw CallState.rethrow(t);
        }
    }
}
