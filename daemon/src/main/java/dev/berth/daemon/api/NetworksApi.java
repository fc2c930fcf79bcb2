package dev.berth.daemon.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.api.shapes.NetworkInspect;
import dev.berth.daemon.containers.NetworkJoins;
import dev.berth.daemon.events.Events;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Router;
import dev.berth.daemon.trace.StageTrace;
import dev.berth.engine.Engine;
import dev.berth.engine.model.Network;
import dev.berth.engine.model.SubnetConfig;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SubnetRequest;
import dev.berth.model.BerthException;
import dev.berth.model.Endpoint;
import dev.berth.model.IpPrefix;
import dev.berth.model.Sandbox;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /networks}: list, inspect, create, remove, connect, disconnect and prune, in Docker's shapes. */
public final class NetworksApi {
    private static final Set<String> LIST_FILTERS =
            Set.of("dangling", "driver", "id", "label", "name", "scope", "type");
    private static final Set<String> PRUNE_FILTERS = Set.of("label", "label!", "until");

    private final Engine engine;
    private final NetworkJoins joins;
    private final Runnable onChange;
    private Events events = new Events();

    public NetworksApi(Engine engine, NetworkJoins joins, Runnable onChange) {
        this.engine = engine;
        this.joins = joins;
        this.onChange = onChange;
    }

    /** Where network events (create, destroy) go. */
    public NetworksApi withEvents(Events e) {
        this.events = e;
        return this;
    }

    public void register(Router r) {
        r.get("/networks", this::list);
        r.get("/networks/{id}", this::inspect);
        r.post("/networks/create", this::create);
        r.delete("/networks/{id}", this::remove);
        r.post("/networks/{id}/connect", this::connect);
        r.post("/networks/{id}/disconnect", this::disconnect);
        r.post("/networks/prune", this::prune);
    }

    // ----------------------------------------------------------------- bodies

    /** Docker's NetworkCreateRequest fields Berth reads; CheckDuplicate is one Docker itself ignores (API >= 1.44). */
    private static final Set<String> CREATE_FIELDS = Set.of(
            "Name",
            "CheckDuplicate",
            "Driver",
            "Scope",
            "Internal",
            "Attachable",
            "Ingress",
            "ConfigOnly",
            "ConfigFrom",
            "IPAM",
            "EnableIPv4",
            "EnableIPv6",
            "Options",
            "Labels");

    private static final Set<String> IPAM_FIELDS = Set.of("Driver", "Config");
    private static final Set<String> IPAM_CONFIG_FIELDS = Set.of("Subnet", "IPRange", "Gateway", "AuxiliaryAddresses");
    /** EndpointSettings on connect: what Berth implements, and the read-only fields clients send back empty. */
    private static final Set<String> ENDPOINT_FIELDS = Set.of(
            "IPAMConfig",
            "Aliases",
            "MacAddress",
            "GwPriority",
            "NetworkID",
            "EndpointID",
            "Gateway",
            "IPAddress",
            "IPPrefixLen",
            "IPv6Gateway",
            "GlobalIPv6Address",
            "GlobalIPv6PrefixLen",
            "DNSNames");

    private static final Set<String> ENDPOINT_IPAM_FIELDS = Set.of("IPv4Address", "IPv6Address");

    /** A field of Docker's create request that Berth does not implement, set to something, is a 400 naming it. */
    private static void refuseUnimplemented(JsonNode b) {
        ContainerCreateRequests.refuseOthers(b, CREATE_FIELDS, "");
        JsonNode ipam = b.path("IPAM");
        ContainerCreateRequests.refuseOthers(ipam, IPAM_FIELDS, "IPAM.");
        int i = 0;
        for (JsonNode c : ipam.path("Config"))
            ContainerCreateRequests.refuseOthers(c, IPAM_CONFIG_FIELDS, "IPAM.Config[" + i++ + "].");
        if (!ContainerCreateRequests.isZero(b.path("ConfigFrom")))
            throw new BerthException.InvalidRequest("ConfigFrom", "config-only networks are not supported by Berth");
    }

