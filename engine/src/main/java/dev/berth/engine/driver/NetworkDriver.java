package dev.berth.engine.driver;

import dev.berth.engine.model.Network;
import dev.berth.engine.model.SubnetConfig;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.tx.Teardown;
import dev.berth.engine.tx.Transaction;
import dev.berth.model.Endpoint;
import dev.berth.model.MacAddress;
import dev.berth.netlink.route.Route;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * What a network driver does in the kernel, for the engine and for start-up reconcile alike: validate,
 * create and remove a network, attach and detach an endpoint, check and repair. The engine picks one per
 * network from its {@link dev.berth.engine.model.DriverKind} ({@link Drivers#of}) and does not branch on
 * the kind itself. Removals are quiet about objects that are already gone.
 */
public sealed interface NetworkDriver permits BridgeDriver, LanDriver, NoEndpointsDriver {

    /** Whether sandboxes can have endpoints on networks of this driver (host and none have none). */
    boolean takesEndpoints();

    /**
     * Whether the network's traffic is routed through the host, and so passes Berth's firewall: masquerade,
     * isolation between networks, anti-spoofing, published ports. Containers on a LAN are not.
     */
    boolean routedThroughHost();

    /** Refuses an endpoint the network cannot take, before anything is allocated; {@code existing} gives its endpoints (a scan: asked only when needed). */
    void validateEndpoint(Network n, EndpointRequest r, Supplier<List<Endpoint>> existing);

    /** The subnet a new endpoint's IPv4 address comes from, given the address asked for (or null). */
    default SubnetConfig ipv4SubnetFor(Network n, InetAddress requested) {
        return n.ipv4();
    }

    /** The MAC address a new endpoint gets: {@code wanted}, unless the driver imposes another. */
    MacAddress endpointMac(Network n, MacAddress wanted);

    /** The host-side interface of a new endpoint (its veth end), or null when it has none on the host. */
    String hostIfName(String endpointId);

    /** Builds the network's kernel side (a bridge, a parent link) in the caller's transaction; an adopted bridge is reused. */
    void createNetwork(Network n, boolean adopted, Transaction tx);

    /** Removes the network's kernel side, best effort; {@code remaining} are the networks that stay. */
    void removeNetwork(Network n, boolean adopted, Collection<Network> remaining, Teardown td);

    /** Builds the endpoint in the sandbox's namespace, with the default route when {@code gatewayRoute}. */
    void attach(Network n, Endpoint ep, SandboxKernel sbx, boolean gatewayRoute, Transaction tx);

    /**
     * The default routes the endpoint gives its sandbox when it is the sandbox's gateway endpoint (its link
     * has index {@code index} inside); none when it has no gateway for either family.
     */
    List<Route> gatewayRoutes(Network n, Endpoint ep, int index);

    /** Deletes the endpoint's links; {@code sbx} is null when the sandbox's namespace is gone (and its links with it). */
    void detach(Endpoint ep, SandboxKernel sbx);

    /**
     * Makes the endpoint's links unusable and invisible without deleting them, so that {@link #detach} can run
     * later, off the caller's path: true when done, false when this driver deletes at once (the caller then
     * detaches).
     */
    default boolean retire(Network n, Endpoint ep, SandboxKernel sbx) {
        return false;
    }

    /** Start-up: true when the endpoint's links are there and wired as {@link #attach} left them. */
    boolean isIntact(Network n, Endpoint ep, SandboxKernel sbx, HostLinks host);

    /**
     * Start-up: rebuilds the kernel side of this driver's active networks where it vanished (never an adopted
     * one), and removes what the driver made for networks that are gone.
     */
    void repair(Collection<Network> active, Collection<Network> adopted, HostLinks host);
}
