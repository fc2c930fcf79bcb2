package dev.berth.netlink.ns;

import dev.berth.netlink.sys.Libc;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs code inside a network namespace on dedicated platform threads. setns changes only the
 * calling OS thread, so it is never done on a virtual thread or a caller's thread; a worker always
 * switches back before taking the next job, and one that cannot switch back retires. Threads are
 * only ever started by callers outside any worker, so no thread is born inside a foreign namespace.
 */
final class NetnsThreads {
    private static final long IDLE_SECONDS = 30;
    private static final ThreadLocal<Worker> CURRENT = new ThreadLocal<>();
    private static final SynchronousQueue<Runnable> HANDOFF = new SynchronousQueue<>();
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private NetnsThreads() {}

    private static final class Worker {
        final int homeFd;
        boolean retired;

        Worker(int homeFd) {
            this.homeFd = homeFd;
        }
    }

    static <T> T call(NetnsHandle target, Callable<T> task) throws Exception {
        Worker self = CURRENT.get();
        if (self != null) return switched(self, target, task); // nested: already on a worker
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable job = () -> {
            try {
                result.complete(switched(CURRENT.get(), target, task));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        };
        if (!HANDOFF.offer(job)) start(job);
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    /** Switches this worker into {@code target}, runs the task and switches back to where it was. */
    private static <T> T switched(Worker w, NetnsHandle target, Callable<T> task) throws Exception {
        int back = Libc.open("/proc/thread-self/ns/net", Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        try {
            Libc.setns(target.fd(), Libc.CLONE_NEWNET);
            try {
                return task.call();
            } finally {
                restore(w, back);
            }
        } finally {
            Libc.close(back);
        }
    }

    private static void restore(Worker w, int fd) {
        try {
            Libc.setns(fd, Libc.CLONE_NEWNET);
        } catch (RuntimeException e) {
            w.retired = true; // stuck in a foreign namespace: never run another job
            throw new IllegalStateException("could not return a namespace thread to its namespace", e);
        }
    }

    private static void start(Runnable first) {
        Thread.ofPlatform()
                .daemon()
                .name("berth-netns-" + COUNTER.incrementAndGet())
                .start(() -> loop(first));
    }

    private static void loop(Runnable first) {
        Worker w = new Worker(Libc.open("/proc/thread-self/ns/net", Libc.O_RDONLY | Libc.O_CLOEXEC, 0));
        CURRENT.set(w);
        try {
            Runnable job = first;
            while (job != null && !w.retired) {
                job.run();
                if (w.retired) break;
                job = HANDOFF.poll(IDLE_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Libc.close(w.homeFd);
        }
    }
}
