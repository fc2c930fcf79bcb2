package dev.berth.bench.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** What both daemons under test share: waiting for them, asking their version, emptying them, deleting files. */
final class Targets {
    static final ObjectMapper JSON = new ObjectMapper();

    private Targets() {}

    /** Polls /_ping every 20 ms until it answers 200; returns the milliseconds since {@code t0}. */
    static long awaitPing(Path socket, long t0, BooleanSupplier alive, String name, Supplier<String> log) {
        long deadline = t0 + 90_000_000_000L;
        UnixHttp http = new UnixHttp(socket);
        while (System.nanoTime() < deadline) {
            if (!alive.getAsBoolean())
                throw new IllegalStateException(name + " exited before it answered:\n" + tail(log.get()));
            if (Files.exists(socket)) {
                try {
                    if (http.get("/_ping").status() == 200) return (System.nanoTime() - t0) / 1_000_000;
                } catch (RuntimeException notYet) {
                    // the socket file can exist before anyone accepts on it
                }
            }
            sleep(20);
        }
        throw new IllegalStateException(name + " did not answer /_ping within 90 s:\n" + tail(log.get()));
    }

    static String version(Path socket) {
        JsonNode v = json(new UnixHttp(socket).get("/version").body());
        return v.path("Version").asText("?") + " (API " + v.path("ApiVersion").asText("?") + ")";
    }

    /**
     * Force-removes every container and every network the benchmark made (names starting "bench-"),
     * so the daemon stops with nothing of ours running; returns what could not be removed.
     */
    static List<String> empty(Path socket) {
        UnixHttp http = new UnixHttp(socket);
        List<String> failures = new ArrayList<>();
        for (JsonNode c : json(http.get("/v1.41/containers/json?all=1").body())) {
            String id = c.path("Id").asText();
            UnixHttp.Response r = http.delete("/v1.41/containers/" + id + "?force=1");
            if (!r.ok() && r.status() != 404)
                failures.add("container " + id + ": " + r.status() + " " + UnixHttp.abbreviate(r.body()));
        }
        for (JsonNode n : json(http.get("/v1.41/networks").body())) {
            String name = n.path("Name").asText();
            if (!name.startsWith("bench-")) continue;
            UnixHttp.Response r = http.delete("/v1.41/networks/" + n.path("Id").asText());
            if (!r.ok() && r.status() != 404)
                failures.add("network " + name + ": " + r.status() + " " + UnixHttp.abbreviate(r.body()));
        }
        return failures;
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + UnixHttp.abbreviate(s), e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    static String tail(String s) {
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
