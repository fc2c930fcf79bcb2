package dev.berth.bench.engine;

import dev.berth.netlink.sys.CpuTime;

/**
 * CPU time (user + system) from getrusage(2), read by netlink's {@link CpuTime}: of this process (every JVM thread,
 * JIT and GC included), or of its children that have been waited for (a peer binary and everything it ran).
 * Less sensitive than wall time to other load on the machine.
 */
public final class CpuClock {
    private CpuClock() {}

    public static long selfNanos() {
        return CpuTime.selfNanos();
    }

    public static long childrenNanos() {
        return CpuTime.childrenNanos();
    }
}
