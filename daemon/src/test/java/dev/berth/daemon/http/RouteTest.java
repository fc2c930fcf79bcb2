package dev.berth.daemon.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Image names carry slashes in Docker's paths: a {@code {name*}} placeholder takes them whole. */
class RouteTest {
    private static Route route(String pattern) {
        return new Route("GET", pattern, q -> ApiResponse.ok());
    }

    @Test
    void restPlaceholderTakesSlashes() {
        assertEquals(
                Map.of("name", "localhost:5000/team/app:v1"),
                route("/images/{name*}/json").match("/images/localhost:5000/team/app:v1/json"));
        assertEquals(Map.of("name", "busybox"), route("/images/{name*}/json").match("/images/busybox/json"));
        assertEquals(Map.of("name", "a/b"), route("/images/{name*}").match("/images/a/b"));
        assertNull(route("/images/{name*}/json").match("/images/json"), "the name is not empty");
        assertNull(route("/images/{name*}/json").match("/images/busybox/history"));
        assertNull(route("/images/{name*}").match("/images//x"));
    }

    @Test
    void onePlaceholderIsOneSegment() {
        assertEquals(Map.of("id", "abc"), route("/networks/{id}/connect").match("/networks/abc/connect"));
        assertNull(route("/networks/{id}").match("/networks/a/b"));
    }
}
