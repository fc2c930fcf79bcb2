package dev.berth.daemon;

import java.time.Duration;

/**
 * Gives the Java heap back after a burst of work. The serial collector grows the heap while berthd is
 * busy (50 {@code docker run}s take it from 10 to 25-35 MB) and shrinks it only at a full collection, which a
 * daemon that then sits idle never has. So: when the heap's use changed during one period and stayed put
 * during the next (berthd went quiet), one full collection; with -XX:MaxHeapFreeRatio (bin/berthd sets
 * it) the collector then returns what is free beyond that ratio to the kernel. An idle berthd does nothing
 * here; a constantly busy one is never interrupted. Runs on a virtual thread (no thread of its own).
 */
final class HeapTrim {
    static final Duration PERIOD = Duration.ofSeconds(5);
    /** Changes of the heap's use below this count as quiet (the check itself allocates a little). */
    private static final long QUIET_BYTES = 256 * 1024;

    private HeapTrim() {}

    static void start() {
        Thread.ofVirtual().name("heap-trim").start(HeapTrim::loop);
    }

    private static void loop() {
        Runtime rt = Runtime.getRuntime();
        long last = used(rt);
        boolean busy = false;
        while (true) {
            try {
                Thread.sleep(PERIOD);
            } catch (InterruptedException e) {
                return;
            }
            long now = used(rt);
            if (Math.abs(now - last) > QUIET_BYTES) {
                busy = true;
            } else if (busy) {
                System.gc();
                busy = false;
                now = used(rt);
            }
            last = now;
        }
    }

    private static long used(Runtime rt) {
        return rt.totalMemory() - rt.freeMemory();
    }
}
