package dev.berth.daemon.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.model.BerthException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Docker's {@code filters} query parameter: JSON mapping a filter name to its values, either as a list
 * ({@code {"name":["a"]}}) or, as the docker CLI sends it, a set ({@code {"name":{"a":true}}}).
 */
public record Filters(Map<String, List<String>> values) {

    public static Filters parse(String json, Set<String> allowed) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (json == null || json.isBlank()) return new Filters(out);
        JsonNode root = Json.parse(json.getBytes(StandardCharsets.UTF_8));
        if (!root.isObject())
            throw new BerthException.InvalidRequest("filters", "must be a JSON object of filter name to values");
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!allowed.contains(f.getKey()))
                throw new BerthException.InvalidRequest(
                        "filters",
                        "invalid filter '" + f.getKey() + "'; allowed: "
                                + String.join(", ", allowed.stream().sorted().toList()));
            List<String> vals = new ArrayList<>();
            if (f.getValue().isArray()) f.getValue().forEach(v -> vals.add(v.asText()));
            else if (f.getValue().isObject()) f.getValue().fieldNames().forEachRemaining(vals::add);
            else vals.add(f.getValue().asText());
            out.put(f.getKey(), vals);
        }
        return new Filters(out);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public List<String> get(String name) {
        return values.getOrDefault(name, List.of());
    }

    /** True when the filter is absent or any of its values satisfies {@code test}. */
    public boolean any(String name, Predicate<String> test) {
        if (!has(name)) return true;
        for (String v : get(name)) if (test.test(v)) return true;
        return false;
    }

    /** Docker's label filter: {@code key} or {@code key=value}; every given label must match. */
    public boolean labels(Map<String, String> labels) {
        for (String want : get("label")) {
            int eq = want.indexOf('=');
            if (eq < 0 ? !labels.containsKey(want) : !want.substring(eq + 1).equals(labels.get(want.substring(0, eq))))
                return false;
        }
        return true;
    }

    /** Docker's {@code label!} filter: {@code key} or {@code key=value}; none of them may match. */
    public boolean notLabels(Map<String, String> labels) {
        for (String unwanted : get("label!")) {
            int eq = unwanted.indexOf('=');
            boolean hit = eq < 0
                    ? labels.containsKey(unwanted)
                    : unwanted.substring(eq + 1).equals(labels.get(unwanted.substring(0, eq)));
            if (hit) return false;
        }
        return true;
    }

    /** Docker's {@code until} filter: created before the given time (unix seconds or RFC 3339). */
    public boolean until(Instant created) {
        for (String v : get("until")) {
            Instant limit = Since.parse(v, "filters.until");
            if (limit != null && !created.isBefore(limit)) return false;
        }
        return true;
    }

    public static boolean truthy(String v) {
        return v.equals("1") || v.equalsIgnoreCase("true");
    }
}