    /** The same for connect's EndpointConfig (DriverOpts, Links, LinkLocalIPs are not implemented there). */
    private static void refuseUnimplementedEndpoint(JsonNode b) {
        JsonNode e = b.path("EndpointConfig");
        ContainerCreateRequests.refuseOthers(e, ENDPOINT_FIELDS, "EndpointConfig.");
        ContainerCreateRequests.refuseOthers(e.path("IPAMConfig"), ENDPOINT_IPAM_FIELDS, "EndpointConfig.IPAMConfig.");
    }

    record IpamConfigBody(
            @JsonProperty("Subnet") String subnet,
            @JsonProperty("IPRange") String ipRange,
            @JsonProperty("Gateway") String gateway,
            @JsonProperty("AuxiliaryAddresses") Map<String, String> auxAddresses) {}

    record IpamBody(
            @JsonProperty("Driver") String driver,
            @JsonProperty("Config") List<IpamConfigBody> config,
            @JsonProperty("Options") Map<String, String> options) {}

    record CreateBody(
            @JsonProperty("Name") String name,
            @JsonProperty("Driver") String driver,
            @JsonProperty("Scope") String scope,
            @JsonProperty("Internal") boolean internal,
            @JsonProperty("Attachable") boolean attachable,
            @JsonProperty("Ingress") boolean ingress,
            @JsonProperty("ConfigOnly") boolean configOnly,
            @JsonProperty("EnableIPv4") Boolean enableIpv4,
            @JsonProperty("EnableIPv6") Boolean enableIpv6,
            @JsonProperty("IPAM") IpamBody ipam,
            @JsonProperty("Options") Map<String, String> options,
            @JsonProperty("Labels") Map<String, String> labels) {}

    record IpamEndpointBody(
            @JsonProperty("IPv4Address") String ipv4,
            @JsonProperty("IPv6Address") String ipv6) {}

    record EndpointBody(
            @JsonProperty("IPAMConfig") IpamEndpointBody ipam,
            @JsonProperty("Aliases") List<String> aliases,
            @JsonProperty("MacAddress") String mac) {
        EndpointRequest toRequest() {
            return new EndpointRequest(
                    ipam == null ? blankToNull(null) : blankToNull(ipam.ipv4()),
                    ipam == null ? null : blankToNull(ipam.ipv6()),
                    blankToNull(mac),
                    aliases);
        }
    }

    record ConnectBody(
            @JsonProperty("Container") String container,
            @JsonProperty("EndpointConfig") EndpointBody endpoint) {}

    record DisconnectBody(
            @JsonProperty("Container") String container,
            @JsonProperty("Force") boolean force) {}

    // ----------------------------------------------------------------- handlers

    private ApiResponse list(ApiRequest q) {
        Filters f = Filters.parse(q.query("filters"), LIST_FILTERS);
        List<NetworkInspect> out = new ArrayList<>();
        for (Network n : engine.networks()) if (matches(n, f)) out.add(resource(n, false));
        return ApiResponse.json(out);
    }

    private boolean matches(Network n, Filters f) {
        return f.any("name", v -> n.name().contains(v))
                && f.any("id", v -> n.id().startsWith(v))
                && f.any("driver", v -> v.equals(n.driver().id()))
                && f.any("scope", v -> v.equals("local"))
                && f.any("type", v -> v.equals(n.predefined() ? "builtin" : "custom"))
                && f.any(
                        "dangling",
                        v -> Filters.truthy(v)
                                == (!n.predefined() && engine.endpointsOf(n).isEmpty()))
                && f.labels(n.labels());
    }

    private ApiResponse inspect(ApiRequest q) {
        return ApiResponse.json(resource(engine.network(q.param("id")), true));
    }

