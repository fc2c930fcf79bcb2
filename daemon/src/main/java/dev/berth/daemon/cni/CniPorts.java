package dev.berth.daemon.cni;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The capability "portMappings" ({@code [{hostPort, containerPort, protocol, hostIP}]}, as the portmap
 * plugin takes it) as Docker {@code -p} specs for the engine, which publishes them in its nftables maps.
 */
final class CniPorts {
    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "sctp");

    private CniPorts() {}

    static List<String> specs(JsonNode mappings) {
        List<String> out = new ArrayList<>();
        if (mappings == null || mappings.isNull()) return out;
        if (!mappings.isArray()) throw new CniError(CniError.INVALID_CONFIG, "runtimeConfig.portMappings: expected a list, got " + mappings, "");
        for (int i = 0; i < mappings.size(); i++) {
            JsonNode m = mappings.get(i);
            String at = "runtimeConfig.portMappings[" + i + "]";
            int host = port(m, "hostPort", at), ctr = port(m, "containerPort", at);
            String proto = m.hasNonNull("protocol") ? m.get("protocol").asText().toLowerCase(Locale.ROOT) : "tcp";
            if (proto.isEmpty()) proto = "tcp";
            if (!PROTOCOLS.contains(proto)) throw new CniError(CniError.INVALID_CONFIG, at + ".protocol: '" + proto + "' is not tcp, udp or sctp", "");
            String ip = m.hasNonNull("hostIP") ? m.get("hostIP").asText() : "";
            String prefix = ip.isEmpty() ? "" : (ip.contains(":") ? "[" + ip + "]" : ip) + ":";
            out.add(prefix + host + ":" + ctr + "/" + proto);
        }
        return out;
    }

    private static int port(JsonNode m, String key, String at) {
        JsonNode v = m.get(key);
        if (v == null || !v.canConvertToInt() || v.asInt() < 1 || v.asInt() > 65535)
            throw new CniError(CniError.INVALID_CONFIG, at + "." + key + ": expected a port 1..65535, got " + v, "");
        return v.asInt();
    }
}
