package dev.berth.cluster.lease;

import dev.berth.model.net.Cidr;

/** A change of the cluster's leases, as a watch reports it. */
public sealed interface LeaseEvent {
    Cidr subnet();

    /** A lease was created or its value changed (a host joined, restarted or changed its address). */
    record Added(Lease lease) implements LeaseEvent {
        @Override
        public Cidr subnet() {
            return lease.subnet();
        }
    }

    /** A lease was deleted or expired (the host left or stopped renewing). */
    record Removed(Cidr subnet) implements LeaseEvent {}

    /** The watch lost track (compaction, reconnect): the consumer should re-list every lease. */
    record Resync(Cidr subnet) implements LeaseEvent {}
}
