package dev.berth.engine.driver;

import dev.berth.model.log.Log;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.route.Rtnl;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

/**
 * Deletes retired veths ({@link BridgeDriver#retire}) on a thread of its own, after the disconnect answered:
 * the kernel's deletion of a veth waits for RCU grace periods (20 ms and more), which the caller no longer waits
 * for. Its own rtnetlink socket, so the host socket's other users never queue behind a deletion. What is queued
 * while a deletion runs goes in the next one, as one request for the whole group. A job's
 * {@code done} runs once the link is gone (the engine forgets the endpoint's REMOVING record there, its journal of
 * the pending deletion: a kill -9 before leaves the record, and start-up reconcile deletes the link). A deletion
 * that fails keeps the record too.
 */
public final class VethReaper implements AutoCloseable {
    /**
     * The link group (IFLA_GROUP) of retired host ends, which the reaper deletes as a whole: "BERT" in ASCII, a
     * number nobody picks by chance (the default group is 0).
     */
    public static final int GROUP = 0x42455254;

    /** A link to delete, and what to do once it is gone. */
    public record Job(String hostIfName, Runnable done) {}

    private final HostKernel host;
    private final Queue<Job> queue = new ArrayDeque<>();
    private Rtnl rtnl;
    private Thread thread;
    private int running;
    private boolean closed;

    public VethReaper(HostKernel host) {
        this.host = host;
    }

    /** Queues a deletion; after {@link #close} it is done at once, on the caller's thread. */
    public void submit(Job j) {
        synchronized (this) {
            if (!closed) {
                queue.add(j);
                if (thread == null)
                    thread = Thread.ofPlatform()
                            .daemon()
                            .name("berth-veth-reaper")
                            .start(this::loop);
                notifyAll();
                return;
            }
        }
        reapOne(j, host.rtnl());
    }

    /** Waits until every queued deletion is done (tests and benchmarks look at the kernel after it). */
    public synchronized void settle() {
        while (!queue.isEmpty() || running > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void loop() {
        while (true) {
            List<Job> batch;
            synchronized (this) {
                while (queue.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (queue.isEmpty()) return; // closed and drained
                batch = new ArrayList<>(queue);
                queue.clear();
                running += batch.size();
            }
            try {
                if (rtnl == null) rtnl = Netns.rtnl(host.netns());
                reap(batch, rtnl);
            } catch (RuntimeException e) {
                Log.warn(
                        "a retired veth's deletion failed; start-up reconcile finishes it",
                        "error",
                        String.valueOf(e.getMessage()));
            } finally {
                synchronized (this) {
                    running -= batch.size();
                    notifyAll();
                }
            }
        }
    }

    /**
     * Deletes the batch's links: the whole {@link #GROUP} in one request (the kernel waits for RCU once for all of
     * them; a link retired meanwhile goes too, and its own job later finds the group empty), by name if that fails.
     */
    private static void reap(List<Job> batch, Rtnl rtnl) {
        try {
            rtnl.links().deleteGroup(GROUP);
        } catch (NetlinkException.NotFound empty) {
            // their sandboxes' namespaces went, and the pairs with them; or an earlier group deletion took them
        } catch (RuntimeException e) {
            for (Job j : batch) reapOne(j, rtnl);
            return;
        }
        for (Job j : batch) j.done().run();
    }

    /** Deletes one job's link by its name. */
    private static void reapOne(Job j, Rtnl rtnl) {
        try {
            rtnl.links().delete(j.hostIfName());
        } catch (NetlinkException.NotFound gone) {
            // its sandbox's namespace went, and the pair with it
        } catch (RuntimeException e) {
            Log.warn(
                    "could not delete a retired veth; start-up reconcile deletes it",
                    "link",
                    j.hostIfName(),
                    "error",
                    String.valueOf(e.getMessage()));
            return;
        }
        j.done().run();
    }

    /** Finishes the queued deletions (at most {@code wait}), then stops; what is left, reconcile deletes at the next start. */
    public void close(Duration wait) {
        Thread t;
        synchronized (this) {
            closed = true;
            notifyAll();
            t = thread;
        }
        if (t != null) {
            try {
                t.join(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (rtnl != null && (t == null || !t.isAlive())) rtnl.close();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
