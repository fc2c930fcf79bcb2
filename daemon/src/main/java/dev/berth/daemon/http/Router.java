package dev.berth.daemon.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The API's routes; the first route whose method and pattern match wins. */
public final class Router {
    private final List<Route> routes = new ArrayList<>();
    private final List<Route> streamedBodies = new ArrayList<>();

    public Router add(String method, String pattern, Route.Handler handler) {
        routes.add(new Route(method, pattern, handler));
        return this;
    }

    public Router get(String pattern, Route.Handler h) {
        return add("GET", pattern, h);
    }

    public Router post(String pattern, Route.Handler h) {
        return add("POST", pattern, h);
    }

    public Router delete(String pattern, Route.Handler h) {
        return add("DELETE", pattern, h);
    }

    public Router head(String pattern, Route.Handler h) {
        return add("HEAD", pattern, h);
    }

    /** A route whose handler reads its body as a stream ({@link ApiRequest#bodyStream}), with no size limit. */
    public Router streamBody(String method, String pattern, Route.Handler h) {
        streamedBodies.add(new Route(method, pattern, h));
        return add(method, pattern, h);
    }

    public boolean streamsBody(String method, String path) {
        for (Route r : streamedBodies) if (r.method().equals(method) && r.match(path) != null) return true;
        return false;
    }

    /** A matched route with its placeholder values. */
    public record Match(Route route, Map<String, String> params) {}

    /** The match for this call; {@code methodAllowed} tells 404 from 405 when there is none. */
    public Match find(String method, String path) {
        for (Route r : routes) {
            if (!r.method().equals(method)) continue;
            Map<String, String> p = r.match(path);
            if (p != null) return new Match(r, p);
        }
        return null;
    }

    /** Every route, in the order they are tried. */
    public List<Route> routes() {
        return List.copyOf(routes);
    }

    public boolean knowsPath(String path) {
        for (Route r : routes) if (r.match(path) != null) return true;
        return false;
    }
}
