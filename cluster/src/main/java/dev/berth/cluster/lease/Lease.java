package dev.berth.cluster.lease;

import dev.berth.model.net.Cidr;
import java.time.Instant;

/**
 * One host's subnet lease.
 *
 * @param etcdLease the etcd lease that keeps the key alive, or 0 for a reservation / static host (never expires)
 * @param expires   when the lease runs out unless renewed, or null when it never does
 * @param revision  the etcd modification revision of the key (0 in static mode)
 */
public record Lease(Cidr subnet, LeaseAttrs attrs, long etcdLease, Instant expires, long revision) {
    public String key() {
        return SubnetKey.of(subnet);
    }

    public Lease withExpires(Instant e) {
        return new Lease(subnet, attrs, etcdLease, e, revision);
    }
}
