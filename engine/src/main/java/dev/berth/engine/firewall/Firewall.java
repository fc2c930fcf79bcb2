package dev.berth.engine.firewall;

import java.util.List;

/**
 * The packet-filter side of the engine, in the host's namespace. Berth owns its own tables and never
 * edits anyone else's; every method is one atomic transaction: it happens entirely or not at all.
 */
public interface Firewall extends AutoCloseable {
    /** Creates Berth's base tables and chains if they are missing; leaves existing content alone. */
    void init();

    /**
     * Makes Berth's tables hold exactly {@code networks} and {@code ports}, replacing whatever they
     * held (start-up repair, e.g. after {@code nft flush ruleset}).
     */
    void sync(List<NetworkRules> networks, List<PortRule> ports);

    void addNetwork(NetworkRules network);

    void removeNetwork(NetworkRules network);

    /** Publishes the ports; fails without change if any is already published. */
    void addPorts(List<PortRule> ports);

    void removePorts(List<PortRule> ports);

    /** Deletes Berth's tables (uninstall, tests). */
    void removeAll();

    @Override
    void close();
}
