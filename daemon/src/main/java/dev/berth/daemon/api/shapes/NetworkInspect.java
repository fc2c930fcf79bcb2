package dev.berth.daemon.api.shapes;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** {@code GET /networks/{id}} and each entry of {@code GET /networks}: Docker's NetworkResource (its Containers only on inspect). */
public record NetworkInspect(
        @JsonProperty("Name") String name,
        @JsonProperty("Id") String id,
        @JsonProperty("Created") String created,
        @JsonProperty("Scope") String scope,
        @JsonProperty("Driver") String driver,
        @JsonProperty("EnableIPv4") boolean enableIpv4,
        @JsonProperty("EnableIPv6") boolean enableIpv6,
        @JsonProperty("IPAM") Ipam ipam,
        @JsonProperty("Internal") boolean internal,
        @JsonProperty("Attachable") boolean attachable,
        @JsonProperty("Ingress") boolean ingress,
        @JsonProperty("ConfigFrom") ConfigFrom configFrom,
        @JsonProperty("ConfigOnly") boolean configOnly,
        @JsonProperty("Containers") Map<String, Endpoint> containers,
        @JsonProperty("Options") Map<String, String> options,
        @JsonProperty("Labels") Map<String, String> labels) {

    public record Ipam(
            @JsonProperty("Driver") String driver,
            @JsonProperty("Options") Map<String, String> options,
            @JsonProperty("Config") List<IpamConfig> config) {}

    /** One subnet; the optional fields are left out when unset, as Docker does. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record IpamConfig(
            @JsonProperty("Subnet") String subnet,
            @JsonProperty("IPRange") String ipRange,
            @JsonProperty("Gateway") String gateway,
            @JsonProperty("AuxiliaryAddresses") Map<String, String> auxiliaryAddresses) {}

    public record ConfigFrom(@JsonProperty("Network") String network) {
        public static final ConfigFrom NONE = new ConfigFrom("");
    }

    /** A container (or another runtime's sandbox) on the network. */
    public record Endpoint(
            @JsonProperty("Name") String name,
            @JsonProperty("EndpointID") String endpointId,
            @JsonProperty("MacAddress") String macAddress,
            @JsonProperty("IPv4Address") String ipv4Address,
            @JsonProperty("IPv6Address") String ipv6Address) {}

    /** {@code POST /networks/create}'s answer. */
    public record Created(
            @JsonProperty("Id") String id,
            @JsonProperty("Warning") String warning) {}

    /** {@code POST /networks/prune}'s answer. */
    public record Pruned(@JsonProperty("NetworksDeleted") List<String> networksDeleted) {}
}
