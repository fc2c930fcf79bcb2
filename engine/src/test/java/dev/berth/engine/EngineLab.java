package dev.berth.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.engine.firewall.NftablesFirewall;
import dev.berth.engine.state.RecordJournal;
import dev.berth.engine.tx.Faults;
import dev.berth.lab.Commands;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.model.Sandbox;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The seeds' stage: a lab namespace "host" where the engine runs, and an outside machine "ext" on a
 * wire to it (host 192.0.2.1/24, ext 192.0.2.2/24; ext knows no route to container subnets). Sandboxes
 * are namespaces named with the lab's prefix, so the lab removes them whatever happens.
 */
final class EngineLab implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    final Lab lab;
    final LabHost host;
    final LabHost ext;
    final NetnsHandle hostNs;
    final Path stateDir;
    private Engine engine;

    EngineLab(Lab lab) {
        this.lab = lab;
        this.host = lab.host("host");
        this.ext = lab.host("ext");
        lab.connect(host, "eth0", "192.0.2.1/24", ext, "eth0", "192.0.2.2/24");
        this.hostNs = Netns.open(host.name());
        try {
            this.stateDir = Files.createTempDirectory("berth-state-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    EngineConfig config() {
        return EngineConfig.of(stateDir, hostNs, NftablesFirewall::new).withNetnsPrefix(lab.prefix("sb-"));
    }

    Engine start() {
        return start(config());
    }

    Engine start(EngineConfig c) {
        if (engine != null) engine.close();
        engine = Engine.start(c);
        return engine;
    }

    /** Stops the engine as a crash or a daemon restart would: nothing in the kernel is cleaned. */
    Engine restart() {
        return start(config().withFaults(Faults.NONE));
    }

    /** The sandbox's namespace, to run commands in as {@code ip netns exec} would. */
    LabHost in(Sandbox s) {
        return lab.existing(engine.netnsPath(s).getFileName().toString());
    }

    LabHost in(String name) {
        return in(engine.sandbox(name));
    }

    /**
     * What Berth controls in the host's kernel, as iproute2 and nft report it: links (name, kind,
     * master, mtu, admin state, alias), global addresses, routes, Berth's nft tables, sandbox
     * namespaces. Left out: what the kernel does on its own time (carrier, IPv6 link-local
     * addresses, DAD), interface numbers, and the random part of veth names.
     */
    String kernelSnapshot() {
        if (engine != null) engine.settle(); // the veths disconnects retired are deleted
        List<String> lines = new ArrayList<>();
        for (JsonNode l : json(host.run("ip", "-d", "-j", "link", "show").stdout())) {
            boolean up = l.path("flags").toString().contains("\"UP\"");
            lines.add("link " + l.path("ifname").asText() + " kind="
                    + l.at("/linkinfo/info_kind").asText("-")
                    + " master=" + l.path("master").asText("-") + " mtu="
                    + l.path("mtu").asInt() + (up ? " up" : " down")
                    + " alias=" + l.path("ifalias").asText("-"));
        }
        for (JsonNode l : json(host.run("ip", "-j", "addr", "show").stdout()))
            for (JsonNode a : l.path("addr_info"))
                if (!a.path("scope").asText().equals("link"))
                    lines.add("addr " + l.path("ifname").asText() + " "
                            + a.path("local").asText() + "/"
                            + a.path("prefixlen").asInt());
        for (String family : List.of("-4", "-6"))
            for (JsonNode r : json(host.run("ip", family, "-j", "route", "show", "table", "all")
                    .stdout())) {
                String dst = r.path("dst").asText();
                if (dst.startsWith("fe80")
                        || dst.startsWith("ff00")
                        || r.path("table").asText().equals("local")) continue;
                lines.add("route " + dst + " via=" + r.path("gateway").asText("-") + " dev="
                        + r.path("dev").asText("-") + " table="
                        + r.path("table").asText("main"));
            }
        lines.add(anonymousElements(
                host.run("nft", "list", "ruleset").stdout().replaceAll("packets \\d+ bytes \\d+", "")));
        Commands.run(List.of("ip", "netns", "list"))
                .stdout()
                .lines()
                .filter(l -> l.startsWith(lab.prefix("sb-")))
                .map(l -> "netns " + l.split(" ")[0])
                .forEach(lines::add);
        lines.replaceAll(l -> l.replaceAll("veth[0-9a-f]{7}", "vethXXXXXXX")
                .replaceAll("br-[0-9a-f]{12}", "br-XXXXXXXXXXXX")
                .replaceAll("berth:network:[0-9a-f]{64}", "berth:network:ID"));
        Collections.sort(lines);
        return String.join("\n", lines);
    }

    /**
     * Set elements without what differs between two equal setups: the random part of veth names, the
     * random MACs of anti-spoofing elements and the link-local addresses made from them; sorted, since
     * nft lists them in key order and the keys were random.
     */
    static String anonymousElements(String nft) {
        Matcher m = Pattern.compile("elements = \\{([^}]*)}").matcher(nft);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            List<String> elements = new ArrayList<>();
            for (String e : m.group(1).split(","))
                elements.add(e.strip()
                        .replaceAll("veth[0-9a-f]{7}", "vethXXXXXXX")
                        .replaceAll("\\b([0-9a-f]{2}:){5}[0-9a-f]{2}\\b", "MAC")
                        .replaceAll("fe80::[0-9a-f:]+", "fe80::EUI-64"));
            Collections.sort(elements);
            m.appendReplacement(out, Matcher.quoteReplacement("elements = { " + String.join(", ", elements) + " }"));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * The kernel snapshot plus the links inside every sandbox namespace (name, kind, admin state), for
     * drivers whose endpoints live only there (macvlan, ipvlan).
     */
    String kernelSnapshotWithSandboxes() {
        List<String> lines = new ArrayList<>();
        Commands.run(List.of("ip", "netns", "list"))
                .stdout()
                .lines()
                .map(l -> l.split(" ")[0])
                .filter(ns -> ns.startsWith(lab.prefix("sb-")))
                .sorted()
                .forEach(ns -> {
                    for (JsonNode l : json(Commands.run(List.of("ip", "-n", ns, "-d", "-j", "link", "show"))
                            .stdout()))
                        lines.add("in " + ns + " link " + l.path("ifname").asText() + " kind="
                                + l.at("/linkinfo/info_kind").asText("-")
                                + (l.path("flags").toString().contains("\"UP\"") ? " up" : " down"));
                });
        return kernelSnapshot() + "\n" + String.join("\n", lines);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text.isBlank() ? "[]" : text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the state store holds a record of {@code kind} (networks, sandboxes, endpoints) with this id. */
    boolean recorded(String kind, String id) {
        return RecordJournal.peek(stateDir).containsKey(kind + "/" + id);
    }

    /** The state store's records, {@code KIND/ID} each, sorted. */
    String records() {
        return String.join("\n", RecordJournal.peek(stateDir).keySet());
    }

    @Override
    public void close() {
        if (engine != null) engine.close();
        hostNs.close();
        try (Stream<Path> files = Files.walk(stateDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temporary directory
        }
    }
}
