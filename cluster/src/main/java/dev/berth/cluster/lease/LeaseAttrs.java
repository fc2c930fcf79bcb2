package dev.berth.cluster.lease;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.model.net.IpPrefix;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * What a host publishes with its lease, in flannel's JSON:
 * {@code {"PublicIP":"192.168.64.3","PublicIPv6":null,"BackendType":"vxlan","BackendData":{"VNI":1,"VtepMAC":"..."}}}.
 *
 * @param backendData backend-specific data (vxlan: VNI and VtepMAC), or an empty object
 */
public record LeaseAttrs(InetAddress publicIp, String backendType, JsonNode backendData) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public LeaseAttrs {
        backendData = backendData == null ? NullNode.getInstance() : backendData;
    }

    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("PublicIP", publicIp.getHostAddress());
        o.putNull("PublicIPv6");
        o.put("BackendType", backendType);
        if (!backendData.isNull() && !backendData.isMissingNode()) o.set("BackendData", backendData);
        return o.toString();
    }

    /** Parses a lease value; flannel's udp backend leaves BackendType out, which means udp. */
    public static LeaseAttrs parse(String json, String key) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("lease " + key + " is not JSON: " + e.getOriginalMessage());
        }
        String ip = n == null ? null : n.path("PublicIP").asText(null);
        if (ip == null) throw new IllegalArgumentException("lease " + key + " has no PublicIP");
        InetAddress a = IpPrefix.literal(ip, "lease " + key + " PublicIP");
        if (!(a instanceof Inet4Address))
            throw new IllegalArgumentException("lease " + key + ": PublicIP " + ip + " is not IPv4");
        return new LeaseAttrs(a, n.path("BackendType").asText("udp"), n.path("BackendData"));
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }
}
