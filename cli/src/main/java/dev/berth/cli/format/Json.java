package dev.berth.cli.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * JSON for the CLI without an ObjectMapper: {@link JsonReader} builds Jackson's tree nodes (Jackson's own
 * parser would initialise {@code BigDecimal}, see there), and {@link GoJson} writes them. An ObjectMapper loads some 300 classes, a third of what
 * {@code berth network ls} would otherwise need to start (only {@code berth topology} makes one).
 */
public final class Json {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {}

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    /** Parses one JSON value; an empty input is null. */
    public static JsonNode parse(byte[] json) throws IOException {
        return JsonReader.read(json);
    }

    public static byte[] bytes(JsonNode n) {
        return GoJson.compact(n).getBytes(StandardCharsets.UTF_8);
    }
}
