package dev.berth.cli.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Reads one JSON value (RFC 8259) into Jackson's tree nodes, giving the nodes Jackson's own parser gives
 * (ints that fit as int, then long, then BigInteger; fractions as BigDecimal). Why not Jackson's parser: its
 * base class's static initialiser makes {@code BigDecimal} constants, and JDK 25's {@code BigDecimal} computes
 * 5^65536 when it is initialised: 30-110 ms of every {@code berth} start, more than the rest of
 * {@code network ls}. Here {@code BigDecimal} is touched only when an answer holds a fraction.
 */
final class JsonReader {
    /** Jackson's default limit (StreamReadConstraints), which also keeps a hostile answer off the stack's end. */
    static final int MAX_DEPTH = 1000;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String s;
    private int i;

    private JsonReader(String s) {
        this.s = s;
    }

    /** The first JSON value of {@code json} (what follows it is not read, as Jackson's readTree); null when empty. */
    static JsonNode read(byte[] json) throws IOException {
        JsonReader r = new JsonReader(new String(json, StandardCharsets.UTF_8));
        if (r.s.startsWith("\uFEFF")) r.i = 1;
        r.space();
        if (r.i == r.s.length()) return null;
        return r.value(0);
    }

    private JsonNode value(int depth) throws IOException {
        if (i >= s.length()) throw error("unexpected end of input");
        char c = s.charAt(i);
        if ((c == '{' || c == '[') && depth >= MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
        if (c == '{') return object(depth);
        if (c == '[') return array(depth);
        if (c == '"') return NODES.textNode(string());
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        if (s.startsWith("true", i)) return literal(4, NODES.booleanNode(true));
        if (s.startsWith("false", i)) return literal(5, NODES.booleanNode(false));
        if (s.startsWith("null", i)) return literal(4, NODES.nullNode());
        throw error("unexpected character '" + c + "'");
    }

    private JsonNode literal(int length, JsonNode node) throws IOException {
        i += length;
        if (i < s.length() && Character.isLetterOrDigit(s.charAt(i))) throw error("unexpected character after literal");
        return node;
    }

    private ObjectNode object(int depth) throws IOException {
        ObjectNode o = NODES.objectNode();
        i++;
        space();
        if (peek() == '}') {
            i++;
            return o;
        }
        while (true) {
            if (peek() != '"') throw error("expected a field name");
            String name = string();
            space();
            expect(':');
            space();
            o.set(name, value(depth + 1));
            space();
            char c = next();
            if (c == '}') return o;
            if (c != ',') throw error("expected ',' or '}'");
            space();
        }
    }

    private ArrayNode array(int depth) throws IOException {
        ArrayNode a = NODES.arrayNode();
        i++;
        space();
        if (peek() == ']') {
            i++;
            return a;
        }
        while (true) {
            a.add(value(depth + 1));
            space();
            char c = next();
            if (c == ']') return a;
            if (c != ',') throw error("expected ',' or ']'");
            space();
        }
    }

    private String string() throws IOException {
        i++; // the opening quote
        StringBuilder b = null;
        int from = i;
        while (true) {
            if (i >= s.length()) throw error("unterminated string");
            char c = s.charAt(i);
            if (c == '"') {
                String tail = s.substring(from, i++);
                return b == null ? tail : b.append(tail).toString();
            }
            if (c < 0x20) throw error("control character in a string");
            if (c != '\\') {
                i++;
                continue;
            }
            if (b == null) b = new StringBuilder();
            b.append(s, from, i);
            i++;
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) throw error("short \\u escape");
                    int v = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = Character.digit(s.charAt(i++), 16);
                        if (d < 0) throw error("bad \\u escape");
                        v = v * 16 + d;
                    }
                    b.append((char) v);
                }
                default -> throw error("bad escape '\\" + e + "'");
            }
            from = i;
        }
    }

    private JsonNode number() throws IOException {
        int start = i;
        if (peek() == '-') i++;
        if (peek() == '0') i++;
        else if (!digits()) throw error("bad number");
        boolean integral = true;
        if (peek() == '.') {
            i++;
            if (!digits()) throw error("bad number");
            integral = false;
        }
        if (peek() == 'e' || peek() == 'E') {
            i++;
            if (peek() == '+' || peek() == '-') i++;
            if (!digits()) throw error("bad number");
            integral = false;
        }
        if (peek() >= '0' && peek() <= '9') throw error("leading zero in a number");
        String text = s.substring(start, i);
        if (!integral) return NODES.numberNode(new BigDecimal(text));
        if (text.length() <= 18) {
            long v = Long.parseLong(text);
            return v == (int) v ? NODES.numberNode((int) v) : NODES.numberNode(v);
        }
        BigInteger v = new BigInteger(text);
        return v.bitLength() < 64 ? NODES.numberNode(v.longValue()) : NODES.numberNode(v);
    }

    private boolean digits() {
        int start = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
        return i > start;
    }

    private void space() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            i++;
        }
    }

    private char peek() {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private char next() throws IOException {
        if (i >= s.length()) throw error("unexpected end of input");
        return s.charAt(i++);
    }

    private void expect(char c) throws IOException {
        if (next() != c) throw error("expected '" + c + "'");
    }

    private IOException error(String what) {
        return new IOException("malformed JSON at character " + i + ": " + what);
    }
}
