package dev.berth.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.format.Json;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

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

    /**
     * Sends a POST now and reads its answer later, on {@link Pending#await}: the request reaches the
     * daemon before anything the caller does next (docker registers a wait before starting a container).
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
    public record Pending(Api api, HttpConnection connection) {
        /** Blocks until the daemon answers; returns its JSON (null when empty). */
        public JsonNode await() {
            try (connection) {
                HttpResponse r = connection.receive("POST");
                if (r.status() >= 400) throw api.error(r);
                byte[] b = r.readAll();
                return b.length == 0 ? null : Json.parse(b);
            } catch (IOException e) {
                throw api.lost(e);
            }
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
        return new DaemonUnreachable("error during connect to the Berth daemon at " + address + ": " + e.getMessage(), e);
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
