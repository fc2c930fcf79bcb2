package dev.berth.daemon.cni;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The capability "portMappings" ({@code [{hostPort, containerPort, protocol, hostIP}]}, as the portmap
 * plugin takes it) as Docker {@code -p} specs for the engine, which publishes them in its nftables maps.
 * Keys are matched without regard to case, as Go's JSON decoder in the reference plugins matches them:
 * containerd's CRI plugin sends {@code HostPort}, {@code ContainerPort}, {@code Protocol}, {@code HostIP}.
 */
final class CniPorts {
    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "sctp");

    private CniPorts() {}

    static List<String> specs(JsonNode mappings) {
        List<String> out = new ArrayList<>();
        if (mappings == null || mappings.isNull()) return out;
        if (!mappings.isArray())
            throw new CniError(
                    CniError.INVALID_CONFIG, "runtimeConfig.portMappings: expected a list, got " + mappings, "");
        for (int i = 0; i < mappings.size(); i++) {
            JsonNode m = mappings.get(i);
            String at = "runtimeConfig.portMappings[" + i + "]";
            int host = port(m, "hostPort", at), ctr = port(m, "containerPort", at);
            JsonNode p = field(m, "protocol"), h = field(m, "hostIP");
            String proto = p != null && !p.isNull() ? p.asText().toLowerCase(Locale.ROOT) : "tcp";
            if (proto.isEmpty()) proto = "tcp";
            if (!PROTOCOLS.contains(proto))
                throw new CniError(
                        CniError.INVALID_CONFIG, at + ".protocol: '" + proto + "' is not tcp, udp or sctp", "");
            String ip = h != null && !h.isNull() ? h.asText() : "";
            String prefix = ip.isEmpty() ? "" : (ip.contains(":") ? "[" + ip + "]" : ip) + ":";
            out.add(prefix + host + ":" + ctr + "/" + proto);
        }
        return out;
    }

    /** The value of {@code key} in {@code m}, the exact spelling first, then any other case; null when absent. */
    private static JsonNode field(JsonNode m, String key) {
        JsonNode exact = m.get(key);
        if (exact != null) return exact;
        for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(key)) return e.getValue();
        }
        return null;
    }

    private static int port(JsonNode m, String key, String at) {
        JsonNode v = field(m, key);
        if (v == null || !v.canConvertToInt() || v.asInt() < 1 || v.asInt() > 65535)
            throw new CniError(CniError.INVALID_CONFIG, at + "." + key + ": expected a port 1..65535, got " + v, "");
        return v.asInt();
    }
}
