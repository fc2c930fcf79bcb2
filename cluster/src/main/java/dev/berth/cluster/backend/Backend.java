package dev.berth.cluster.backend;

import dev.berth.cluster.config.NetworkConfig;
import dev.berth.cluster.lease.Lease;
import dev.berth.cluster.lease.LeaseAttrs;
import java.util.Collection;

/**
 * How this host reaches the other hosts' container subnets. The agent calls it from one thread:
 * {@link #start} once its lease is known, then {@link #addPeer}/{@link #removePeer} for every change
 * the watch reports. All kernel changes go through rtnetlink in the agent's host namespace.
 */
public interface Backend extends AutoCloseable {
    /** Route protocol number marking the routes the cluster agent installs (shown by {@code ip route} as {@code proto 98}). */
    int RTPROT_BERTH = 98;

    String type();

    /** The MTU containers should use (the underlay's, less the encapsulation). */
    int mtu();

    /** What this host publishes in its lease (PublicIP, BackendType, BackendData). */
    LeaseAttrs attrs();

    /** Sets up the local side (devices, addresses) for this host's lease; repeated after a re-acquire. */
    void start(Lease own, NetworkConfig config);

    /** Routes to a peer's subnet, replacing what was there; throws {@link PeerRefused} when it cannot. */
    void addPeer(Lease peer);

    /** Stops routing to a peer's subnet; absent entries are no error. */
    void removePeer(Lease peer);

    /** Removes what the backend finds in the kernel for subnets that are not in {@code peers} (left by an earlier run). */
    void prune(Collection<Lease> peers);

    /** Removes everything the backend made (the host leaves the cluster). */
    void teardown();

    /** Stops threads; the kernel state stays so that traffic keeps flowing across an agent restart. */
    @Override
    void close();

    /** A peer this backend cannot route to, with the reason. */
    final class PeerRefused extends RuntimeException {
        public PeerRefused(String message) {
            super(message);
        }
    }
}
