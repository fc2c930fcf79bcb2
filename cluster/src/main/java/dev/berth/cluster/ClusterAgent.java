package dev.berth.cluster;

import dev.berth.cluster.backend.Backend;
import dev.berth.cluster.backend.Underlay;
import dev.berth.cluster.config.Ip4;
import dev.berth.cluster.config.NetworkConfig;
import dev.berth.cluster.etcd.EtcdLeaseStore;
import dev.berth.cluster.lease.Lease;
import dev.berth.cluster.lease.LeaseEvent;
import dev.berth.cluster.lease.LeaseStore;
import dev.berth.cluster.lease.StaticLeaseStore;
import dev.berth.model.Cidr;
import dev.berth.model.log.Log;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.Rtnl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * berthd's cluster agent: leases this host's container subnet from etcd (flannel's layout) or a
 * static file, writes {@code subnet.env}, and keeps the backend's routes to every other host's subnet
 * in step with the store. One thread applies every change in order; another renews the lease.
 * The daemon gives the leased subnet to the default bridge ({@code --bip}, gateway .1), tells the
 * engine the cluster network (no masquerade inside it) and uses {@link #mtu()} for the bridge.
 */
public final class ClusterAgent implements AutoCloseable {
    private static final long MAX_BACKOFF_MS = 5000;

    private final ClusterOptions options;
    private final Path runDir;
    private final Rtnl rtnl;
    private final LeaseStore store;
    private final NetworkConfig config;
    private final Backend backend;
    private final Map<Cidr, Peer> peers = new ConcurrentHashMap<>();
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private volatile Lease own;
    private volatile String lastError;
    private volatile boolean closed;
    private AutoCloseable watch;
    private long retryBackoffMs = 100;
    private long nextResyncAt;
    private Thread router;
    private Thread renewer;

    private record Peer(Lease lease, String state) {}

    private enum Command {
        RESYNC,
        REACQUIRE,
        STOP
    }

    private ClusterAgent(
            ClusterOptions options, Path runDir, Rtnl rtnl, LeaseStore store, NetworkConfig config, Backend backend) {
        this.options = options;
        this.runDir = runDir;
        this.rtnl = rtnl;
        this.store = store;
        this.config = config;
        this.backend = backend;
    }

    /**
     * Joins the cluster from {@code hostNetns} (kept open by the caller): reads the cluster config,
     * takes or re-takes this host's lease, sets up the backend, writes {@code runDir/subnet.env}, routes
     * to every current peer, then follows the store. Throws with a message naming the option or config
     * key at fault; nothing keeps running after a failure.
     */
    public static ClusterAgent start(ClusterOptions options, NetnsHandle hostNetns, Path runDir) {
        Rtnl rtnl = Netns.rtnl(hostNetns);
        LeaseStore store = null;
        Backend backend = null;
        try {
            Underlay underlay = Underlay.detect(rtnl, options.publicIp(), options.iface());
            store = options.staticFile() != null
                    ? new StaticLeaseStore(options.staticFile())
                    : new EtcdLeaseStore(options.etcd(), options.prefix(), options.leaseTtl(), hostNetns);
            NetworkConfig config = store.config();
            backend = Backends.create(config.backend(), rtnl, underlay, hostNetns);
            ClusterAgent a = new ClusterAgent(options, runDir, rtnl, store, config, backend);
            a.join();
            return a;
        } catch (RuntimeException e) {
            if (backend != null) backend.close();
            if (store != null) store.close();
            rtnl.close();
            throw e;
        }
    }

    private void join() {
        own = store.acquire(config, backend.attrs(), SubnetEnv.previous(runDir));
        Log.info(
                "cluster: leased a subnet",
                "subnet",
                own.subnet(),
                "public_ip",
                own.attrs().publicIp().getHostAddress(),
                "store",
                store.describe());
        backend.start(own, config);
        SubnetEnv.write(runDir, config.network(), own.subnet(), backend.mtu());
        LeaseStore.Snapshot snap = store.list();
        apply(snap.leases());
        backend.prune(routedLeases());
        watch = store.watch(snap.revision(), inbox::add);
        nextResyncAt = System.nanoTime() + options.resync().toNanos();
        router = Thread.ofPlatform().daemon().name("berth-cluster-routes").start(this::routeLoop);
        renewer = Thread.ofPlatform().daemon().name("berth-cluster-renew").start(this::renewLoop);
    }

    /** This host's leased subnet: the default bridge's subnet, its gateway the .1 address. */
    public Cidr hostSubnet() {
        return own.subnet();
    }

    /** The whole cluster network: the engine must not masquerade traffic to it. */
    public Cidr clusterNetwork() {
        return config.network();
    }

    /** The MTU of the default bridge and container interfaces for this backend. */
    public int mtu() {
        return backend.mtu();
    }

    /** The default bridge's {@code --bip}: the subnet's .1 with its prefix length ({@code 10.5.72.1/24}). */
    public String bip() {
        return Ip4.at(own.subnet(), 1).getHostAddress() + "/" + own.subnet().prefix();
    }

    public Path subnetEnv() {
        return runDir.resolve(SubnetEnv.FILE);
    }

    /** Hosts, subnets, backends and health, for {@code berth cluster status|leases}. */
    public ClusterStatus status() {
        Lease me = own;
        List<ClusterStatus.Host> hosts = new ArrayList<>();
        for (Peer p : peers.values())
            hosts.add(new ClusterStatus.Host(
                    p.lease.subnet(),
                    p.lease.attrs().publicIp().getHostAddress(),
                    p.lease.attrs().backendType(),
                    p.lease.expires(),
                    p.state));
        hosts.sort(Comparator.comparing(h -> Ip4.toLong(h.subnet().network())));
        var self = new ClusterStatus.Host(
                me.subnet(), me.attrs().publicIp().getHostAddress(), backend.type(), me.expires(), "self");
        return new ClusterStatus(
                store.describe(),
                store.healthy(),
                config.network(),
                backend.type(),
                backend.mtu(),
                self,
                List.copyOf(hosts),
                lastError);
    }

    // ------------------------------------------------------------------ the routing thread

    private void routeLoop() {
        while (!closed) {
            Object msg;
            try {
                long wait = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextResyncAt - System.nanoTime()));
                msg = inbox.poll(wait, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (msg == Command.STOP) return;
            try {
                if (msg == null || msg == Command.RESYNC || msg instanceof LeaseEvent.Resync) resync();
                else if (msg == Command.REACQUIRE) reacquire();
                else if (msg instanceof LeaseEvent e) handle(e);
            } catch (RuntimeException e) {
                fail("cluster: " + e.getMessage(), e);
                nextResyncAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryBackoffMs);
                retryBackoffMs = Math.min(MAX_BACKOFF_MS, retryBackoffMs * 2);
            }
        }
    }

    private void handle(LeaseEvent e) {
        Lease me = own;
        switch (e) {
            case LeaseEvent.Added a -> {
                Lease l = a.lease();
                if (l.subnet().equals(me.subnet())) {
                    if (!l.attrs().publicIp().equals(me.attrs().publicIp()))
                        reacquire(); // our subnet is someone else's now
                    return;
                }
                if (l.attrs().publicIp().equals(me.attrs().publicIp())) return; // a stale lease of ours: not a peer
                addOrUpdate(l);
            }
            case LeaseEvent.Removed r -> {
                if (r.subnet().equals(me.subnet())) {
                    Log.warn("cluster: the lease was removed from the store; re-acquiring", "subnet", me.subnet());
                    reacquire();
                    return;
                }
                Peer p = peers.remove(r.subnet());
                if (p != null) backend.removePeer(p.lease);
            }
            case LeaseEvent.Resync ignored -> resync();
        }
    }

    private void addOrUpdate(Lease l) {
        Peer old = peers.get(l.subnet());
        if (old != null && old.lease.attrs().equals(l.attrs()) && old.state.equals("routed")) {
            peers.put(l.subnet(), new Peer(l, old.state));
            return;
        }
        if (old != null && !old.lease.attrs().equals(l.attrs()))
            backend.removePeer(old.lease); // moved or changed backend data
        String state;
        try {
            backend.addPeer(l);
            state = "routed";
        } catch (Backend.PeerRefused e) {
            state = "refused: " + e.getMessage();
            fail("cluster: " + e.getMessage(), null);
        }
        peers.put(l.subnet(), new Peer(l, state));
    }

    /** Re-reads every lease, routes to new and changed ones, drops vanished ones, and watches again from there. */
    private void resync() {
        closeWatch();
        LeaseStore.Snapshot snap = store.list();
        apply(snap.leases());
        watch = store.watch(snap.revision(), inbox::add);
        retryBackoffMs = 100;
        nextResyncAt = System.nanoTime() + options.resync().toNanos();
    }

    private void apply(List<Lease> leases) {
        Lease me = own;
        Map<Cidr, Lease> now = new HashMap<>();
        boolean ownPresent = false;
        for (Lease l : leases) {
            if (l.subnet().equals(me.subnet())) {
                ownPresent = l.attrs().publicIp().equals(me.attrs().publicIp());
                continue;
            }
            if (l.attrs().publicIp().equals(me.attrs().publicIp())) continue;
            now.put(l.subnet(), l);
        }
        for (Cidr gone : new ArrayList<>(peers.keySet())) {
            if (now.containsKey(gone)) continue;
            Peer p = peers.remove(gone);
            if (p != null) backend.removePeer(p.lease);
        }
        for (Lease l : now.values()) addOrUpdate(l);
        if (!ownPresent) inbox.add(Command.REACQUIRE);
    }

    private void reacquire() {
        Lease before = own;
        Lease after = store.acquire(config, backend.attrs(), before.subnet());
        own = after;
        if (!after.subnet().equals(before.subnet())) {
            fail(
                    "cluster: lost the lease of " + before.subnet() + " and got " + after.subnet()
                            + "; containers on the default bridge need the new subnet (restart berthd)",
                    null);
            backend.start(after, config);
            SubnetEnv.write(runDir, config.network(), after.subnet(), backend.mtu());
        } else {
            Log.info("cluster: re-acquired the lease", "subnet", after.subnet());
        }
    }

    private void closeWatch() {
        if (watch == null) return;
        try {
            watch.close();
        } catch (Exception ignored) {
            // it is being replaced
        }
        watch = null;
    }

    // ------------------------------------------------------------------ the renewing thread

    private void renewLoop() {
        long period = Math.max(1000, options.leaseTtl().toMillis() / 3);
        long wait = period;
        while (!closed) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                return;
            }
            try {
                own = store.renew(own);
                wait = period;
            } catch (LeaseStore.LeaseLostException e) {
                Log.warn("cluster: lease lost; re-acquiring", "error", e.getMessage());
                inbox.add(Command.REACQUIRE);
                wait = period;
            } catch (RuntimeException e) {
                fail("cluster: renewing the lease failed (will retry): " + e.getMessage(), null);
                wait = Math.min(period, 1000); // retry soon; the lease still has two thirds of its time
            }
        }
    }

    private void fail(String message, Throwable t) {
        lastError = message;
        if (t == null) Log.warn(message);
        else Log.warn(message, "error", t);
    }

    private List<Lease> routedLeases() {
        List<Lease> out = new ArrayList<>();
        for (Peer p : peers.values()) out.add(p.lease);
        return out;
    }

    /** Gives up this host's lease and removes the backend's routes and devices: the host leaves the cluster. */
    public void leave() {
        Lease me = own;
        stopThreads();
        backend.teardown();
        try {
            store.release(me);
        } finally {
            SubnetEnv.delete(runDir);
            release();
        }
    }

    /**
     * Stops following the store and renewing; routes, devices and the lease stay, so traffic keeps
     * flowing and a restarted agent takes the same subnet again (flannel's semantics).
     */
    @Override
    public void close() {
        if (closed) return;
        stopThreads();
        release();
    }

    private void stopThreads() {
        closed = true;
        inbox.add(Command.STOP);
        for (Thread t : new Thread[] {renewer, router}) {
            if (t == null) continue;
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeWatch();
    }

    private void release() {
        backend.close();
        store.close();
        rtnl.close();
    }
}
