package dev.berth.cluster;

import dev.berth.model.BerthException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How berthd's cluster agent is set up: {@code --cluster-store etcd://HOST:PORT[,...]} or
 * {@code --cluster-static FILE}, {@code --cluster-prefix}, {@code --public-ip}, {@code --iface}.
 *
 * @param etcd       etcd client URLs ({@code http://10.0.0.10:2379}); empty in static mode
 * @param prefix     the etcd key prefix, flannel's {@code /coreos.com/network} by default
 * @param staticFile the static cluster file, or null
 * @param publicIp   the address peers reach this host at, or null to take the underlay interface's
 * @param iface      the underlay interface, or null for the one holding {@code publicIp} or the default route
 * @param leaseTtl   how long a lease lives without renewal (renewed every third of it)
 * @param resync     how often the agent re-reads every lease and re-checks its routes, besides the watch
 */
public record ClusterOptions(
        List<URI> etcd,
        String prefix,
        Path staticFile,
        String publicIp,
        String iface,
        Duration leaseTtl,
        Duration resync) {
    public static final String DEFAULT_PREFIX = "/coreos.com/network";

    public ClusterOptions {
        etcd = List.copyOf(etcd);
        if (etcd.isEmpty() == (staticFile == null))
            throw new BerthException.InvalidRequest(
                    "cluster-store",
                    "give either an etcd store (etcd://HOST:PORT) or a static file, not both or neither");
        if (prefix == null || !prefix.startsWith("/"))
            throw new BerthException.InvalidRequest(
                    "cluster-prefix", "'" + prefix + "' must start with '/', e.g. " + DEFAULT_PREFIX);
        if (leaseTtl.toSeconds() < 3)
            throw new BerthException.InvalidRequest(
                    "lease-ttl", leaseTtl + " is too short; use 3 seconds or more (flannel uses 24 h)");
    }

    /** {@code --cluster-store etcd://10.0.0.10:2379,10.0.0.11:2379}. */
    public static ClusterOptions etcd(String store) {
        return new ClusterOptions(
                parseStore(store), DEFAULT_PREFIX, null, null, null, Duration.ofHours(24), Duration.ofSeconds(10));
    }

    /** {@code --cluster-static FILE}. */
    public static ClusterOptions staticFile(Path file) {
        return new ClusterOptions(
                List.of(), DEFAULT_PREFIX, file, null, null, Duration.ofHours(24), Duration.ofSeconds(10));
    }

    static List<URI> parseStore(String store) {
        if (store == null || !store.startsWith("etcd://"))
            throw new BerthException.InvalidRequest(
                    "cluster-store", "'" + store + "' must look like etcd://HOST:PORT[,HOST:PORT...]");
        List<URI> out = new ArrayList<>();
        for (String hp : store.substring("etcd://".length()).split(",")) {
            URI u;
            try {
                u = URI.create("http://" + hp.strip());
            } catch (IllegalArgumentException e) {
                throw new BerthException.InvalidRequest("cluster-store", "'" + hp + "' is not HOST:PORT");
            }
            if (u.getHost() == null || u.getPort() < 1)
                throw new BerthException.InvalidRequest(
                        "cluster-store", "'" + hp + "' is not HOST:PORT (e.g. 10.0.0.10:2379)");
            out.add(u);
        }
        return out;
    }

    public ClusterOptions withPrefix(String p) {
        return new ClusterOptions(etcd, p, staticFile, publicIp, iface, leaseTtl, resync);
    }

    public ClusterOptions withPublicIp(String ip) {
        return new ClusterOptions(etcd, prefix, staticFile, ip, iface, leaseTtl, resync);
    }

    public ClusterOptions withIface(String i) {
        return new ClusterOptions(etcd, prefix, staticFile, publicIp, i, leaseTtl, resync);
    }

    public ClusterOptions withLeaseTtl(Duration d) {
        return new ClusterOptions(etcd, prefix, staticFile, publicIp, iface, d, resync);
    }

    public ClusterOptions withResync(Duration d) {
        return new ClusterOptions(etcd, prefix, staticFile, publicIp, iface, leaseTtl, d);
    }
}
