package dev.berth.engine.driver;

import dev.berth.engine.model.Network;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.tx.Teardown;
import dev.berth.engine.tx.Transaction;
import dev.berth.model.Endpoint;
import dev.berth.model.MacAddress;
import dev.berth.netlink.route.Route;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * Docker's predefined {@code host} and {@code none} networks: containers join them by network mode (the
 * host's namespace, or one with only lo), so they have no kernel side and take no endpoints.
 */
public final class NoEndpointsDriver implements NetworkDriver {

    @Override
    public boolean takesEndpoints() {
        return false;
    }

    @Override
    public boolean routedThroughHost() {
        return false;
    }

    @Override
    public void validateEndpoint(Network n, EndpointRequest r, Supplier<List<Endpoint>> existing) {
        throw new IllegalStateException("network " + n.name() + " takes no endpoints");
    }

    @Override
    public MacAddress endpointMac(Network n, MacAddress wanted) {
        return wanted;
    }

    @Override
    public String hostIfName(String endpointId) {
        return null;
    }

    @Override
    public void createNetwork(Network n, boolean adopted, Transaction tx) {
        // nothing in the kernel
    }

    @Override
    public void removeNetwork(Network n, boolean adopted, Collection<Network> remaining, Teardown td) {
        // nothing in the kernel
    }

    @Override
    public List<Route> gatewayRoutes(Network n, Endpoint ep, int index) {
        return List.of();
    }

    @Override
    public void attach(Network n, Endpoint ep, SandboxKernel sbx, boolean gatewayRoute, Transaction tx) {
        throw new IllegalStateException("network " + n.name() + " takes no endpoints");
    }

    @Override
    public void detach(Endpoint ep, SandboxKernel sbx) {
        // it never had any
    }

    @Override
    public boolean isIntact(Network n, Endpoint ep, SandboxKernel sbx, HostLinks host) {
        return true;
    }

    @Override
    public void repair(Collection<Network> active, Collection<Network> adopted, HostLinks host) {
        // nothing to repair
    }
}