    private ApiResponse create(ApiRequest q) {
        JsonNode raw = q.jsonBody();
        CreateBody b = q.body(CreateBody.class);
        refuseUnimplemented(raw);
        if (b.name() == null || b.name().isBlank())
            throw new BerthException.InvalidRequest("Name", "a network needs a name");
        if (b.configOnly() || b.ingress())
            throw new BerthException.InvalidRequest(
                    b.ingress() ? "Ingress" : "ConfigOnly",
                    "swarm and config-only networks are not supported by Berth");
        if (b.scope() != null && !b.scope().isEmpty() && !b.scope().equals("local"))
            throw new BerthException.InvalidRequest(
                    "Scope", "'" + b.scope() + "' is not supported; Berth networks are local");
        if (b.ipam() != null
                && b.ipam().driver() != null
                && !b.ipam().driver().isEmpty()
                && !b.ipam().driver().equals("default"))
            throw new BerthException.InvalidRequest(
                    "IPAM.Driver", "'" + b.ipam().driver() + "' is not available; Berth has the 'default' IPAM driver");
        if (Boolean.FALSE.equals(b.enableIpv4()))
            throw new BerthException.InvalidRequest("EnableIPv4", "IPv6-only networks are not supported yet");
        List<SubnetRequest> subnets = new ArrayList<>();
        if (b.ipam() != null && b.ipam().config() != null)
            for (IpamConfigBody c : b.ipam().config())
                subnets.add(new SubnetRequest(
                        blankToNull(c.subnet()), blankToNull(c.gateway()), blankToNull(c.ipRange()), c.auxAddresses()));
        Network n = engine.createNetwork(new NetworkRequest(
                b.name(),
                b.driver(),
                subnets,
                Boolean.TRUE.equals(b.enableIpv6()),
                b.internal(),
                b.attachable(),
                b.options(),
                b.labels()));
        onChange.run();
        events.publish(
                "network",
                "create",
                n.id(),
                Map.of("name", n.name(), "type", n.driver().id()));
        return ApiResponse.created(new NetworkInspect.Created(n.id(), ""));
    }

    private ApiResponse remove(ApiRequest q) {
        Network n = engine.network(q.param("id"));
        engine.removeNetwork(q.param("id"));
        onChange.run();
        events.publish(
                "network",
                "destroy",
                n.id(),
                Map.of("name", n.name(), "type", n.driver().id()));
        return ApiResponse.noContent();
    }

    private ApiResponse connect(ApiRequest q) {
        JsonNode raw = q.jsonBody();
        ConnectBody b = q.body(ConnectBody.class);
        refuseUnimplementedEndpoint(raw);
        StageTrace.point("api:body-read");
        if (b.container() == null || b.container().isBlank())
            throw new BerthException.InvalidRequest("Container", "name the container to connect");
        Network n = engine.network(q.param("id"));
        int priority = ContainerCreateRequests.gwPriority(
                raw.path("EndpointConfig").path("GwPriority"), "EndpointConfig.GwPriority");
        joins.connect(
                b.container(),
                n.id(),
                (b.endpoint() == null ? EndpointRequest.DEFAULT : b.endpoint().toRequest()).withGwPriority(priority));
        StageTrace.point("api:done"); // the names changed with the endpoint, one sandbox's only
        return ApiResponse.ok();
    }

    private ApiResponse disconnect(ApiRequest q) {
        DisconnectBody b = q.body(DisconnectBody.class);
        StageTrace.point("api:body-read");
        if (b.container() == null || b.container().isBlank())
            throw new BerthException.InvalidRequest("Container", "name the container to disconnect");
        Network n = engine.network(q.param("id"));
        joins.disconnect(b.container(), n.id(), b.force());
        StageTrace.point("api:done");
        return ApiResponse.ok();
    }

    private ApiResponse prune(ApiRequest q) {
        Filters f = Filters.parse(q.query("filters"), PRUNE_FILTERS);
        List<String> deleted = new ArrayList<>();
        for (Network n : engine.networks()) {
            if (n.predefined() || !engine.endpointsOf(n).isEmpty() || !f.labels(n.labels())) continue;
            if (excluded(n, f) || !createdBefore(n, f)) continue;
            try {
                engine.removeNetwork(n.id());
                deleted.add(n.name());
            } catch (BerthException.Conflict inUseMeanwhile) {
                // a container joined it after we looked; Docker skips such networks too
            }
        }
        if (!deleted.isEmpty()) onChange.run();
        return ApiResponse.json(new NetworkInspect.Pruned(deleted));
    }

