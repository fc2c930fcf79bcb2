package dev.berth.cluster.lease;

import dev.berth.cluster.config.NetworkConfig;
import dev.berth.model.net.Cidr;
import java.util.List;
import java.util.function.Consumer;

/** Where the cluster's config and subnet leases live: etcd, or a static file. */
public interface LeaseStore extends AutoCloseable {
    /** The cluster config; fails with a message naming the key or file when it is missing or wrong. */
    NetworkConfig config();

    /**
     * Takes a subnet for the host with {@code attrs}: its own lease when one carries the same PublicIP,
     * else {@code previous} if free, else a free subnet. Atomic: no two hosts ever hold one subnet.
     */
    Lease acquire(NetworkConfig config, LeaseAttrs attrs, Cidr previous);

    /** Renews the lease; returns it with the new expiry; throws {@link LeaseLostException} when it is gone. */
    Lease renew(Lease lease);

    /** Every lease, and the store revision they were read at (for {@link #watch}). */
    Snapshot list();

    record Snapshot(List<Lease> leases, long revision) {}

    /** Streams changes after {@code revision} to {@code events} until closed; reconnects by itself. */
    AutoCloseable watch(long revision, Consumer<LeaseEvent> events);

    /** Gives the lease up (the host leaves the cluster). */
    void release(Lease lease);

    /** A description for status and errors ({@code etcd://10.0.0.10:2379}, {@code static:/etc/berth/cluster.json}). */
    String describe();

    /** True when the store answered the last request. */
    boolean healthy();

    @Override
    void close();

    /** The lease has expired or was deleted: the host must acquire again. */
    final class LeaseLostException extends RuntimeException {
        public LeaseLostException(String message) {
            super(message);
        }
    }
}
