package dev.berth.engine;

import dev.berth.engine.driver.NetworkDriver;
import dev.berth.engine.model.Network;
import dev.berth.model.Endpoint;
import dev.berth.netlink.route.Route;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Which of a sandbox's endpoints gives its default routes, and so carries its published ports: Docker
 * 28's rule (libnetwork's endpoint order and gateway selection, Engine API 1.48's {@code GwPriority}).
 * Endpoints are ordered by GwPriority, highest first; then endpoints of internal networks last; then
 * those with gateways of both families before one, before none; then by network name. The first
 * endpoint with gateways of both families gives both routes; otherwise the first with an IPv4 gateway
 * gives the IPv4 route and the first with an IPv6 gateway the IPv6 one.
 */
final class GatewayOrder {
    private final Function<String, Network> networks;
    private final Function<Network, NetworkDriver> drivers;

    GatewayOrder(Function<String, Network> networks, Function<Network, NetworkDriver> drivers) {
        this.networks = networks;
        this.drivers = drivers;
    }

    /** The endpoints that give the IPv4 and the IPv6 default route; either may be null. */
    record Gateways(Endpoint v4, Endpoint v6) {
        static final Gateways NONE = new Gateways(null, null);

        boolean gives(Endpoint e) {
            return e.equals(v4) || e.equals(v6);
        }
    }

    Gateways select(List<Endpoint> endpoints) {
        Endpoint v4 = null, v6 = null;
        for (Endpoint e : endpoints.stream()
                .filter(e -> network(e) != null)
                .sorted(order())
                .toList()) {
            boolean has4 = has(e, false), has6 = has(e, true);
            if (has4 && has6) return new Gateways(e, e);
            if (has4 && v4 == null) v4 = e;
            if (has6 && v6 == null) v6 = e;
        }
        return v4 == null && v6 == null ? Gateways.NONE : new Gateways(v4, v6);
    }

    private Comparator<Endpoint> order() {
        return Comparator.comparingInt((Endpoint e) -> -e.gwPriority())
                .thenComparing(e -> network(e).internal())
                .thenComparingInt(e -> -((has(e, false) ? 1 : 0) + (has(e, true) ? 1 : 0)))
                .thenComparing(e -> network(e).name());
    }

    private boolean has(Endpoint e, boolean ipv6) {
        Network n = network(e);
        for (Route r : drivers.apply(n).gatewayRoutes(n, e, 0)) if (r.ipv6() == ipv6) return true;
        return false;
    }

    private Network network(Endpoint e) {
        return networks.apply(e.networkId());
    }
}
