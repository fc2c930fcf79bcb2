package dev.berth.cli.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON indented as docker's {@code inspect} prints it (Go's json.MarshalIndent with four spaces):
 * {@code "Key": value}, empty containers as {@code {}} and {@code []}, and &lt;, &gt;, &amp; escaped.
 */
public final class GoJson {
    private GoJson() {}

    public static String indent(JsonNode n) {
        StringBuilder s = new StringBuilder();
        write(n, s, "");
        return s.toString();
    }

    /** One line, no spaces (as {@code --format json} prints each item). */
    public static String compact(JsonNode n) {
        StringBuilder s = new StringBuilder();
        write(n, s, null);
        return s.toString();
    }

    private static void write(JsonNode n, StringBuilder s, String pad) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            s.append("null");
        } else if (n.isObject()) {
            if (n.isEmpty()) {
                s.append("{}");
                return;
            }
            s.append('{');
            String inner = pad == null ? null : pad + "    ";
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            boolean first = true;
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!first) s.append(',');
                first = false;
                if (inner != null) s.append('\n').append(inner);
                string(e.getKey(), s);
                s.append(inner == null ? ":" : ": ");
                write(e.getValue(), s, inner);
            }
            if (pad != null) s.append('\n').append(pad);
            s.append('}');
        } else if (n.isArray()) {
            if (n.isEmpty()) {
                s.append("[]");
                return;
            }
            s.append('[');
            String inner = pad == null ? null : pad + "    ";
            boolean first = true;
            for (JsonNode x : n) {
                if (!first) s.append(',');
                first = false;
                if (inner != null) s.append('\n').append(inner);
                write(x, s, inner);
            }
            if (pad != null) s.append('\n').append(pad);
            s.append(']');
        } else if (n.isTextual()) {
            string(n.asText(), s);
        } else {
            s.append(n.asText()); // numbers and booleans (toString would make an ObjectMapper)
        }
    }

    private static void string(String v, StringBuilder s) {
        s.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> s.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) s.append(String.format("\\u%04x", (int) c));
                    else s.append(c);
                }
            }
        }
        s.append('"');
    }
}
