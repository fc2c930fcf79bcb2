package dev.berth.engine.explain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.lab.Commands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What one namespace holds, as iproute2 and nft/iptables-save report it, with what differs between two
 * equivalent setups left out (interface numbers, random MACs of bridges and host-side veths, counters).
 */
final class KernelView {
    private static final ObjectMapper JSON = new ObjectMapper();

    private KernelView() {}

    /** The namespace at /run/netns/NAME; {@code ownMacs} keeps link MACs (sandboxes: Berth chose them). */
    static String of(String netns, boolean ownMacs) {
        List<String> lines = new ArrayList<>();
        for (JsonNode l : json(run("ip", "-n", netns, "-d", "-j", "link", "show"))) {
            boolean up = l.path("flags").toString().contains("\"UP\"");
            lines.add("link " + l.path("ifname").asText() + " kind="
                    + l.at("/linkinfo/info_kind").asText("-")
                    + " master=" + l.path("master").asText("-") + " mtu="
                    + l.path("mtu").asInt() + (up ? " up" : " down")
                    + " alias=" + l.path("ifalias").asText("-") + " addrgen="
                    + l.path("inet6_addr_gen_mode").asText("-")
                    + " hairpin=" + l.at("/linkinfo/info_slave_data/hairpin").asText("-")
                    + " stp=" + l.at("/linkinfo/info_data/stp_state").asText("-")
                    + (ownMacs ? " mac=" + l.path("address").asText() : ""));
        }
        for (JsonNode l : json(run("ip", "-n", netns, "-j", "addr", "show")))
            for (JsonNode a : l.path("addr_info"))
                if (!a.path("scope").asText().equals("link"))
                    lines.add("addr " + l.path("ifname").asText() + " "
                            + a.path("local").asText() + "/"
                            + a.path("prefixlen").asInt());
        for (String family : List.of("-4", "-6"))
            for (JsonNode r : json(run("ip", "-n", netns, family, "-j", "route", "show", "table", "main"))) {
                String dst = r.path("dst").asText();
                if (dst.startsWith("fe80") || dst.startsWith("ff00")) continue;
                lines.add("route " + dst + " via=" + r.path("gateway").asText("-") + " dev="
                        + r.path("dev").asText("-"));
            }
        for (String key : List.of("net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"))
            lines.add("sysctl " + key + "="
                    + run("ip", "netns", "exec", netns, "sysctl", "-n", key).strip());
        for (JsonNode l : json(run("ip", "-n", netns, "-j", "link", "show", "type", "bridge"))) {
            String br = l.path("ifname").asText();
            lines.add("sysctl route_localnet " + br + "="
                    + run("ip", "netns", "exec", netns, "sysctl", "-n", "net.ipv4.conf." + br + ".route_localnet")
                            .strip());
        }
        Collections.sort(lines);
        return String.join("\n", lines);
    }

    static String nft(String netns) {
        return run("ip", "netns", "exec", netns, "nft", "list", "ruleset").replaceAll("packets \\d+ bytes \\d+", "");
    }

    /** One nft table, counters left out. */
    static String nft(String netns, String family, String table) {
        return run("ip", "netns", "exec", netns, "nft", "list", "table", family, table)
                .replaceAll("packets \\d+ bytes \\d+", "");
    }

    static String iptables(String netns) {
        List<String> out = new ArrayList<>();
        for (String l : run("ip", "netns", "exec", netns, "iptables-save").split("\n"))
            if (!l.startsWith("#")) out.add(l.replaceAll("\\[\\d+:\\d+]", "[0:0]"));
        return String.join("\n", out);
    }

    private static String run(String... cmd) {
        return Commands.run(List.of(cmd)).check().stdout();
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text.isBlank() ? "[]" : text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
