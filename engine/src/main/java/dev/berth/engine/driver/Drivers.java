package dev.berth.engine.driver;

import dev.berth.engine.model.Network;
import dev.berth.model.Endpoint;
import java.util.List;

/** The engine's drivers, one per kind of network. */
public record Drivers(BridgeDriver bridge, LanDriver lan, NoEndpointsDriver none) {

    /** The driver of a network, chosen by its kind. */
    public NetworkDriver of(Network n) {
        return switch (n.driver()) {
            case BRIDGE -> bridge;
            case MACVLAN, IPVLAN -> lan;
            case HOST, NULL -> none;
        };
    }

    /**
     * The driver of an endpoint whose network may be gone (start-up, after a crash inside a removal): its
     * network's when known, else told by where its link lives (a veth end on the host is a bridge's).
     */
    public NetworkDriver ofEndpoint(Network n, Endpoint e) {
        if (n != null) return of(n);
        return e.hostIfName() != null ? bridge : lan;
    }

    public List<NetworkDriver> all() {
        return List.of(bridge, lan, none);
    }
}
