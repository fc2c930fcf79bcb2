package dev.berth.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.format.Json;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * berthd's Docker Engine API (version 1.50) as the CLI uses it: JSON requests and answers, error
 * answers turned into {@link ApiError} with the daemon's {@code message}.
 */
public final class Api {
    public static final String VERSION = "1.50";
    private static final String JSON = "application/json";

    private final DaemonAddress address;

    public Api(DaemonAddress address) {
        this.address = address;
    }

    public DaemonAddress address() {
        return address;
    }

    public JsonNode get(String path) {
        return call("GET", path, null);
    }

    /** POST with a JSON body (null: no body); returns the JSON answer, or null when there is none. */
    public JsonNode post(String path, JsonNode body) {
        return call("POST", path, body);
    }

    public JsonNode delete(String path) {
        return call("DELETE", path, null);
    }

    /** Sends a request and returns the answer with its body still to be read (logs -f, attach, exec start). */
    public Exchange open(String method, String path, JsonNode body, boolean upgrade) {
        HttpConnection c = HttpConnection.open(address);
        try {
            HttpResponse r = c.exchange(method, versioned(path), JSON, body == null ? null : bytes(body), upgrade);
            if (r.status() >= 400) throw error(r);
            return new Exchange(c, r);
        } catch (IOException e) {
            c.close();
            throw lost(e);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Like {@link #open} with a body that is not JSON ({@code docker load}'s tar); null: no body. */
    public Exchange openRaw(String method, String path, String contentType, byte[] body) {
        HttpConnection c = HttpConnection.open(address);
        try {
            HttpResponse r = c.exchange(method, versioned(path), contentType, body, false);
            if (r.status() >= 400) throw error(r);
            return new Exchange(c, r);
        } catch (IOException e) {
            c.close();
            throw lost(e);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Sends a POST now and reads its answer on a thread of its own (docker's wait, registered before
     * the container starts); {@link Pending#await} returns it.
     */
    public Pending postNow(String path, JsonNode body) {
        HttpConnection c = HttpConnection.open(address);
        try {
            c.send("POST", versioned(path), JSON, body == null ? null : bytes(body), false);
            return new Pending(this, c);
        } catch (IOException e) {
            c.close();
            throw lost(e);
        }
    }

    /** A request sent whose answer is still to come. */
    public static final class Pending {
        private final Api api;
        private final HttpConnection connection;
        private final CountDownLatch headers = new CountDownLatch(1);
        private final Thread reader;
        private volatile JsonNode result;
        private volatile RuntimeException failure;

        Pending(Api api, HttpConnection connection) {
            this.api = api;
            this.connection = connection;
            this.reader = Thread.ofPlatform().daemon().name("berth-pending").start(this::read);
        }

        private void read() {
            try (connection) {
                HttpResponse r = connection.receive("POST");
                headers.countDown();
                if (r.status() >= 400) {
                    failure = api.error(r);
                    return;
                }
                result = Json.parse(r.readAll());
            } catch (IOException e) {
                failure = api.lost(e);
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                headers.countDown();
            }
        }

        /**
         * Waits up to {@code max} for the status line: dockerd sends it as soon as it has registered the
         * wait, so what the caller does next cannot overtake the request. Returns false on timeout.
         */
        public boolean awaitHeaders(Duration max) {
            try {
                return headers.await(max.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        /** Blocks until the daemon answers; returns its JSON (null when empty). */
        public JsonNode await() {
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                connection.close();
            }
            if (failure != null) throw failure;
            return result;
        }

        public void cancel() {
            connection.close();
        }
    }

    /** An open answer and its connection; closing closes the connection. */
    public record Exchange(HttpConnection connection, HttpResponse response) implements AutoCloseable {
        @Override
        public void close() {
            connection.close();
        }
    }

    private JsonNode call(String method, String path, JsonNode body) {
        try (HttpConnection c = HttpConnection.open(address)) {
            HttpResponse r = c.exchange(method, versioned(path), JSON, body == null ? null : bytes(body), false);
            if (r.status() >= 400) throw error(r);
            byte[] b = r.readAll();
            if (b.length == 0) return null;
            return Json.parse(b);
        } catch (IOException e) {
            throw lost(e);
        }
    }

    private RuntimeException lost(IOException e) {
        return new DaemonUnreachable(
                "error during connect to the Berth daemon at " + address + ": " + e.getMessage(), e);
    }

    private ApiError error(HttpResponse r) {
        byte[] b = r.readAll();
        String text = new String(b, StandardCharsets.UTF_8).strip();
        String message = text;
        try {
            JsonNode n = Json.parse(b);
            if (n != null && n.hasNonNull("message")) message = n.get("message").asText();
        } catch (IOException notJson) {
            // plain text (Docker answers some errors so): shown as it is
        }
        if (message.isEmpty()) message = r.status() + " " + r.reason();
        return new ApiError(r.status(), message);
    }

    private static byte[] bytes(JsonNode body) {
        return Json.bytes(body);
    }

    static String versioned(String path) {
        return "/v" + VERSION + path;
    }

    /** URL-encodes a path segment or query value. */
    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
