package dev.berth.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.LabHost;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's checks that do not take Berth's word: commands run in the lab's namespaces with
 * {@code ip netns exec} (iproute2, ping, socat, nft), each kept as the exact argument list it ran, so
 * the demo prints what it ran. A ping counts its replies, and the target's kernel counts the echo
 * requests it received (the target namespace's {@code /proc/net/snmp}), so a reply is seen from both ends.
 */
final class Oracles {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RECEIVED = Pattern.compile("(\\d+) (?:packets )?received");

    private Oracles() {}

    /** A command run inside a lab namespace: its exact argument list, ready to print and to run. */
    record Command(List<String> argv) {
        static Command in(LabHost h, String... command) {
            List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", h.name()));
            c.addAll(List.of(command));
            return new Command(List.copyOf(c));
        }

        ExecResult run() {
            return Commands.run(argv, Duration.ofSeconds(30), "");
        }

        @Override
        public String toString() {
            return Shell.join(argv);
        }
    }

    /** Echo requests the kernel of {@code h} has received so far ({@code Icmp: InEchos}, per namespace). */
    static long echoesReceived(LabHost h) {
        String snmp = Command.in(h, "cat", "/proc/net/snmp").run().check().stdout();
        List<String> icmp = snmp.lines().filter(l -> l.startsWith("Icmp: ")).toList();
        if (icmp.size() < 2) throw new IllegalStateException("no Icmp lines in " + h.name() + "'s /proc/net/snmp");
        String[] names = icmp.get(0).split("\\s+"), values = icmp.get(1).split("\\s+");
        for (int i = 0; i < names.length; i++) if (names[i].equals("InEchos")) return Long.parseLong(values[i]);
        throw new IllegalStateException("no InEchos in " + h.name() + "'s /proc/net/snmp");
    }

    /** The replies ping counted ("3 packets received"), or -1 when its summary is missing. */
    static int replies(ExecResult ping) {
        Matcher m = RECEIVED.matcher(ping.stdout());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** What a ping saw, from both ends: "3 replies, 3 echo requests reached TARGET". */
    static String pingSeenFromBothEnds(ExecResult ping, LabHost target, long echoesBefore) {
        return replies(ping) + " replies, " + (echoesReceived(target) - echoesBefore) + " echo requests reached "
                + target.name();
    }

    /** The elements of set or map {@code name} in nftables table {@code family table}, as nft -j prints each. */
    static List<String> nftElements(LabHost h, String family, String table, String kind, String name) {
        ExecResult r = Command.in(h, "nft", "-j", "list", kind, family, table, name)
                .run()
                .check();
        List<String> out = new ArrayList<>();
        try {
            for (JsonNode o : JSON.readTree(r.stdout()).path("nftables")) {
                for (JsonNode e : o.path(kind).path("elem")) out.add(elementText(e));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** An element as nft's text shows it: "berth0", "172.17.0.0/16", else nft's JSON. */
    private static String elementText(JsonNode e) {
        if (e.isTextual()) return e.asText();
        JsonNode prefix = e.path("prefix");
        if (prefix.isObject())
            return prefix.path("addr").asText() + "/" + prefix.path("len").asInt();
        return e.toString();
    }

    /** Names of the bridges in {@code h} ({@code ip -n NS -j link show type bridge}). */
    static List<String> bridges(LabHost h) {
        List<String> out = new ArrayList<>();
        try {
            for (JsonNode l :
                    JSON.readTree(h.ip("-j", "link", "show", "type", "bridge").stdout()))
                out.add(l.path("ifname").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
