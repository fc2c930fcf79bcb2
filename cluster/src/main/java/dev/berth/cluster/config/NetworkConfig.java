package dev.berth.cluster.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.model.BerthException;
import dev.berth.model.net.Cidr;
import java.util.Iterator;
import java.util.Set;

/**
 * The cluster network in flannel's format ({@code <prefix>/config} in etcd):
 * {@code {"Network":"10.5.0.0/16","SubnetLen":24,"SubnetMin":"10.5.1.0","SubnetMax":"10.5.255.0","Backend":{"Type":"vxlan"}}}.
 * Defaults and limits follow flannel: SubnetLen /24 when the network is /22 or larger, else network+2;
 * SubnetMin the second subnet, SubnetMax the last one.
 */
public record NetworkConfig(Cidr network, int subnetLen, Cidr subnetMin, Cidr subnetMax, BackendConfig backend) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KEYS = Set.of(
            "Network",
            "SubnetLen",
            "SubnetMin",
            "SubnetMax",
            "Backend",
            "EnableIPv4",
            "EnableIPv6",
            "IPv6Network",
            "EnableNFTables",
            "Hosts");

    /** Parses and checks a config; {@code source} (the etcd key or file) is named in every error. */
    public static NetworkConfig parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new BerthException.InvalidRequest(source, "is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject())
            throw new BerthException.InvalidRequest(
                    source,
                    "must be a JSON object like {\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"}}");
        return of(root, source);
    }

    static NetworkConfig of(JsonNode root, String source) {
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k))
                throw new BerthException.InvalidRequest(
                        source + ": " + k, "unknown key; known: Network, SubnetLen, SubnetMin, SubnetMax, Backend");
        }
        if (root.path("EnableIPv6").asBoolean(false))
            throw new BerthException.InvalidRequest(
                    source + ": EnableIPv6", "IPv6 cluster networks are not supported yet; use an IPv4 Network");
        String net = text(root, "Network", source);
        if (net == null)
            throw new BerthException.InvalidRequest(
                    source + ": Network", "is missing; give the cluster network, e.g. \"10.5.0.0/16\"");
        Cidr network = Cidr.parse(net, source + ": Network");
        if (!network.isIpv4()) throw new BerthException.InvalidRequest(source + ": Network", net + " is not IPv4");
        if (network.prefix() > 28)
            throw new BerthException.InvalidRequest(
                    source + ": Network", net + " is too small: the cluster network must be /28 or larger");
        int subnetLen = root.has("SubnetLen")
                ? number(root, "SubnetLen", source)
                : network.prefix() <= 22 ? 24 : network.prefix() + 2;
        if (subnetLen <= network.prefix())
            throw new BerthException.InvalidRequest(
                    source + ": SubnetLen",
                    "Network " + network + " is not larger than SubnetLen /"
                            + subnetLen + ": the network must hold several host subnets; use a SubnetLen between /"
                            + (network.prefix() + 1) + " and /30, or a larger Network");
        if (subnetLen > 30)
            throw new BerthException.InvalidRequest(
                    source + ": SubnetLen",
                    "/" + subnetLen + " leaves no room for containers; use /30 or larger (e.g. 24)");
        long size = Ip4.size(subnetLen);
        long base = Ip4.toLong(network.network());
        Cidr min = bound(
                root, "SubnetMin", source, network, subnetLen, base + (network.prefix() + 1 < subnetLen ? size : 0));
        Cidr max = bound(root, "SubnetMax", source, network, subnetLen, base + Ip4.size(network.prefix()) - size);
        if (Ip4.toLong(min.network()) > Ip4.toLong(max.network()))
            throw new BerthException.InvalidRequest(
                    source + ": SubnetMin",
                    min.network().getHostAddress() + " is above SubnetMax "
                            + max.network().getHostAddress());
        return new NetworkConfig(network, subnetLen, min, max, backend(root.path("Backend"), source));
    }

    private static Cidr bound(JsonNode root, String key, String source, Cidr network, int len, long fallback) {
        String v = text(root, key, source);
        if (v == null) return Ip4.subnet(fallback, len);
        Cidr c;
        try {
            c = Cidr.parse(v.contains("/") ? v : v + "/" + len, source + ": " + key);
        } catch (BerthException.InvalidRequest e) {
            throw new BerthException.InvalidRequest(
                    source + ": " + key, "'" + v + "' is not aligned to SubnetLen /" + len);
        }
        if (!network.contains(c))
            throw new BerthException.InvalidRequest(source + ": " + key, v + " is outside Network " + network);
        return Cidr.of(c.network(), len);
    }

    private static BackendConfig backend(JsonNode b, String source) {
        if (b.isMissingNode() || b.isNull())
            return new BackendConfig.Vxlan(BackendConfig.Vxlan.DEFAULT_VNI, BackendConfig.Vxlan.DEFAULT_PORT);
        if (!b.isObject())
            throw new BerthException.InvalidRequest(
                    source + ": Backend", "must be an object like {\"Type\":\"vxlan\"}");
        String type = b.path("Type").asText("vxlan");
        String where = source + ": Backend";
        return switch (type) {
            case "host-gw" -> new BackendConfig.HostGw();
            case "vxlan" -> {
                int vni = b.has("VNI") ? number(b, "VNI", where) : BackendConfig.Vxlan.DEFAULT_VNI;
                if (vni < 0 || vni > 0xffffff)
                    throw new BerthException.InvalidRequest(where + ".VNI", vni + " is outside 0..16777215");
                yield new BackendConfig.Vxlan(vni, port(b, where, BackendConfig.Vxlan.DEFAULT_PORT));
            }
            case "udp" -> {
                int queues = b.has("Queues")
                        ? number(b, "Queues", where)
                        : Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
                if (queues < 1 || queues > 64)
                    throw new BerthException.InvalidRequest(where + ".Queues", queues + " is outside 1..64");
                yield new BackendConfig.Udp(port(b, where, BackendConfig.Udp.DEFAULT_PORT), queues);
            }
            default ->
                throw new BerthException.InvalidRequest(
                        where + ".Type", "'" + type + "' is not a backend Berth has; use host-gw, vxlan or udp");
        };
    }

    private static int port(JsonNode b, String where, int fallback) {
        int p = b.has("Port") ? number(b, "Port", where) : fallback;
        if (p < 1 || p > 65535) throw new BerthException.InvalidRequest(where + ".Port", p + " is outside 1..65535");
        return p;
    }

    private static String text(JsonNode n, String key, String source) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw new BerthException.InvalidRequest(source + ": " + key, "must be a string");
        return v.asText();
    }

    private static int number(JsonNode n, String key, String source) {
        JsonNode v = n.get(key);
        if (!v.isInt())
            throw new BerthException.InvalidRequest(source + ": " + key, "must be a whole number, got " + v);
        return v.asInt();
    }

    /** The number of host subnets between SubnetMin and SubnetMax. */
    public long capacity() {
        return (Ip4.toLong(subnetMax.network()) - Ip4.toLong(subnetMin.network())) / Ip4.size(subnetLen) + 1;
    }

    /** True when {@code subnet} is one this config hands out (right length, inside min..max). */
    public boolean fits(Cidr subnet) {
        long s = Ip4.toLong(subnet.network());
        return subnet.prefix() == subnetLen
                && s >= Ip4.toLong(subnetMin.network())
                && s <= Ip4.toLong(subnetMax.network());
    }
}
