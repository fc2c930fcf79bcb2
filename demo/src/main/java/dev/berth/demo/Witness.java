package dev.berth.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * The demo's independent oracle: iproute2 and ping, run inside the lab's namespaces, never Berth's
 * own code. Answers are reduced to short strings that read like {@code ip -br} output, so a check
 * compares them with what the scene should look like.
 */
final class Witness {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code ip -n NS -j ARGS...}, parsed. */
    JsonNode ip(Ns ns, String... args) {
        List<String> c = new ArrayList<>(List.of("ip", "-n", ns.netns(), "-j"));
        c.addAll(List.of(args));
        String out = Commands.run(c).check().stdout();
        try {
            return JSON.readTree(out.isBlank() ? "[]" : out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read the JSON of " + String.join(" ", c) + ": " + e.getMessage(), e);
        }
    }

    /** How the command reads in the report: {@code ip -n milk -j link show eth0}. */
    static String ipCommand(Ns ns, String... args) {
        return "ip -n " + ns.label() + " -j " + String.join(" ", args);
    }

    /** Whether {@code ns} gets an answer from {@code address}: a few single pings, 2 s each. */
    boolean ping(Ns ns, String address) {
        for (int attempt = 0; attempt < 3; attempt++) {
            if (inside(ns, "ping", "-n", "-q", "-c", "1", "-W", "2", address).ok()) return true;
        }
        return false;
    }

    String sysctl(Ns ns, String key) {
        return inside(ns, "sysctl", "-n", key).check().stdout().strip();
    }

    private static ExecResult inside(Ns ns, String... command) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns.netns()));
        c.addAll(List.of(command));
        return Commands.run(c);
    }

    // ---- readings ----

    /** Each link of {@code ip -j addr show} as "name UP 10.0.0.1/24", joined with "; " (IPv4 only). */
    static String linksWithAddresses(JsonNode links) {
        return stream(links).map(Witness::linkWithAddresses).collect(Collectors.joining("; "));
    }

    static String linkWithAddresses(JsonNode link) {
        StringBuilder s = new StringBuilder(link.path("ifname").asText());
        String kind = link.path("linkinfo").path("info_kind").asText("");
        if (!kind.isEmpty()) s.append(' ').append(kind);
        if (isUp(link)) s.append(" UP");
        for (JsonNode a : link.path("addr_info")) {
            if (a.path("family").asText().equals("inet"))
                s.append(' ').append(a.path("local").asText()).append('/').append(a.path("prefixlen").asInt());
        }
        return s.toString();
    }

    /** A link of {@code ip -j link show} as "name master BRIDGE UP". */
    static String port(JsonNode link) {
        return link.path("ifname").asText() + (link.has("master") ? " master " + link.path("master").asText() : "")
                + (isUp(link) ? " UP" : "");
    }

    /** Routes of {@code ip -j route show} as "default via 172.17.0.1 dev eth0". */
    static String routes(JsonNode routes) {
        return stream(routes).map(r -> r.path("dst").asText()
                        + (r.has("gateway") ? " via " + r.path("gateway").asText() : "") + " dev " + r.path("dev").asText())
                .collect(Collectors.joining("; "));
    }

    static List<String> names(JsonNode links) {
        return stream(links).map(l -> l.path("ifname").asText()).sorted().toList();
    }

    /** The ifindex of the only link in {@code links}. */
    static int ifindex(JsonNode links) {
        if (links.size() != 1) throw new IllegalStateException("expected one link, got " + links.size());
        return links.get(0).path("ifindex").asInt();
    }

    /** Links as "index: name@ifPEER", the way {@code ip link} numbers them. */
    static String numbered(JsonNode links) {
        return stream(links).map(l -> l.path("ifindex").asInt() + ": " + l.path("ifname").asText()
                        + (l.has("link_index") ? "@if" + l.path("link_index").asInt() : ""))
                .collect(Collectors.joining(", "));
    }

    private static boolean isUp(JsonNode link) {
        return stream(link.path("flags")).anyMatch(f -> f.asText().equals("UP"));
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }
}
