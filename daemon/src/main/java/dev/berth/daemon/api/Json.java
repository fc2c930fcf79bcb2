package dev.berth.daemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.berth.model.BerthException;
import java.io.IOException;
import java.util.Collection;
import java.util.regex.Pattern;

/** The daemon's one Jackson mapper, configured as Docker reads and writes JSON. */
public final class Json {
    /** Unknown fields are ignored as Docker ignores them (clients send more than we use). */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS);

    static {
        // A number where a string belongs (a network named 5), or "yes" where a boolean belongs, is a 400
        // naming the field, as Docker's typed decoding answers: never a value quietly converted.
        MAPPER.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        MAPPER.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        MAPPER.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }

    /** Java's names in Jackson's messages: token names, fully qualified types. */
    private static final Pattern JAVA_NAMES =
            Pattern.compile("\\s*\\(token `[^`]*`\\)|`[\\w.$<>, ]*\\.[\\w.$<>, ]*`|\\s*\\(for \\S+\\)");

    private Json() {}

    public static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) return MAPPER.createObjectNode();
        try {
            JsonNode n = MAPPER.readTree(body);
            return n == null || n.isMissingNode() ? MAPPER.createObjectNode() : n;
        } catch (StreamConstraintsException e) {
            throw new BerthException.InvalidRequest("body", tooBig(e));
        } catch (IOException e) {
            throw new BerthException.InvalidRequest("body", "invalid JSON: " + firstLine(e));
        }
    }

    public static <T> T bind(byte[] body, Class<T> type) {
        try {
            return MAPPER.readValue(body == null || body.length == 0 ? "{}".getBytes() : body, type);
        } catch (MismatchedInputException e) {
            String field = e.getPath().isEmpty() ? "body" : pathOf(e);
            throw new BerthException.InvalidRequest(field, "must be " + expected(e.getTargetType()));
        } catch (StreamConstraintsException e) {
            throw new BerthException.InvalidRequest("body", tooBig(e));
        } catch (IOException e) {
            throw new BerthException.InvalidRequest("body", "invalid JSON: " + firstLine(e));
        }
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    private static String pathOf(MismatchedInputException e) {
        StringBuilder b = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) b.append(b.isEmpty() ? "" : ".").append(ref.getFieldName());
            else b.append('[').append(ref.getIndex()).append(']');
        }
        return b.toString();
    }

    /** The JSON kind a Java type is read from, in a client's words (never the Java type's name). */
    private static String expected(Class<?> type) {
        if (type == null) return "of another JSON type";
        if (type == String.class || type.isEnum()) return "a string";
        if (type == Boolean.class || type == boolean.class) return "true or false";
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class)
            return "a whole number";
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) return "a number";
        if (type.isArray() || Collection.class.isAssignableFrom(type)) return "a list";
        return "an object";
    }

    /** Jackson's limits on a document (1000 levels deep, 1000-digit numbers, 20 MB strings), said plainly. */
    private static String tooBig(StreamConstraintsException e) {
        String m = String.valueOf(e.getOriginalMessage());
        if (m.contains("nesting depth"))
            return "JSON nested deeper than " + StreamReadConstraints.DEFAULT_MAX_DEPTH + " levels";
        if (m.contains("Number value length"))
            return "a JSON number longer than " + StreamReadConstraints.DEFAULT_MAX_NUM_LEN + " digits";
        if (m.contains("String value length"))
            return "a JSON string longer than " + StreamReadConstraints.DEFAULT_MAX_STRING_LEN + " characters";
        return "a JSON document past berthd's limits";
    }

    /** The parser's first line, without Java's names for tokens and types (a client knows JSON, not Jackson). */
    private static String firstLine(Exception e) {
        String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        if (m == null) return "cannot be read";
        int nl = m.indexOf('\n');
        String line = nl < 0 ? m : m.substring(0, nl);
        return JAVA_NAMES.matcher(line).replaceAll("").strip();
    }
}
