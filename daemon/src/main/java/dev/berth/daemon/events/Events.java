package dev.berth.daemon.events;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * berthd's event log: every event goes to the live subscribers and into a ring of the last {@value #RING}
 * (what {@code since} can replay; Docker keeps 256, a compose project's up and down of a few services makes
 * more than that). A subscriber that falls {@value #BACKLOG} events behind is dropped (its stream ends)
 * rather than holding events in memory without bound.
 */
public final class Events {
    public static final int RING = 1024;
    static final int BACKLOG = 10_000;

    private final Deque<Event> ring = new ArrayDeque<>(RING);
    private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();

    /** Publishes an event of {@code type} (container, image, network, volume) on the actor {@code id}. */
    public void publish(String type, String action, String id, Map<String, String> attributes) {
        Instant now = Instant.now();
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        Map<String, String> attrs = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        boolean legacy = type.equals("container") || type.equals("image");
        Event e = new Event(
                legacy ? action : null,
                legacy ? id : null,
                type.equals("container") ? attrs.get("image") : null,
                type,
                action,
                new Event.Actor(id, attrs),
                "local",
                now.getEpochSecond(),
                nanos);
        synchronized (ring) {
            if (ring.size() == RING) ring.removeFirst();
            ring.addLast(e);
            for (Subscription s : subscribers) s.offer(e);
        }
    }

    /** A container event with Docker's attributes: the container's labels, then its image and name, then {@code extra}. */
    public void container(
            String action,
            String id,
            String name,
            String image,
            Map<String, String> labels,
            Map<String, String> extra) {
        Map<String, String> a = new LinkedHashMap<>(labels);
        a.put("image", image);
        a.put("name", name);
        a.putAll(extra);
        publish("container", action, id, a);
    }

    /** The stored events from {@code since} on and a live subscription after them, with nothing lost in between. */
    public Subscription subscribe(long sinceNanos) {
        Subscription s = new Subscription();
        synchronized (ring) {
            for (Event e : ring) if (e.timeNano() >= sinceNanos) s.queue.add(e);
            subscribers.add(s);
        }
        return s;
    }

    /** Events as they come; {@link #poll} returns null after the timeout or when dropped for falling behind. */
    public final class Subscription implements AutoCloseable {
        private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
        private volatile boolean dropped;

        private void offer(Event e) {
            if (queue.size() >= BACKLOG) {
                dropped = true;
                subscribers.remove(this);
                return;
            }
            queue.add(e);
        }

        public Event poll(long millis) throws InterruptedException {
            return queue.poll(millis, TimeUnit.MILLISECONDS);
        }

        public boolean dropped() {
            return dropped && queue.isEmpty();
        }

        /** What is queued now, without waiting. */
        public List<Event> drain() {
            List<Event> out = new ArrayList<>();
            queue.drainTo(out);
            return out;
        }

        @Override
        public void close() {
            subscribers.remove(this);
        }
    }
}
