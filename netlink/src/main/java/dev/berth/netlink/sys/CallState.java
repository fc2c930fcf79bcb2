package dev.berth.netlink.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * The errno a downcall leaves behind, captured into a segment the calling thread owns: netlink's packet
 * loops (TUN queues, batched UDP) keep one per thread, so their calls return -errno without a ThreadLocal
 * lookup or an exception. Used by netlink's own bindings only.
 */
public final class CallState {
    private static final StructLayout LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private CallState() {}

    /** A capture segment for one thread's calls. */
    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(LAYOUT);
    }

    public static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** The checked Throwable of invokeExact never happens for downcalls: pass on what can. */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
