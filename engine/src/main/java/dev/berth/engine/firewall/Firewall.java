package dev.berth.engine.firewall;

import java.util.List;

/**
 * The packet-filter side of the engine, in the host's namespace. Berth owns its own tables and never
 * edits anyone else's; every method is one atomic transaction: it happens entirely or not at all.
 * Drivers: {@link NftablesFirewall} (default) and {@link IptablesFirewall}.
 */
public interface Firewall extends AutoCloseable {
    /** Creates Berth's base tables and chains if they are missing; leaves existing content alone. */
    void init();

    /**
     * Makes Berth's tables hold exactly {@code networks} and {@code ports}, replacing whatever they
     * held (start-up repair, e.g. after {@code nft flush ruleset}).
     */
    void sync(List<NetworkRules> networks, List<PortRule> ports, List<EndpointGuard> guards);

    /** {@link #sync(List, List, List)} with no endpoint guarded. */
    default void sync(List<NetworkRules> networks, List<PortRule> ports) {
        sync(networks, ports, List.of());
    }

    /** Adds a network's masquerade, forwarding, isolation and icc rules; adding it again changes nothing. */
    void addNetwork(NetworkRules network);

    /** Removes what {@link #addNetwork} added for the same rules; removing an absent network is no error. */
    void removeNetwork(NetworkRules network);

    /**
     * Publishes the ports; fails with Conflict, without change, if any has the key (protocol, host
     * address or none, host port) of a published port. A port on one host address takes precedence
     * over a port on every address with the same number.
     */
    void addPorts(List<PortRule> ports);

    /** Unpublishes the ports; one that is not published is skipped. */
    void removePorts(List<PortRule> ports);

    /**
     * Anti-spoofing: from then on, frames entering the bridge by each guard's port are dropped unless
     * they carry its MAC and addresses (see {@link EndpointGuard}); adding a guard again changes nothing.
     */
    void addGuards(List<EndpointGuard> guards);

    /** Removes what {@link #addGuards} added for the same guards; removing an absent one is no error. */
    void removeGuards(List<EndpointGuard> guards);

    /**
     * {@link #addGuards} and {@link #addPorts} as one change: a port that is taken fails it (Conflict)
     * with no guard added either.
     */
    default void addGuardsAndPorts(List<EndpointGuard> guards, List<PortRule> ports) {
        addGuards(guards);
        try {
            addPorts(ports);
        } catch (RuntimeException e) {
            removeGuards(guards);
            throw e;
        }
    }

    /** Undoes {@link #addGuardsAndPorts}. */
    default void removeGuardsAndPorts(List<EndpointGuard> guards, List<PortRule> ports) {
        removePorts(ports);
        removeGuards(guards);
    }

    /** Deletes Berth's tables (uninstall, tests). */
    void removeAll();

    @Override
    void close();
}