    /** {@code label!=k} or {@code label!=k=v}: networks carrying such a label are kept. */
    private static boolean excluded(Network n, Filters f) {
        for (String l : f.get("label!")) if (new Filters(Map.of("label", List.of(l))).labels(n.labels())) return true;
        return false;
    }

    /** {@code until}: a Unix time, an RFC 3339 time, or a duration back from now (e.g. 24h, 30m). */
    private static boolean createdBefore(Network n, Filters f) {
        for (String u : f.get("until")) {
            Instant limit;
            try {
                if (u.matches("\\d+(\\.\\d+)?")) limit = Instant.ofEpochSecond((long) Double.parseDouble(u));
                else if (u.matches("\\d+[hms]")) {
                    long v = Long.parseLong(u.substring(0, u.length() - 1));
                    long secs = switch (u.charAt(u.length() - 1)) {
                        case 'h' -> v * 3600;
                        case 'm' -> v * 60;
                        default -> v;
                    };
                    limit = Instant.now().minusSeconds(secs);
                } else limit = Instant.parse(u);
            } catch (RuntimeException e) {
                throw new BerthException.InvalidRequest(
                        "filters.until", "'" + u + "' is not a time (Unix seconds, RFC 3339) or a duration like 24h");
            }
            if (!n.created().isBefore(limit)) return false;
        }
        return true;
    }

    // ----------------------------------------------------------------- shapes

    /** A network as Docker's NetworkResource, with its containers when {@code withContainers}. */
    NetworkInspect resource(Network n, boolean withContainers) {
        List<NetworkInspect.IpamConfig> configs = new ArrayList<>();
        for (SubnetConfig s : n.subnets()) configs.add(ipamConfig(s));
        Map<String, NetworkInspect.Endpoint> containers = new LinkedHashMap<>();
        if (withContainers) for (Endpoint e : engine.endpointsOf(n)) containers.put(e.sandboxId(), endpoint(n, e));
        return new NetworkInspect(
                n.name(),
                n.id(),
                Times.rfc3339(n.created()),
                "local",
                n.driver().id(),
                true,
                n.ipv6(),
                new NetworkInspect.Ipam("default", null, configs),
                n.internal(),
                n.attachable(),
                false,
                NetworkInspect.ConfigFrom.NONE,
                false,
                containers,
                n.options(),
                n.labels());
    }

    private static NetworkInspect.IpamConfig ipamConfig(SubnetConfig s) {
        Map<String, String> aux = null;
        if (!s.auxAddresses().isEmpty()) {
            aux = new LinkedHashMap<>();
            for (var e : s.auxAddresses().entrySet()) aux.put(e.getKey(), IpPrefix.format(e.getValue()));
        }
        return new NetworkInspect.IpamConfig(
                s.subnet().toString(),
                s.ipRange() == null ? null : s.ipRange().toString(),
                s.gateway() == null ? null : IpPrefix.format(s.gateway()),
                aux);
    }

    private NetworkInspect.Endpoint endpoint(Network n, Endpoint e) {
        return new NetworkInspect.Endpoint(
                nameOf(e.sandboxId()),
                e.id(),
                e.mac() == null ? "" : e.mac().toString(),
                withPrefix(e.ipv4(), n.ipv4()),
                withPrefix(e.ipv6(), n.ipv6Subnet()));
    }

    /** A container's name, else the sandbox's own (another runtime's attachment, e.g. {@code cni-0123456789ab}). */
    private String nameOf(String sandboxId) {
        String name = joins.nameOf(sandboxId);
        if (!name.isEmpty()) return name;
        for (Sandbox s : engine.attachments()) if (s.id().equals(sandboxId)) return s.name();
        return "";
    }

    static String withPrefix(InetAddress a, SubnetConfig s) {
        if (a == null) return "";
        return IpPrefix.format(a) + "/"
                + (s == null
                        ? (a.getAddress().length == 4 ? 32 : 128)
                        : s.subnet().prefix());
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
