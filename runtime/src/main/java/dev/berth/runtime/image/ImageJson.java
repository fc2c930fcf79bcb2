package dev.berth.runtime.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.model.BerthException;
import java.io.IOException;

/** Reads and writes image JSON (configs, manifests, indexes) as Docker does: unknown fields kept out of the way. */
public final class ImageJson {
    public static final ObjectMapper MAPPER =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ImageJson() {}

    public static <T> T read(byte[] json, Class<T> type, String what) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new BerthException.InvalidRequest(
                    what,
                    "unreadable JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    public static JsonNode tree(byte[] json, String what) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new BerthException.InvalidRequest(
                    what,
                    "unreadable JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** The media type a manifest or index declares in its body (registries may omit the header). */
    public static String mediaTypeOf(byte[] json) {
        JsonNode n = tree(json, "manifest");
        if (n.hasNonNull("mediaType")) return n.get("mediaType").asText();
        if (n.has("manifests")) return MediaTypes.OCI_INDEX;
        if (n.has("config")) return MediaTypes.OCI_MANIFEST;
        return null;
    }
}
