package dev.berth.cluster.etcd;

import dev.berth.cluster.config.NetworkConfig;
import dev.berth.cluster.lease.Lease;
import dev.berth.cluster.lease.LeaseAttrs;
import dev.berth.cluster.lease.LeaseEvent;
import dev.berth.cluster.lease.LeaseStore;
import dev.berth.cluster.lease.SubnetAllocator;
import dev.berth.cluster.lease.SubnetKey;
import dev.berth.model.BerthException;
import dev.berth.model.net.Cidr;
import dev.berth.netlink.ns.NetnsHandle;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Leases in etcd v3 under flannel's layout: {@code <prefix>/config} and {@code <prefix>/subnets/10.5.52.0-24}.
 * A lease is created only if its key has never existed (a transaction on version 0) and is bound to an
 * etcd lease with a TTL, so a host that stops renewing loses its subnet and nobody else can take it first.
 * The client's sockets are opened in the agent's host namespace.
 */
public final class EtcdLeaseStore implements LeaseStore {
    private static final Logger LOG = Logger.getLogger(EtcdLeaseStore.class.getName());
    private static final int RACE_RETRIES = 10;
    private static final long TIMEOUT_MS = 5000;
    private static final int CONFIG_ATTEMPTS = 3;

    private final List<URI> endpoints;
    private final String prefix;
    private final Duration ttl;
    private final Vertx vertx;
    private final Client client;
    private volatile boolean healthy = true;

    /** Connects (lazily) to {@code endpoints} ({@code http://10.0.0.10:2379}) from {@code netns}. */
    public EtcdLeaseStore(List<URI> endpoints, String prefix, Duration ttl, NetnsHandle netns) {
        this.endpoints = List.copyOf(endpoints);
        this.prefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        this.ttl = ttl;
        this.vertx = Vertx.builder().withTransport(NetnsTransport.in(netns)).build();
        this.client = Client.builder()
                .endpoints(endpoints.toArray(URI[]::new))
                .vertx(vertx)
                .useVertx()
                .connectTimeout(Duration.ofSeconds(2))
                .retryMaxDuration(Duration.ofSeconds(4))
                .build();
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private String subnetsPrefix() {
        return prefix + "/subnets/";
    }

    private String keyOf(Cidr subnet) {
        return subnetsPrefix() + SubnetKey.of(subnet);
    }

    @Override
    public NetworkConfig config() {
        String key = prefix + "/config";
        GetResponse r = null;
        // The first call also connects, which on a busy host can outlast a routine call's timeout: a few tries
        // (flanneld retries this read forever; an etcd that refuses or is absent still fails at once).
        for (int attempt = 1; r == null; attempt++) {
            try {
                r = await(client.getKVClient().get(bytes(key)), "read " + key);
            } catch (BerthException.Failed e) {
                if (!(e.getCause() instanceof TimeoutException) || attempt == CONFIG_ATTEMPTS) throw e;
                LOG.warning(e.getMessage() + "; trying again (" + attempt + "/" + CONFIG_ATTEMPTS + ")");
            }
        }
        if (r.getKvs().isEmpty())
            throw new BerthException.InvalidRequest(
                    key,
                    "cluster config not found in etcd " + endpoints + "; create it, e.g. " + "etcdctl put " + key
                            + " '{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"}}'");
        return NetworkConfig.parse(r.getKvs().getFirst().getValue().toString(StandardCharsets.UTF_8), key);
    }

    @Override
    public Lease acquire(NetworkConfig config, LeaseAttrs attrs, Cidr previous) {
        for (int attempt = 0; attempt < RACE_RETRIES; attempt++) {
            Snapshot snap = list();
            Lease own = null;
            List<Cidr> taken = new ArrayList<>();
            for (Lease l : snap.leases()) {
                if (l.attrs().publicIp().equals(attrs.publicIp()) && own == null) own = l;
                else taken.add(l.subnet());
            }
            if (own != null) {
                if (config.fits(own.subnet()) || own.etcdLease() == 0) {
                    Lease reused = takeOver(own, attrs);
                    if (reused != null) return reused;
                    continue; // it expired or changed under us: look again
                }
                deleteIf(own); // from an older config: give it back
            }
            Cidr want =
                    previous != null && config.fits(previous) && taken.stream().noneMatch(previous::overlaps)
                            ? previous
                            : SubnetAllocator.pick(config, taken);
            if (want == null)
                throw new BerthException.Conflict("out of subnets: all " + config.capacity() + " /" + config.subnetLen()
                        + " subnets of " + config.network() + " between SubnetMin and SubnetMax are leased");
            Lease made = create(want, attrs);
            if (made != null) return made;
        }
        throw new BerthException.Failed(
                "could not lease a subnet after " + RACE_RETRIES + " tries: other hosts kept taking the same ones",
                null);
    }

