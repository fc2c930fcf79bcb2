package dev.berth.runtime.image;

import dev.berth.runtime.containerd.Containerd;
import dev.berth.runtime.containerd.api.leases.AddResourceRequest;
import dev.berth.runtime.containerd.api.leases.CreateRequest;
import dev.berth.runtime.containerd.api.leases.DeleteRequest;
import dev.berth.runtime.containerd.api.leases.LeasesGrpc;
import dev.berth.runtime.containerd.api.leases.ListRequest;
import dev.berth.runtime.containerd.api.leases.Resource;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A containerd lease (containerd's word; not a cluster {@code lease}, a host's subnet) held while an image is written: everything made through {@link #channel} (blobs,
 * ingests, snapshots) is kept from containerd's garbage collector until the lease goes. When the image
 * record and its gc labels are in place the lease is dropped; if berthd dies first, the next
 * {@link ImageStore#open} deletes the leftover lease and the collector takes what it protected.
 */
final class ContainerdLease implements AutoCloseable {
    static final String OWNER_LABEL = "dev.berth.owner";
    static final String OWNER = "images";
    private static final Metadata.Key<String> LEASE_KEY =
            Metadata.Key.of("containerd-lease", Metadata.ASCII_STRING_MARSHALLER);
    private final Containerd client;
    private final String id;
    private final Channel channel;

    private ContainerdLease(Containerd client, String id) {
        this.client = client;
        this.id = id;
        this.channel = ClientInterceptors.intercept(client.channelFor(client.namespace()), new LeaseHeader(id));
    }

    static ContainerdLease create(Containerd client, String purpose) {
        String id = "berth-" + purpose + "-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        client.leases()
                .create(CreateRequest.newBuilder()
                        .setId(id)
                        .putAllLabels(Map.of(
                                OWNER_LABEL,
                                OWNER,
                                // a lease nobody deletes (berthd gone for good) still ends
                                "containerd.io/gc.expire",
                                Instant.now()
                                        .plus(24, ChronoUnit.HOURS)
                                        .truncatedTo(ChronoUnit.SECONDS)
                                        .toString()))
                        .build());
        return new ContainerdLease(client, id);
    }

    /** Deletes the leases a previous berthd left behind (it died mid-pull, -load or -import). */
    static int removeLeftovers(Containerd client) {
        int n = 0;
        var list = client.leases()
                .list(ListRequest.newBuilder()
                        .addFilters("labels.\"" + OWNER_LABEL + "\"==" + OWNER)
                        .build());
        for (var l : list.getLeasesList()) {
            client.leases()
                    .delete(DeleteRequest.newBuilder()
                            .setId(l.getId())
                            .setSync(true)
                            .build());
            n++;
        }
        return n;
    }

    /** Adds content that was already in the store, so it stays while this lease holds the work that uses it. */
    void addContent(String digest) {
        client.leases()
                .addResource(AddResourceRequest.newBuilder()
                        .setId(id)
                        .setResource(Resource.newBuilder().setId(digest).setType("content"))
                        .build());
    }

    String id() {
        return id;
    }

    /** A channel whose calls run under this lease. */
    Channel channel() {
        return channel;
    }

    @Override
    public void close() {
        try {
            LeasesGrpc.newBlockingStub(client.channelFor(client.namespace()))
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .delete(DeleteRequest.newBuilder().setId(id).build());
        } catch (StatusRuntimeException e) {
            // it expires by itself, and the next open() removes it
        }
    }

    private record LeaseHeader(String id) implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    headers.put(LEASE_KEY, id);
                    super.start(listener, headers);
                }
            };
        }
    }
}
