package dev.berth.daemon.api;

import dev.berth.cluster.ClusterAgent;
import dev.berth.cluster.ClusterStatus;
import dev.berth.daemon.containers.ContainerRecord;
import dev.berth.daemon.containers.Containers;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Router;
import dev.berth.engine.Engine;
import dev.berth.engine.explain.ExplainedStep;
import dev.berth.engine.explain.Explainer;
import dev.berth.engine.explain.FirewallKind;
import dev.berth.engine.topology.TopologyScanner;
import dev.berth.model.BerthException;
import dev.berth.model.Sandbox;
import dev.berth.netlink.ns.NetnsHandle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Berth's own endpoints, under {@code /berth/}: what Docker has no API for. */
public final class BerthApi {
    private final Engine engine;
    private final Containers containers;
    private final NetnsHandle host;
    private final Explainer explainer;
    private final ClusterAgent cluster;

    /** @param cluster the cluster agent, or null on a single host */
    public BerthApi(
            Engine engine, Containers containers, NetnsHandle host, FirewallKind firewall, ClusterAgent cluster) {
        this.engine = engine;
        this.containers = containers;
        this.host = host;
        this.explainer = new Explainer(firewall);
        this.cluster = cluster;
    }

    public void register(Router r) {
        r.get("/berth/cluster", q -> ApiResponse.json(cluster()));
        r.get("/berth/explain", this::explain);
        r.get("/berth/topology", q -> ApiResponse.json(TopologyScanner.scan(engine, host)));
    }

    /** {@code ?network=NAME} or {@code ?container=NAME}: the commands that build it by hand. */
    private ApiResponse explain(ApiRequest q) {
        List<ExplainedStep> steps;
        if (q.query("network") != null) {
            steps = explainer.network(engine.network(q.query("network")));
        } else if (q.query("container") != null) {
            Sandbox s = sandbox(q.query("container"));
            steps = explainer.sandbox(s, engine.endpointsOf(s), engine::network);
        } else {
            throw new BerthException.InvalidRequest("network", "give ?network=NAME or ?container=NAME");
        }
        return ApiResponse.json(Map.of("steps", steps));
    }

    /** A container's sandbox, or an attachment of another runtime (CNI, Docker's driver) by its sandbox name. */
    private Sandbox sandbox(String name) {
        ContainerRecord c;
        try {
            c = containers.find(name);
        } catch (BerthException.NotFound e) {
            for (Sandbox s : engine.attachments()) if (s.name().equals(name) || s.id().startsWith(name)) return s;
            throw e;
        }
        Sandbox s = containers.sandboxOf(c.id());
        if (s == null)
            throw new BerthException.Conflict(
                    "container " + c.name() + " is not running: Berth has nothing in the kernel for it");
        return s;
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