    /** Our lease from before a restart: keep its subnet, refresh its TTL, publish the current attributes. */
    private Lease takeOver(Lease own, LeaseAttrs attrs) {
        Instant expires = null;
        if (own.etcdLease() != 0) {
            try {
                long left = await(client.getLeaseClient().keepAliveOnce(own.etcdLease()), "renew lease of " + own.key())
                        .getTTL();
                if (left <= 0) return null;
                expires = Instant.now().plusSeconds(left);
            } catch (LeaseLostException e) {
                return null;
            }
        }
        String key = keyOf(own.subnet());
        PutOption put = own.etcdLease() == 0
                ? PutOption.DEFAULT
                : PutOption.builder().withLeaseId(own.etcdLease()).build();
        TxnResponse r = await(
                client.getKVClient()
                        .txn()
                        .If(new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.modRevision(own.revision())))
                        .Then(Op.put(bytes(key), bytes(attrs.toJson()), put))
                        .commit(),
                "update " + key);
        if (!r.isSucceeded()) return null;
        return new Lease(
                own.subnet(), attrs, own.etcdLease(), expires, r.getHeader().getRevision());
    }

    private Lease create(Cidr subnet, LeaseAttrs attrs) {
        String key = keyOf(subnet);
        long id = await(client.getLeaseClient().grant(ttl.toSeconds()), "grant lease")
                .getID();
        TxnResponse r = await(
                client.getKVClient()
                        .txn()
                        .If(new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.version(0)))
                        .Then(Op.put(
                                bytes(key),
                                bytes(attrs.toJson()),
                                PutOption.builder().withLeaseId(id).build()))
                        .commit(),
                "create " + key);
        if (r.isSucceeded())
            return new Lease(
                    subnet, attrs, id, Instant.now().plus(ttl), r.getHeader().getRevision());
        await(client.getLeaseClient().revoke(id), "revoke unused lease"); // somebody was faster
        return null;
    }

    private void deleteIf(Lease l) {
        String key = keyOf(l.subnet());
        await(
                client.getKVClient()
                        .txn()
                        .If(new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.modRevision(l.revision())))
                        .Then(Op.delete(bytes(key), DeleteOption.DEFAULT))
                        .commit(),
                "delete " + key);
    }

    @Override
    public Lease renew(Lease lease) {
        if (lease.etcdLease() == 0) return lease; // a reservation never expires
        long left = await(client.getLeaseClient().keepAliveOnce(lease.etcdLease()), "renew lease of " + lease.key())
                .getTTL();
        if (left <= 0) throw new LeaseLostException("the etcd lease of " + lease.key() + " has expired");
        return lease.withExpires(Instant.now().plusSeconds(left));
    }

    @Override
    public Snapshot list() {
        GetResponse r = await(
                client.getKVClient()
                        .get(
                                bytes(subnetsPrefix()),
                                GetOption.builder().isPrefix(true).build()),
                "list " + subnetsPrefix());
        List<Lease> out = new ArrayList<>();
        for (KeyValue kv : r.getKvs()) {
            Lease l = parse(kv);
            if (l != null) out.add(l);
        }
        return new Snapshot(out, r.getHeader().getRevision());
    }

    private Lease parse(KeyValue kv) {
        String key = kv.getKey().toString(StandardCharsets.UTF_8);
        Cidr subnet = SubnetKey.parse(key.substring(key.lastIndexOf('/') + 1));
        if (subnet == null) return null;
        try {
            LeaseAttrs a = LeaseAttrs.parse(kv.getValue().toString(StandardCharsets.UTF_8), key);
            return new Lease(subnet, a, kv.getLease(), null, kv.getModRevision());
        } catch (IllegalArgumentException e) {
            LOG.warning("ignoring " + e.getMessage());
            return null;
        }
    }

    @Override
    public AutoCloseable watch(long revision, Consumer<LeaseEvent> events) {
        WatchOption opt =
                WatchOption.builder().isPrefix(true).withRevision(revision + 1).build();
        Watch.Watcher w = client.getWatchClient()
                .watch(
                        bytes(subnetsPrefix()),
                        opt,
                        Watch.listener(
                                resp -> {
                                    healthy = true;
                                    for (WatchEvent e : resp.getEvents()) {
                                        KeyValue kv = e.getKeyValue();
                                        String key = kv.getKey().toString(StandardCharsets.UTF_8);
                                        Cidr subnet = SubnetKey.parse(key.substring(key.lastIndexOf('/') + 1));
                                        if (subnet == null) continue;
                                        if (e.getEventType() == WatchEvent.EventType.DELETE) {
                                            events.accept(new LeaseEvent.Removed(subnet));
                                        } else if (e.getEventType() == WatchEvent.EventType.PUT) {
                                            Lease l = parse(kv);
                                            if (l != null) events.accept(new LeaseEvent.Added(l));
                                        }
                                    }
                                },
                                err -> {
                                    healthy = false;
                                    LOG.log(Level.FINE, "etcd watch ended", err);
                                    events.accept(new LeaseEvent.Resync(null));
                                },
                                () -> events.accept(new LeaseEvent.Resync(null))));
        return w::close;
    }

    @Override
    public void release(Lease lease) {
        if (lease.etcdLease() != 0)
            await(client.getLeaseClient().revoke(lease.etcdLease()), "revoke lease of " + lease.key());
        await(client.getKVClient().delete(bytes(keyOf(lease.subnet()))), "delete " + lease.key());
    }

    @Override
    public String describe() {
        return "etcd "
                + endpoints.stream().map(u -> u.getHost() + ":" + u.getPort()).toList() + " prefix " + prefix;
    }

    @Override
    public boolean healthy() {
        return healthy;
    }

    /** Waits for an etcd call; a lease etcd does not know becomes {@link LeaseLostException}. */
    private <T> T await(CompletableFuture<T> f, String what) {
        try {
            T v = f.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            healthy = true;
            return v;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            String msg = String.valueOf(c.getMessage());
            if (msg.contains("requested lease not found") || msg.contains("NOT_FOUND")) {
                healthy = true;
                throw new LeaseLostException(what + ": " + msg);
            }
            healthy = false;
            throw new BerthException.Failed("etcd " + endpoints + ": " + what + " failed: " + msg, c);
        } catch (TimeoutException e) {
            f.cancel(true);
            healthy = false;
            throw new BerthException.Failed(
                    "etcd " + endpoints + ": " + what + " got no answer within " + TIMEOUT_MS + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException.Failed("interrupted while waiting for etcd: " + what, e);
        }
    }

    @Override
    public void close() {
        client.close();
        vertx.close();
    }
}
