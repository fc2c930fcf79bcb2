package dev.berth.engine.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.model.Protocol;
import dev.berth.model.net.Cidr;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The firewall tests' world, built with iproute2 inside a lab: a "host" namespace with bridges br0
 * (10.0.0.1/24, containers c1 10.0.0.2 and c2 10.0.0.3) and br1 (10.1.0.1/24, c3 10.1.0.2 and c4
 * 10.1.0.3), ip_forward=1, and "ext" (192.0.2.2/24) on the host's ext0 (192.0.2.1/24) with no route
 * to the container subnets. Every bridge port has hairpin mode on, as the engine sets it.
 */
final class Topology implements AutoCloseable {
    static final String HOST_IP = "192.0.2.1", EXT_IP = "192.0.2.2";
    private static final ObjectMapper JSON = new ObjectMapper();

    final Lab lab;
    final LabHost host, ext, c1, c2, c3, c4;
    final NetnsHandle hostNs;

    private Topology(Lab lab) {
        this.lab = lab;
        host = lab.host("host");
        ext = lab.host("ext");
        c1 = lab.host("c1");
        c2 = lab.host("c2");
        c3 = lab.host("c3");
        c4 = lab.host("c4");
        bridge("br0", "10.0.0.1/24");
        bridge("br1", "10.1.0.1/24");
        attach(c1, "br0", "v1", "10.0.0.2/24", "10.0.0.1");
        attach(c2, "br0", "v2", "10.0.0.3/24", "10.0.0.1");
        attach(c3, "br1", "v3", "10.1.0.2/24", "10.1.0.1");
        attach(c4, "br1", "v4", "10.1.0.3/24", "10.1.0.1");
        lab.connect(host, "ext0", HOST_IP + "/24", ext, "eth0", EXT_IP + "/24");
        host.sysctl("net.ipv4.ip_forward", "1");
        // A typical host: bridged frames skip the IP hooks unless a test turns br_netfilter on.
        brNetfilter(false);
        hostNs = Netns.open(host.name());
    }

    static Topology build(Lab lab) {
        return new Topology(lab);
    }

    private void bridge(String name, String cidr) {
        host.ip("link", "add", name, "type", "bridge", "stp_state", "0");
        host.ip("addr", "add", cidr, "dev", name);
        host.ip("link", "set", name, "up");
    }

    private void attach(LabHost c, String bridge, String port, String cidr, String gateway) {
        host.ip("link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", c.name());
        host.ip("link", "set", port, "master", bridge, "up");
        host.run("bridge", "link", "set", "dev", port, "hairpin", "on");
        c.ip("addr", "add", cidr, "dev", "eth0");
        c.ip("link", "set", "eth0", "up");
        c.ip("route", "add", "default", "via", gateway);
    }

    /** br_netfilter (built into this kernel) passes bridged IPv4 frames through the inet hooks when on. */
    void brNetfilter(boolean on) {
        host.sysctl("net.bridge.bridge-nf-call-iptables", on ? "1" : "0");
        host.sysctl("net.bridge.bridge-nf-call-ip6tables", on ? "1" : "0");
    }

    static NetworkRules br0(boolean masquerade, boolean icc, boolean internal) {
        return new NetworkRules("net0", "br0", List.of(Cidr.parse("10.0.0.0/24", "subnet")), masquerade, icc, internal);
    }

    static NetworkRules br1(boolean masquerade, boolean icc, boolean internal) {
        return new NetworkRules("net1", "br1", List.of(Cidr.parse("10.1.0.0/24", "subnet")), masquerade, icc, internal);
    }

    static PortRule port(Protocol proto, String hostIp, int hostPort, String containerIp, int containerPort) {
        return new PortRule(
                "br0", proto, hostIp == null ? null : addr(hostIp), hostPort, addr(containerIp), containerPort);
    }

