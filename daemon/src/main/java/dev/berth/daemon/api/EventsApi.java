package dev.berth.daemon.api;

import dev.berth.daemon.events.Event;
import dev.berth.daemon.events.Events;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Router;
import dev.berth.model.BerthException;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /events}: the stored events from {@code since} on (see {@link Events#RING}), then live ones
 * until {@code until} or until the client goes; one JSON message per line, filtered as Docker filters.
 */
public final class EventsApi {
    private static final Set<String> FILTERS =
            Set.of("type", "event", "container", "image", "network", "volume", "label", "scope", "daemon");
    private static final Set<String> TYPES = Set.of(
            "container",
            "image",
            "network",
            "volume",
            "daemon",
            "plugin",
            "node",
            "service",
            "secret",
            "config",
            "builder");

    private final Events events;

    public EventsApi(Events events) {
        this.events = events;
    }

    public void register(Router r) {
        r.get("/events", this::events);
    }

    private ApiResponse events(ApiRequest q) {
        Filters f = Filters.parse(q.query("filters"), FILTERS);
        for (String t : f.get("type"))
            if (!TYPES.contains(t))
                throw new BerthException.InvalidRequest("filters", "invalid filter 'type=" + t + "'");
        for (String s : f.get("scope"))
            if (!Set.of("local", "swarm").contains(s))
                throw new BerthException.InvalidRequest("filters", "invalid filter 'scope=" + s + "'");
        Instant since = Since.parse(q.query("since"), "since");
        Instant until = Since.parse(q.query("until"), "until");
        if (since != null && until != null && until.isBefore(since))
            throw new BerthException.InvalidRequest(
                    "until", "'" + q.query("until") + "' is before since '" + q.query("since") + "'");
        long sinceNanos = since == null ? Long.MAX_VALUE : nanos(since);
        long untilNanos = until == null ? Long.MAX_VALUE : nanos(until);
        Events.Subscription sub = events.subscribe(sinceNanos);
        return new ApiResponse.Stream(200, "application/json", out -> {
            try (sub) {
                while (out.isOpen() && !sub.dropped()) {
                    Event e = sub.poll(200);
                    long now = nanos(Instant.now());
                    if (e != null && e.timeNano() > untilNanos || e == null && now > untilNanos) return;
                    if (e == null || !matches(f, e)) continue;
                    out.write(Json.write(e));
                    out.write("\n");
                }
            }
        });
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** Docker's event filter (daemon/events/filter.go): every given filter must match. */
    static boolean matches(Filters f, Event e) {
        String id = e.actor().id();
        Map<String, String> a = e.actor().attributes();
        String name = a.get("name");
        return eventMatches(f, e.action())
                && f.any("type", v -> v.equals(e.type()))
                && f.any("scope", v -> v.equals(e.scope()))
                && !f.has("daemon")
                && f.any("container", v -> fuzzy(v, id) || fuzzy(v, name))
                && f.any("network", v -> fuzzy(v, id) || fuzzy(v, name))
                && f.any("volume", v -> fuzzy(v, id))
                && f.any("image", v -> imageMatches(v, e))
                && f.labels(a);
    }

    /** health_status, exec_create and exec_start carry a suffix after a colon: a prefix matches them (Docker #25798). */
    private static boolean eventMatches(Filters f, String action) {
        return f.any(
                "event",
                v -> v.equals(action)
                        || Set.of("health_status", "exec_create", "exec_start").contains(v)
                                && action.startsWith(v + ":"));
    }

    private static boolean fuzzy(String want, String have) {
        return have != null && (have.equals(want) || have.startsWith(want));
    }

    private static boolean imageMatches(String want, Event e) {
        String name = e.actor().attributes().get(e.type().equals("image") ? "name" : "image");
        String id = e.actor().id();
        return want.equals(id) || want.equals(name) || want.equals(stripTag(id)) || want.equals(stripTag(name));
    }

    private static String stripTag(String ref) {
        if (ref == null) return null;
        int colon = ref.lastIndexOf(':');
        return colon > ref.lastIndexOf('/') ? ref.substring(0, colon) : ref;
    }
}
