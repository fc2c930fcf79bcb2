package dev.berth.runtime.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Map;

/**
 * An error a registry answered, as distribution's errcode carries it. {@link #toString} is Docker's
 * text for it ({@code manifest unknown: manifest unknown}): the code's description, then the message.
 */
public record RegistryError(int status, String code, String message) {
    private static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry("BLOB_UNKNOWN", "blob unknown to registry"),
            Map.entry("BLOB_UPLOAD_INVALID", "blob upload invalid"),
            Map.entry("BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry"),
            Map.entry("DIGEST_INVALID", "provided digest did not match uploaded content"),
            Map.entry("MANIFEST_BLOB_UNKNOWN", "blob unknown to registry"),
            Map.entry("MANIFEST_INVALID", "manifest invalid"),
            Map.entry("MANIFEST_UNKNOWN", "manifest unknown"),
            Map.entry("MANIFEST_UNVERIFIED", "manifest failed signature verification"),
            Map.entry("NAME_INVALID", "invalid repository name"),
            Map.entry("NAME_UNKNOWN", "repository name not known to registry"),
            Map.entry("SIZE_INVALID", "provided length did not match content length"),
            Map.entry("TAG_INVALID", "manifest tag did not match URI"),
            Map.entry("UNAUTHORIZED", "authentication required"),
            Map.entry("DENIED", "requested access to the resource is denied"),
            Map.entry("UNSUPPORTED", "The operation is unsupported."),
            Map.entry("TOOMANYREQUESTS", "too many requests"));

    /** The first error of a registry's {@code {"errors":[...]}} body, or a plain one from the status. */
    static RegistryError of(int status, byte[] body) {
        try {
            JsonNode n = ImageJson.MAPPER.readTree(body);
            JsonNode first = n == null ? null : n.path("errors").path(0);
            if (first != null && first.hasNonNull("code"))
                return new RegistryError(
                        status,
                        first.get("code").asText(),
                        first.path("message").asText(""));
        } catch (Exception ignored) {
            // not distribution's shape: fall through to the status
        }
        return new RegistryError(status, null, null);
    }

    @Override
    public String toString() {
        if (code == null) return "unexpected status code " + status + " from registry";
        String d = DESCRIPTIONS.getOrDefault(code, code).toLowerCase(Locale.ROOT);
        return d + ": " + message;
    }
}
