package dev.berth.daemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.berth.engine.BerthException;

import java.io.IOException;

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

    private Json() {}

    public static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) return MAPPER.createObjectNode();
        try {
            JsonNode n = MAPPER.readTree(body);
            return n == null || n.isMissingNode() ? MAPPER.createObjectNode() : n;
        } catch (IOException e) {
            throw new BerthException.InvalidRequest("body", "invalid JSON: " + firstLine(e));
        }
    }

    public static <T> T bind(byte[] body, Class<T> type) {
        try {
            return MAPPER.readValue(body == null || body.length == 0 ? "{}".getBytes() : body, type);
        } catch (MismatchedInputException e) {
            String field = e.getPath().isEmpty() ? "body" : pathOf(e);
            throw new BerthException.InvalidRequest(field, "wrong type: " + firstLine(e));
        } catch (IOException e) {
            throw new BerthException.InvalidRequest("body", "invalid JSON: " + firstLine(e));
        }
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
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

    private static String firstLine(Exception e) {
        String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        if (m == null) return e.getClass().getSimpleName();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