    static InetAddress addr(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A TCP server on {@code port} in {@code h} answering each connection with {@code peer=<client address>}. */
    void serveTcp(LabHost h, int port) {
        h.spawn("socat", "TCP-LISTEN:" + port + ",fork,reuseaddr", "SYSTEM:echo peer=$SOCAT_PEERADDR");
        awaitListening(h, "-Hltn", port);
    }

    /** The same over IPv6 only; the peer is printed in brackets. */
    void serveTcp6(LabHost h, int port) {
        h.spawn("socat", "TCP6-LISTEN:" + port + ",ipv6only=1,fork,reuseaddr", "SYSTEM:echo peer=$SOCAT_PEERADDR");
        awaitListening(h, "-Hltn", port);
    }

    /** A UDP server answering each datagram with {@code upeer=<client address>}. */
    void serveUdp(LabHost h, int port) {
        h.spawn("socat", "UDP-RECVFROM:" + port + ",fork", "SYSTEM:echo upeer=$SOCAT_PEERADDR");
        awaitListening(h, "-Hlun", port);
    }

    private static void awaitListening(LabHost h, String ssFlags, int port) {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < end) {
            if (!h.exec("ss", ssFlags, "sport = :" + port).stdout().isBlank()) return;
            sleep(50);
        }
        throw new AssertionError("no server listening on " + port + " in " + h);
    }

    /** Waits until no IPv6 address in the hosts is still tentative (duplicate address detection). */
    void awaitIpv6(LabHost... hosts) {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        for (LabHost h : hosts)
            while (!h.exec("ip", "-6", "addr", "show", "tentative").stdout().isBlank() && System.nanoTime() < end)
                sleep(50);
    }

    /** Connects from {@code from}; returns what the server printed ("peer=..."), or "" when it could not connect. */
    String tcp(LabHost from, String address, int port) {
        ExecResult r = from.exec("socat", "-T1", "-", "TCP:" + address + ":" + port + ",connect-timeout=1");
        return r.stdout().strip();
    }

    /** Sends one datagram and returns the answer ("upeer=..."), or "" after a second of silence. */
    String udp(LabHost from, String address, int port) {
        // Retried for a few seconds: under load the UDP server may not listen yet, and a datagram it
        // missed is simply lost (TCP probes wait for the listener by themselves).
        long deadline = System.nanoTime() + 5_000_000_000L;
        String answer;
        do {
            ExecResult r = Commands.run(
                    List.of("ip", "netns", "exec", from.name(), "socat", "-T1", "-", "UDP:" + address + ":" + port),
                    Duration.ofSeconds(10),
                    "hello\n");
            answer = r.stdout().strip();
        } while (answer.isEmpty() && System.nanoTime() < deadline);
        return answer;
    }

    /** One ping with a one-second limit. */
    boolean ping(LabHost from, String address) {
        return from.exec("ping", "-n", "-q", "-c", "1", "-W", "1", address).ok();
    }

    /** {@code nft -j list ruleset} in {@code h}, without handles and metainfo, sets' elements sorted. */
    static JsonNode ruleset(LabHost h) {
        return normalise(h.run("nft", "-j", "list", "ruleset").stdout());
    }

    /** The normalised JSON objects of one table (its table, sets, maps, chains and rules). */
    static List<JsonNode> table(LabHost h, String family, String name) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode item : ruleset(h).get("nftables")) {
            JsonNode body = item.elements().next();
            boolean isTable = item.has("table");
            String fam = body.path("family").asText(),
                    tbl =
                            isTable
                                    ? body.path("name").asText()
                                    : body.path("table").asText();
            if (fam.equals(family) && tbl.equals(name)) out.add(item);
        }
        return out;
    }

    /** Family and name of every table in {@code h}, e.g. "inet berth". */
    static List<String> tables(LabHost h) {
        List<String> out = new ArrayList<>();
        for (JsonNode item : ruleset(h).get("nftables"))
            if (item.has("table"))
                out.add(item.get("table").get("family").asText() + " "
                        + item.get("table").get("name").asText());
        return out;
    }

    static JsonNode normalise(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            ArrayNode items = (ArrayNode) root.get("nftables");
            for (Iterator<JsonNode> it = items.iterator(); it.hasNext(); )
                if (it.next().has("metainfo")) it.remove();
            strip(root);
            return root;
        } catch (IOException e) {
            throw new AssertionError("nft printed no JSON: " + json, e);
        }
    }

    private static void strip(JsonNode n) {
        if (n instanceof ObjectNode o) {
            o.remove("handle");
            o.remove("counter");
            JsonNode elem = o.get("elem");
            if (elem instanceof ArrayNode a) {
                List<JsonNode> sorted = new ArrayList<>();
                a.forEach(sorted::add);
                sorted.sort((x, y) -> x.toString().compareTo(y.toString()));
                a.removeAll();
                a.addAll(sorted);
            }
            o.elements().forEachRemaining(Topology::strip);
        } else if (n instanceof ArrayNode a) {
            a.forEach(Topology::strip);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        hostNs.close();
    }
}
