package dev.berth.runtime.containerd;

import com.google.protobuf.Empty;
import dev.berth.model.log.Log;
import dev.berth.runtime.containerd.api.containers.ContainersGrpc;
import dev.berth.runtime.containerd.api.content.ContentGrpc;
import dev.berth.runtime.containerd.api.diff.DiffGrpc;
import dev.berth.runtime.containerd.api.eventsvc.EventsGrpc;
import dev.berth.runtime.containerd.api.images.ImagesGrpc;
import dev.berth.runtime.containerd.api.leases.LeasesGrpc;
import dev.berth.runtime.containerd.api.namespaces.NamespacesGrpc;
import dev.berth.runtime.containerd.api.snapshots.SnapshotsGrpc;
import dev.berth.runtime.containerd.api.tasks.TasksGrpc;
import dev.berth.runtime.containerd.api.version.VersionGrpc;
import dev.berth.runtime.containerd.api.version.VersionResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A gRPC client of containerd over its Unix socket. Every call carries the metadata
 * {@code containerd-namespace} (Berth's objects live in one namespace, "berth" by default, and never
 * see other clients'), and unary calls get a deadline so a hung containerd surfaces as an error
 * instead of a stuck daemon thread. Stubs are created per call, cheap in gRPC-java, so each one
 * gets a fresh deadline.
 */
public final class Containerd implements AutoCloseable {
    /** The namespace metadata key containerd reads on every request. */
    public static final Metadata.Key<String> NAMESPACE_KEY =
            Metadata.Key.of("containerd-namespace", Metadata.ASCII_STRING_MARSHALLER);
    /** Deadline of unary calls unless a caller asks for another one. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);
    /** Chunk size of content writes: well under gRPC's 4 MiB message limit. */

    // gRPC asks every channel for SO_KEEPALIVE, which a Unix socket has not: Netty would log a warning per
    // connection (from the client Bootstrap's logger: the API server's ServerBootstrap keeps its own). Held
    // in a field: the logging framework keeps loggers only weakly.
    private static final Logger BOOTSTRAP_LOG = Logger.getLogger("io.netty.bootstrap.Bootstrap");

    static {
        BOOTSTRAP_LOG.setLevel(Level.SEVERE);
    }

    private final Path socket;
    private final String namespace;
    private final EventLoopGroup group;
    private final ManagedChannel managed;
    private final Channel channel;

    private Containerd(Path socket, String namespace) {
        this.socket = socket;
        this.namespace = namespace;
        this.group = new EpollEventLoopGroup(1);
        this.managed = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(group)
                .channelType(EpollDomainSocketChannel.class)
                .overrideAuthority("localhost")
                .usePlaintext()
                .maxInboundMessageSize(16 << 20)
                .build();
        this.channel =
                ClientInterceptors.intercept(managed, new NamespaceInterceptor(namespace), new TimingInterceptor());
    }

    /** Connects (lazily: the first call dials) to containerd at {@code address}, "unix://PATH" or a plain path. */
    public static Containerd connect(String address, String namespace) {
        String path = address.startsWith("unix://") ? address.substring("unix://".length()) : address;
        if (path.isEmpty()) {
            throw new IllegalArgumentException("containerd address: empty socket path in '" + address + "'");
        }
        return new Containerd(Path.of(path), namespace);
    }

    public static Containerd connect(Path socket, String namespace) {
        return new Containerd(socket, namespace);
    }

    public Path socket() {
        return socket;
    }

    public String namespace() {
        return namespace;
    }

    /** The same connection speaking for another containerd namespace (shares the channel; do not close it). */
    public Channel channelFor(String otherNamespace) {
        return ClientInterceptors.intercept(managed, new NamespaceInterceptor(otherNamespace), new TimingInterceptor());
    }

    public VersionResponse version() {
        return deadline(VersionGrpc.newBlockingStub(channel)).version(Empty.getDefaultInstance());
    }

    public ContainersGrpc.ContainersBlockingStub containers() {
        return deadline(ContainersGrpc.newBlockingStub(channel));
    }

    public TasksGrpc.TasksBlockingStub tasks() {
        return deadline(TasksGrpc.newBlockingStub(channel));
    }

    /** Tasks stub without deadline, for Wait (it returns when the process exits). */
    public TasksGrpc.TasksBlockingStub tasksNoDeadline() {
        return TasksGrpc.newBlockingStub(channel);
    }

    public ContentGrpc.ContentBlockingStub content() {
        return deadline(ContentGrpc.newBlockingStub(channel));
    }

    /** The async content stub: streaming reads and writes of large blobs have no fixed deadline. */
    public ContentGrpc.ContentStub contentAsync() {
        return ContentGrpc.newStub(channel);
    }

    public ImagesGrpc.ImagesBlockingStub images() {
        return deadline(ImagesGrpc.newBlockingStub(channel));
    }

    public SnapshotsGrpc.SnapshotsBlockingStub snapshots() {
        return deadline(SnapshotsGrpc.newBlockingStub(channel));
    }

    /** Diff stub with a long deadline: applying a big layer takes a while. */
    public DiffGrpc.DiffBlockingStub diff() {
        return DiffGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.MINUTES);
    }

    public LeasesGrpc.LeasesBlockingStub leases() {
        return deadline(LeasesGrpc.newBlockingStub(channel));
    }

    public NamespacesGrpc.NamespacesBlockingStub namespaces() {
        return deadline(NamespacesGrpc.newBlockingStub(channel));
    }

    /** Events stub without deadline: a subscription lives as long as the caller wants it. */
    public EventsGrpc.EventsStub events() {
        return EventsGrpc.newStub(channel);
    }

    public EventsGrpc.EventsBlockingStub eventsBlocking() {
        return EventsGrpc.newBlockingStub(channel);
    }

    /** Waits until containerd answers Version, or fails after {@code timeout}. */
    public VersionResponse awaitReady(Duration timeout) throws TimeoutException {
        long end = System.nanoTime() + timeout.toNanos();
        StatusRuntimeException last = null;
        while (System.nanoTime() < end) {
            try {
                return VersionGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(2, TimeUnit.SECONDS)
                        .withWaitForReady()
                        .version(Empty.getDefaultInstance());
            } catch (StatusRuntimeException e) {
                last = e;
                sleep(50);
            }
        }
        throw new TimeoutException("containerd at " + socket + " did not answer within " + timeout
                + (last == null ? "" : ": " + last.getStatus()));
    }

    private static <S extends AbstractStub<S>> S deadline(S stub) {
        return stub.withDeadlineAfter(DEFAULT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        managed.shutdownNow();
        try {
            managed.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /**
     * At debug level (berthd's {@code --log-level debug}), logs every call to containerd with its duration: where a container operation's round trips go.
     */
    private static final class TimingInterceptor implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            if (!Log.enabled(Log.Level.DEBUG)) return next.newCall(method, options);
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    long t0 = System.nanoTime();
                    super.start(
                            new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                                @Override
                                public void onClose(Status status, Metadata trailers) {
                                    Log.debug(
                                            "containerd call",
                                            "method",
                                            method.getBareMethodName(),
                                            "service",
                                            method.getServiceName(),
                                            "code",
                                            status.getCode(),
                                            "us",
                                            (System.nanoTime() - t0) / 1000);
                                    super.onClose(status, trailers);
                                }
                            },
                            headers);
                }
            };
        }
    }

    /** Adds the containerd namespace header to every call. */
    private record NamespaceInterceptor(String namespace) implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    headers.put(NAMESPACE_KEY, namespace);
                    super.start(listener, headers);
                }
            };
        }
    }
}
