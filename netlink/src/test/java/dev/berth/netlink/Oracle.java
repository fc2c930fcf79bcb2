package dev.berth.netlink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.lab.Commands;
import dev.berth.lab.LabHost;
import java.util.ArrayList;
import java.util.List;

/** What iproute2 says about a lab host: the independent view the netlink tests check Berth against. */
final class Oracle {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Oracle() {}

    /** {@code ip -n NS -j ARGS} parsed. */
    static JsonNode ip(LabHost h, String... args) {
        List<String> c = new ArrayList<>(List.of("ip", "-n", h.name(), "-j"));
        c.addAll(List.of(args));
        return parse(Commands.run(c).check().stdout());
    }

    /** {@code bridge -n NS -j ARGS} parsed. */
    static JsonNode bridge(LabHost h, String... args) {
        List<String> c = new ArrayList<>(List.of("bridge", "-n", h.name(), "-j"));
        c.addAll(List.of(args));
        return parse(Commands.run(c).check().stdout());
    }

    /** The one link named {@code name}, with details ({@code ip -d link show}). */
    static JsonNode link(LabHost h, String name) {
        return ip(h, "-d", "link", "show", "dev", name).get(0);
    }

    static boolean hasLink(LabHost h, String name) {
        for (JsonNode l : ip(h, "link", "show")) if (l.path("ifname").asText().equals(name)) return true;
        return false;
    }

    private static JsonNode parse(String out) {
        try {
            return JSON.readTree(out.isBlank() ? "[]" : out);
        } catch (Exception e) {
            throw new AssertionError("iproute2 printed something that is not JSON: " + out, e);
        }
    }
}
