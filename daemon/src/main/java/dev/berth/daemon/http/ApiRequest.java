package dev.berth.daemon.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.api.Json;
import dev.berth.model.BerthException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One API call after routing: the method, the path without its {@code /v1.NN} prefix, the values of the
 * route's {@code {placeholders}}, the query, the headers we care about and the body.
 *
 * @param apiVersion the version the client asked for in the path, or the daemon's own when none
 * @param stream     the body as it arrives, for routes registered with {@link Router#streamBody}; else null
 */
public record ApiRequest(
        String method,
        String path,
        Map<String, String> pathParams,
        Map<String, List<String>> query,
        Map<String, String> headers,
        byte[] body,
        String apiVersion,
        InputStream stream) {

    public ApiRequest(
            String method,
            String path,
            Map<String, String> pathParams,
            Map<String, List<String>> query,
            Map<String, String> headers,
            byte[] body,
            String apiVersion) {
        this(method, path, pathParams, query, headers, body, apiVersion, null);
    }

    /** The body as a stream: as it arrives for streamed routes, else the gathered bytes. */
    public InputStream bodyStream() {
        return stream != null ? stream : new ByteArrayInputStream(body);
    }

    public String param(String name) {
        return pathParams.get(name);
    }

    /** The last value of a query parameter, or null. */
    public String query(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.getLast();
    }

    /** Docker's boolean query values: 1/true/True are true; absent is {@code fallback}. */
    public boolean flag(String name, boolean fallback) {
        String v = query(name);
        if (v == null || v.isEmpty()) return fallback;
        return v.equals("1") || v.equalsIgnoreCase("true");
    }

    public int intQuery(String name, int fallback) {
        String v = query(name);
        if (v == null || v.isEmpty()) return fallback;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new BerthException.InvalidRequest(name, "'" + v + "' is not a whole number");
        }
    }

    /** The body as a JSON tree; an empty body reads as {}. Malformed JSON is the client's error (400). */
    public JsonNode jsonBody() {
        return Json.parse(body);
    }

    /** The body bound to {@code type}; an empty body binds as {}. */
    public <T> T body(Class<T> type) {
        return Json.bind(body, type);
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** Whether the client asked to take over the connection (attach and exec start). */
    public boolean wantsUpgrade() {
        String upgrade = header("upgrade");
        return upgrade != null && (upgrade.equalsIgnoreCase("tcp") || upgrade.equalsIgnoreCase("h2c"));
    }
}
