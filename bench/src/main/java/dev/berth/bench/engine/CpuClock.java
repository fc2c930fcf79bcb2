package dev.berth.bench.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * CPU time (user + system) from getrusage(2): of this process (every JVM thread, JIT and GC
 * included), or of its children that have been waited for (a peer binary and everything it ran).
 * Less sensitive than wall time to other load on the machine.
 */
public final class CpuClock {
    private static final int RUSAGE_SELF = 0, RUSAGE_CHILDREN = -1;
    private static final long RUSAGE_SIZE = 144; // struct rusage on 64-bit Linux
    private static final MethodHandle GETRUSAGE;

    static {
        Linker linker = Linker.nativeLinker();
        GETRUSAGE = linker.downcallHandle(
                linker.defaultLookup().find("getrusage").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    }

    private CpuClock() {}

    public static long selfNanos() {
        return usage(RUSAGE_SELF);
    }

    public static long childrenNanos() {
        return usage(RUSAGE_CHILDREN);
    }

    private static long usage(int who) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(RUSAGE_SIZE, 8);
            int rc = (int) GETRUSAGE.invokeExact(who, s);
            if (rc != 0) throw new IllegalStateException("getrusage failed");
            long utime = s.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + s.get(ValueLayout.JAVA_LONG, 8) * 1000L;
            long stime = s.get(ValueLayout.JAVA_LONG, 16) * 1_000_000_000L + s.get(ValueLayout.JAVA_LONG, 24) * 1000L;
            return utime + stime;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
