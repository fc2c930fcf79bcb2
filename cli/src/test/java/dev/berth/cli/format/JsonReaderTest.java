package dev.berth.cli.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CLI's JSON reader gives the tree Jackson's streaming parser gave (the CLI's reader before it), and refuses what Jackson refuses. */
class JsonReaderTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @Test
    void docker_answers_read_as_jackson_reads_them() throws IOException {
        for (String r : List.of(
                "/samples/api_networks.json",
                "/samples/api_networks_bridge.json",
                "/samples/api_version.json",
                "/samples/cli20_network_inspect_bridge.json",
                "/dev/berth/cli/training/networks.json",
                "/dev/berth/cli/training/network.json",
                "/dev/berth/cli/training/version.json")) {
            byte[] json;
            try (InputStream in = JsonReaderTest.class.getResourceAsStream(r)) {
                json = in.readAllBytes();
            }
            assertEquals(jackson(json), JsonReader.read(json), r);
        }
    }

    @Test
    void values_and_their_node_types_match_jackson() throws IOException {
        for (String s : List.of(
                "{\"a\": [1, -2, 0, 2147483647, 2147483648, -2147483649, 9223372036854775807, 9223372036854775808,"
                        + " -9223372036854775809, 123456789012345678901234567890]}",
                "[1.5, -0.25, 1e3, 1E-2, 2.5e+10, 0.0, -0]",
                "[true, false, null, \"\", \"x\"]",
                "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u4e2d\\ud83d\\ude00 é 中 😀\"",
                " \r\n\t{ \"k\" : { } , \"l\" : [ ] , \"k\" : 2 } ",
                "{\"a\":1} trailing is not read",
                "[[[[[]]]]]",
                "\uFEFF{\"bom\":true}")) {
            byte[] json = s.getBytes(StandardCharsets.UTF_8);
            JsonNode ours = JsonReader.read(json);
            assertEquals(jackson(json), ours, s);
            assertEquals(GoJson.compact(jackson(json)), GoJson.compact(ours), s);
        }
        assertTrue(JsonReader.read("[2147483648]".getBytes(StandardCharsets.UTF_8))
                .get(0)
                .isLong());
        assertTrue(JsonReader.read("[2147483647]".getBytes(StandardCharsets.UTF_8))
                .get(0)
                .isInt());
        assertEquals(
                new BigDecimal("1e3"),
                JsonReader.read("1e3".getBytes(StandardCharsets.UTF_8)).decimalValue());
    }

    @Test
    void empty_input_is_null() throws IOException {
        assertNull(JsonReader.read(new byte[0]));
        assertNull(JsonReader.read(" \n".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void malformed_json_is_refused_as_jackson_refuses_it() {
        for (String s : List.of(
                "{",
                "[1,",
                "[1,]",
                "{\"a\":1,}",
                "{a:1}",
                "{'a':1}",
                "[01]",
                "[-]",
                "[1.]",
                "[.5]",
                "[1e]",
                "[+1]",
                "[NaN]",
                "[tru]",
                "[truex]",
                "[nul]",
                "\"abc",
                "\"\\x\"",
                "\"\\u12\"",
                "\"\\u12g4\"",
                "\"a\u0001b\"",
                "{\"a\" 1}",
                "[1 2]",
                "}")) {
            byte[] json = s.getBytes(StandardCharsets.UTF_8);
            assertThrows(IOException.class, () -> jackson(json), "Jackson accepts " + s);
            IOException e = assertThrows(IOException.class, () -> JsonReader.read(json), s);
            assertTrue(e.getMessage().startsWith("malformed JSON at character "), e.getMessage());
        }
    }

    @Test
    void nesting_is_limited_as_jackson_limits_it() throws IOException {
        String ok = "[".repeat(JsonReader.MAX_DEPTH) + "]".repeat(JsonReader.MAX_DEPTH);
        assertEquals(
                jackson(ok.getBytes(StandardCharsets.UTF_8)), JsonReader.read(ok.getBytes(StandardCharsets.UTF_8)));
        byte[] over = ("[".repeat(JsonReader.MAX_DEPTH + 1) + "]".repeat(JsonReader.MAX_DEPTH + 1))
                .getBytes(StandardCharsets.UTF_8);
        assertThrows(IOException.class, () -> jackson(over));
        assertThrows(IOException.class, () -> JsonReader.read(over));
        byte[] deep = "[".repeat(100_000).getBytes(StandardCharsets.UTF_8);
        assertThrows(IOException.class, () -> JsonReader.read(deep));
    }

    /** What the CLI's Json.parse did before: Jackson's streaming parser building tree nodes. */
    private static JsonNode jackson(byte[] json) throws IOException {
        try (JsonParser p = new JsonFactory().createParser(json)) {
            JsonToken t = p.nextToken();
            return t == null ? null : value(p, t);
        }
    }

    private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case START_OBJECT -> {
                ObjectNode o = NODES.objectNode();
                for (JsonToken k = p.nextToken(); k == JsonToken.FIELD_NAME; k = p.nextToken()) {
                    String name = p.currentName();
                    o.set(name, value(p, p.nextToken()));
                }
                yield o;
            }
            case START_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) a.add(value(p, v));
                yield a;
            }
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT ->
                p.getNumberType() == JsonParser.NumberType.INT
                        ? NODES.numberNode(p.getIntValue())
                        : p.getNumberType() == JsonParser.NumberType.LONG
                                ? NODES.numberNode(p.getLongValue())
                                : NODES.numberNode(p.getBigIntegerValue());
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDecimalValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new IOException("unexpected JSON token " + t);
        };
    }
}
