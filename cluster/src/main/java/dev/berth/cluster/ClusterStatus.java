package dev.berth.cluster;

import dev.berth.model.net.Cidr;
import java.time.Instant;
import java.util.List;

/**
 * What {@code berth cluster status} and {@code berth cluster leases} show.
 *
 * @param store        where the leases live ({@code etcd [10.0.0.10:2379] prefix /coreos.com/network} or {@code static FILE})
 * @param storeHealthy the store answered the agent's last request
 * @param self         this host's lease
 * @param peers        the other hosts, each with whether it is routed
 * @param lastError    the last problem the agent met (etcd unreachable, a refused peer, a lost lease), or null
 */
public record ClusterStatus(
        String store,
        boolean storeHealthy,
        Cidr network,
        String backend,
        int mtu,
        Host self,
        List<Host> peers,
        String lastError) {

    /**
     * One host's lease.
     *
     * @param expires when the lease runs out unless renewed (null: never, or unknown for a peer)
     * @param state   {@code routed}, {@code self}, or {@code refused: <why>}
     */
    public record Host(Cidr subnet, String publicIp, String backend, Instant expires, String state) {}
}
