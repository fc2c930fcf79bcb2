package dev.berth.daemon.api;

import dev.berth.cluster.ClusterAgent;
import dev.berth.cluster.ClusterStatus;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Router;
import dev.berth.engine.Engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Berth's own endpoints, under {@code /berth/}: what Docker has no API for. */
public final class BerthApi {
    private final Engine engine;
    private final ClusterAgent cluster;

    /** @param cluster the cluster agent, or null on a single host */
    public BerthApi(Engine engine, ClusterAgent cluster) {
        this.engine = engine;
        this.cluster = cluster;
    }

    public void register(Router r) {
        r.get("/berth/cluster", q -> ApiResponse.json(cluster()));
    }

    /** The cluster as {@code berth cluster status} shows it; {@code {"Enabled": false}} on a single host. */
    private Map<String, Object> cluster() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Enabled", cluster != null);
        if (cluster == null) return m;
        ClusterStatus s = cluster.status();
        m.put("Store", s.store());
        m.put("StoreHealthy", s.storeHealthy());
        m.put("Network", s.network().toString());
        m.put("Backend", s.backend());
        m.put("MTU", s.mtu());
        m.put("Self", host(s.self()));
        List<Object> peers = new ArrayList<>();
        for (ClusterStatus.Host h : s.peers()) peers.add(host(h));
        m.put("Peers", peers);
        m.put("LastError", s.lastError());
        return m;
    }

    private static Map<String, Object> host(ClusterStatus.Host h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Subnet", h.subnet().toString());
        m.put("PublicIP", h.publicIp());
        m.put("Backend", h.backend());
        m.put("Expires", h.expires() == null ? null : Times.rfc3339(h.expires()));
        m.put("State", h.state());
        return m;
    }
}
