package dev.berth.engine.request;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** {@code network create}: what the user asked for, unvalidated. An empty subnet list means "pick one". */
public record NetworkRequest(
        String name,
        String driver,
        List<SubnetRequest> subnets,
        boolean ipv6,
        boolean internal,
        boolean attachable,
        Map<String, String> options,
        Map<String, String> labels) {
    public NetworkRequest {
        driver = driver == null || driver.isBlank() ? "bridge" : driver;
        subnets = subnets == null ? List.of() : List.copyOf(subnets);
        options = options == null ? Map.of() : Map.copyOf(options);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    public static NetworkRequest bridge(String name, String... subnets) {
        return new NetworkRequest(
                name,
                "bridge",
                Arrays.stream(subnets).map(SubnetRequest::of).toList(),
                false,
                false,
                false,
                Map.of(),
                Map.of());
    }

    public NetworkRequest withOptions(Map<String, String> o) {
        return new NetworkRequest(name, driver, subnets, ipv6, internal, attachable, o, labels);
    }

    public NetworkRequest withInternal() {
        return new NetworkRequest(name, driver, subnets, ipv6, true, attachable, options, labels);
    }

    public NetworkRequest withIpv6() {
        return new NetworkRequest(name, driver, subnets, true, internal, attachable, options, labels);
    }
}
