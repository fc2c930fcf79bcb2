package dev.berth.engine.firewall;

import dev.berth.model.BerthException;
import dev.berth.model.log.Log;
import java.util.List;

/**
 * {@code dockerd --iptables=false}: Berth writes no packet-filter rule at all, so nothing is masqueraded,
 * isolated or guarded, as with dockerd. Publishing a port is refused: Berth publishes ports only with
 * firewall rules (it has no userland proxy to fall back on, as dockerd does).
 */
public final class NoFirewall implements Firewall {
    @Override
    public void init() {}

    @Override
    public void sync(List<NetworkRules> networks, List<PortRule> ports, List<EndpointGuard> guards) {
        if (!ports.isEmpty())
            Log.warn(
                    "ports published before berthd ran with --iptables=false are not published now",
                    "ports",
                    ports.size());
    }

    @Override
    public void addNetwork(NetworkRules network) {}

    @Override
    public void removeNetwork(NetworkRules network) {}

    @Override
    public void addPorts(List<PortRule> ports) {
        if (!ports.isEmpty())
            throw new BerthException.InvalidRequest(
                    "HostConfig.PortBindings",
                    "berthd runs with --iptables=false: Berth publishes ports only with firewall rules"
                            + " (it has no userland proxy); run the container without -p/-P or berthd without --iptables=false");
    }

    @Override
    public void removePorts(List<PortRule> ports) {}

    @Override
    public void addGuards(List<EndpointGuard> guards) {}

    @Override
    public void removeGuards(List<EndpointGuard> guards) {}

    @Override
    public void removeAll() {}

    @Override
    public void close() {}
}
