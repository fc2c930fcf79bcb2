package dev.berth.engine.request;

import java.util.Map;

/** One IPAM.Config entry as a user writes it; the engine validates every field and names it in errors. */
public record SubnetRequest(String subnet, String gateway, String ipRange, Map<String, String> auxAddresses) {
    public SubnetRequest {
        auxAddresses = auxAddresses == null ? Map.of() : Map.copyOf(auxAddresses);
    }

    public static SubnetRequest of(String subnet) {
        return new SubnetRequest(subnet, null, null, Map.of());
    }
}
