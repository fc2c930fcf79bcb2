package dev.berth.daemon.dockerdriver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Router;
import dev.berth.engine.Engine;
import dev.berth.engine.model.Network;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.engine.request.SubnetRequest;
import dev.berth.model.BerthException;
import dev.berth.model.Endpoint;
import dev.berth.model.NetnsMode;
import dev.berth.model.Sandbox;
import dev.berth.model.log.Log;
import dev.berth.model.net.IpPrefix;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Docker's remote network driver protocol (libnetwork's {@code drivers/remote}), served on a plugin socket
 * such as {@code /run/docker/plugins/berth.sock}, so {@code docker network create -d berth} gives plain
 * dockerd Berth's networks. A Docker network is a Berth bridge network named {@code docker-<12 hex of its
 * id>} with the subnets Docker's IPAM chose; an endpoint is recorded at CreateEndpoint (address, MAC,
 * published ports) and becomes an engine sandbox at Join: Berth makes the veth (host end on the bridge,
 * ports in its nftables maps) and hands the other end to dockerd, which moves it into the container's
 * namespace once it exists (Docker makes it after Join), names it ethN, gives it the address and MAC and
 * routes through the gateway Join names. Calls the driver does not implement get 404, as the protocol
 * asks; failures are {@code {"Err": ...}}. berthd never calls dockerd.
 *
 * <p>A Docker network created with {@code -o berth.network=NAME} and Docker's null IPAM uses the existing
 * Berth network NAME instead (see {@link DriverNetwork}); in cluster mode {@code bridge} is the host's leased
 * subnet, so containers of plain dockerds on several hosts reach each other, as CNI's {@code "network"} key
 * does for pods. Berth then gives the address at CreateEndpoint, which is when Docker asks for it: the veth
 * is made then, and Join only names the namespace.
 */
public final class DockerDriverApi {
    /** The label that ties a Berth network to its Docker network id. */
    public static final String NETWORK_LABEL = "dev.berth.docker.network-id";
    /** The {@code -o} option that maps a Docker network onto an existing Berth network. */
    public static final String MAP_OPTION = "berth.network";

    private static final String PORTMAP = "com.docker.network.portmap";
    private static final String GENERIC = "com.docker.network.generic";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Engine engine;
    private final DriverStore store;
    private final Path pendingDir;
    private final Runnable onChange;

    public DockerDriverApi(Engine engine, Path stateDir, Runnable onChange) {
        this.engine = engine;
        this.store = new DriverStore(stateDir);
        this.pendingDir = stateDir.toAbsolutePath().resolve("unjoined");
        this.onChange = onChange;
    }

    public void register(Router r) {
        r.post("/Plugin.Activate", q -> ApiResponse.json(Map.of("Implements", List.of("NetworkDriver"))));
        r.post(
                "/NetworkDriver.GetCapabilities",
                q -> ApiResponse.json(Map.of("Scope", "local", "ConnectivityScope", "local")));
        r.post("/NetworkDriver.CreateNetwork", q -> call(q, this::createNetwork));
        r.post("/NetworkDriver.DeleteNetwork", q -> call(q, this::deleteNetwork));
        r.post("/NetworkDriver.CreateEndpoint", q -> call(q, this::createEndpoint));
        r.post("/NetworkDriver.EndpointOperInfo", q -> call(q, this::operInfo));
        r.post("/NetworkDriver.DeleteEndpoint", q -> call(q, this::deleteEndpoint));
        r.post("/NetworkDriver.Join", q -> call(q, this::join));
        r.post("/NetworkDriver.Leave", q -> call(q, this::leave));
        // Ports are published from CreateEndpoint's options when the endpoint is joined; nothing more to program.
        r.post("/NetworkDriver.ProgramExternalConnectivity", q -> ApiResponse.json(Map.of()));
        r.post("/NetworkDriver.RevokeExternalConnectivity", q -> ApiResponse.json(Map.of()));
        r.post("/NetworkDriver.DiscoverNew", q -> ApiResponse.json(Map.of()));
        r.post("/NetworkDriver.DiscoverDelete", q -> ApiResponse.json(Map.of()));
    }

    /** The Berth network of a Docker network id. */
    public static String networkName(String dockerNetworkId) {
        return "docker-" + dockerNetworkId.substring(0, Math.min(12, dockerNetworkId.length()));
    }

    @FunctionalInterface
    private interface Handler {
        Object handle(JsonNode body);
    }

    private static ApiResponse call(ApiRequest q, Handler h) {
        JsonNode body;
        try {
            body = q.jsonBody();
        } catch (BerthException e) {
            return new ApiResponse.Json(400, Map.of("Err", e.getMessage()));
        }
        try {
            return ApiResponse.json(h.handle(body));
        } catch (BerthException e) {
            Log.warn("docker driver: " + q.path() + " failed", "error", e.getMessage());
            return new ApiResponse.Json(
                    e instanceof BerthException.InvalidRequest ? 400 : 500, Map.of("Err", e.getMessage()));
        }
    }

    // ------------------------------------------------------------------ networks

    private Object createNetwork(JsonNode b) {
        String nid = id(b, "NetworkID");
        String name = networkName(nid);
        if (exists(name) || store.network(nid) != null)
            return Map.of(); // dockerd repeats a create it did not see answered
        JsonNode options = b.path("Options");
        Map<String, String> generic = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = options.path(GENERIC).fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            generic.put(e.getKey(), e.getValue().asText());
        }
        if (generic.containsKey(MAP_OPTION)) return mapNetwork(nid, b, generic);
        List<SubnetRequest> subnets = new ArrayList<>();
        boolean v6 = false;
        for (String family : List.of("IPv4Data", "IPv6Data")) {
            for (JsonNode d : b.path(family)) {
                String pool = d.path("Pool").asText("");
                if (pool.isEmpty() || pool.equals("0.0.0.0/0")) continue; // the null IPAM driver: no addresses
                Map<String, String> aux = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it =
                                d.path("AuxAddresses").fields();
                        it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    aux.put(e.getKey(), withoutPrefix(e.getValue().asText()));
                }
                subnets.add(new SubnetRequest(
                        pool, emptyToNull(withoutPrefix(d.path("Gateway").asText(""))), null, aux));
                if (family.equals("IPv6Data")) v6 = true;
            }
        }
        if (subnets.isEmpty())
            throw new BerthException.InvalidRequest(
                    "IPv4Data",
                    "Berth networks need a subnet from Docker's IPAM (the null IPAM driver gives none;"
                            + " with it, name an existing Berth network: -o " + MAP_OPTION + "=NAME)");
        boolean internal = options.path("com.docker.network.internal").asBoolean(false);
        engine.createNetwork(
                new NetworkRequest(name, "bridge", subnets, v6, internal, true, generic, Map.of(NETWORK_LABEL, nid)));
        onChange.run();
        Log.info("docker driver: network created", "network", name, "docker-id", nid);
        return Map.of();
    }

    /**
     * {@code -o berth.network=NAME}: the Docker network is the existing Berth bridge network NAME, whose
     * addresses Berth gives; so Docker's IPAM must give none (the null driver) and no other option may
     * reshape a network Berth already has.
     */
    private Object mapNetwork(String nid, JsonNode b, Map<String, String> generic) {
        String target = generic.get(MAP_OPTION);
        for (String family : List.of("IPv4Data", "IPv6Data"))
            for (JsonNode d : b.path(family)) {
                String pool = d.path("Pool").asText("");
                if (!pool.isEmpty() && !pool.equals("0.0.0.0/0") && !pool.equals("::/0"))
                    throw new BerthException.InvalidRequest(
                            MAP_OPTION,
                            "Berth gives the addresses of network " + target + ", but Docker's IPAM chose " + pool
                                    + "; create the Docker network with --ipam-driver null");
            }
        for (String key : generic.keySet())
            if (!key.equals(MAP_OPTION))
                throw new BerthException.InvalidRequest(
                        MAP_OPTION, "network " + target + " exists with its own options; leave out -o " + key);
        Network n;
        try {
            n = engine.network(target);
        } catch (BerthException.NotFound e) {
            throw new BerthException.InvalidRequest(MAP_OPTION, "Berth has no network " + target);
        }
        if (!n.isBridge())
            throw new BerthException.InvalidRequest(
                    MAP_OPTION,
                    "network " + n.name() + " has driver " + n.driver()
                            + "; Docker's containers need a bridge network");
        store.putNetwork(new DriverNetwork(nid, n.name()));
        Log.info("docker driver: network mapped", "network", n.name(), "docker-id", nid);
        return Map.of();
    }

    /** The Berth network of a Docker network: the one it is mapped onto, or its own. */
    private String berthNetwork(String nid) {
        DriverNetwork mapped = store.network(nid);
        return mapped != null ? mapped.berthNetwork() : networkName(nid);
    }

    private Object deleteNetwork(JsonNode b) {
        String nid = id(b, "NetworkID");
        if (store.network(nid) != null) {
            store.removeNetwork(nid); // the Berth network is not Docker's to remove
            return Map.of();
        }
        String name = networkName(nid);
        try {
            engine.removeNetwork(name);
            onChange.run();
        } catch (BerthException.NotFound gone) {
            // already removed: deleting is idempotent, as dockerd may repeat it after a restart
        }
        return Map.of();
    }

    private boolean exists(String network) {
        try {
            engine.network(network);
            return true;
        } catch (BerthException.NotFound e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ endpoints

    private Object createEndpoint(JsonNode b) {
        String nid = id(b, "NetworkID"), eid = id(b, "EndpointID");
        Network n = engine.network(berthNetwork(nid));
        JsonNode iface = b.path("Interface");
        String v4 = emptyToNull(withoutPrefix(iface.path("Address").asText("")));
        String v6 = emptyToNull(withoutPrefix(iface.path("AddressIPv6").asText("")));
        String givenMac = emptyToNull(iface.path("MacAddress").asText(""));
        if (store.network(nid) != null)
            return createMappedEndpoint(
                    n,
                    eid,
                    v4 != null || v6 != null,
                    givenMac,
                    ports(b.path("Options").path(PORTMAP)));
        if (v4 == null && v6 == null)
            throw new BerthException.InvalidRequest(
                    "Interface.Address", "Berth takes the endpoint's address from Docker's IPAM; none was given");
        String mac = givenMac != null ? givenMac : randomMac();
        DriverEndpoint e = new DriverEndpoint(
                n.id(), eid, v4, v6, mac, ports(b.path("Options").path(PORTMAP)));
        store.put(e);
        // Docker asks the driver for a MAC only when it has none; an address it gave must not come back.
        return givenMac != null ? Map.of() : Map.of("Interface", Map.of("MacAddress", mac));
    }

    /**
     * An endpoint of a mapped network: Berth allocates its address on the Berth network now, making the
     * veth to hand over, in the host namespace until Join names the container's namespace, and answers the
     * address (and MAC) for Docker to record, as libnetwork lets a driver do when its IPAM gave none.
     */
    private Object createMappedEndpoint(
            Network n, String eid, boolean dockerGaveAddress, String givenMac, List<String> ports) {
        if (dockerGaveAddress)
            throw new BerthException.InvalidRequest(
                    "Interface.Address",
                    "network " + n.name() + " takes its addresses from Berth, not from Docker's IPAM");
        Sandbox s = joined(eid);
        if (s == null) {
            store.put(new DriverEndpoint(
                    n.id(), eid, null, null, givenMac, ports)); // found by DeleteEndpoint should this fail half-way
            SandboxRequest r = new SandboxRequest(
                    eid,
                    "docker-" + eid.substring(0, 12),
                    null,
                    n.name(),
                    new EndpointRequest(null, null, givenMac, List.of(), "bd" + eid.substring(0, 11)),
                    ports,
                    false,
                    List.of(),
                    pendingDir.resolve(eid).toString());
            s = engine.createHandedOverSandbox(r);
            onChange.run();
        }
        Endpoint ep = engine.endpointsOf(s).getFirst();
        String v4 = ep.ipv4() == null ? null : IpPrefix.format(ep.ipv4());
        String v6 = ep.ipv6() == null ? null : IpPrefix.format(ep.ipv6());
        store.put(new DriverEndpoint(n.id(), eid, v4, v6, ep.mac().toString(), ports));
        Map<String, Object> out = new LinkedHashMap<>();
        if (v4 != null) out.put("Address", v4 + "/" + n.ipv4().subnet().prefix());
        if (v6 != null)
            out.put("AddressIPv6", v6 + "/" + n.ipv6Subnet().subnet().prefix());
        if (givenMac == null) out.put("MacAddress", ep.mac().toString());
        Log.info(
                "docker driver: endpoint addressed by Berth",
                "endpoint",
                eid,
                "network",
                n.name(),
                "address",
                v4 == null ? v6 : v4);
        return Map.of("Interface", out);
    }

    private Object operInfo(JsonNode b) {
        String eid = id(b, "EndpointID");
        Map<String, Object> value = new LinkedHashMap<>();
        Sandbox s = joined(eid);
        if (s != null)
            for (Endpoint ep : engine.endpointsOf(s)) {
                value.put("berth.sandbox", s.name());
                value.put("berth.host-interface", ep.hostIfName());
                value.put("berth.interface", ep.ifName());
                value.put(
                        "berth.ports", s.ports().stream().map(Object::toString).toList());
            }
        return Map.of("Value", value);
    }

    private Object deleteEndpoint(JsonNode b) {
        String eid = id(b, "EndpointID");
        leaveQuietly(eid);
        store.remove(eid);
        return Map.of();
    }

    private Object join(JsonNode b) {
        String eid = id(b, "EndpointID");
        String key = b.path("SandboxKey").asText("");
        if (key.isEmpty())
            throw new BerthException.InvalidRequest("SandboxKey", "Join needs the container's namespace");
        DriverEndpoint e = store.get(eid);
        if (e == null) throw new BerthException.NotFound("endpoint " + eid + " was not created through Berth's driver");
        Network n = engine.network(e.networkId());
        Sandbox existing = joined(eid);
        if (existing != null) {
            if (existing.netns() instanceof NetnsMode.External x
                    && x.path().equals(pendingDir.resolve(eid).toString())) {
                existing = engine.moveHandedOverSandbox(
                        eid, key); // an endpoint of a mapped network: addressed at CreateEndpoint
                Log.info("docker driver: joined", "endpoint", eid, "network", n.name(), "sandbox", key);
            }
            if (existing.netns() instanceof NetnsMode.External x && x.path().equals(key))
                return joinResponse(n, engine.endpointsOf(existing).getFirst());
            throw new BerthException.Conflict("endpoint " + eid + " already joined another sandbox");
        }
        if (store.network(b.path("NetworkID").asText()) != null)
            throw new BerthException.Conflict("endpoint " + eid
                    + " lost the address Berth gave it (berthd restarted before Join); start the container again");
        SandboxRequest r = new SandboxRequest(
                eid,
                e.sandboxName(),
                null,
                n.name(),
                new EndpointRequest(e.ipv4(), e.ipv6(), e.mac(), List.of(), "bd" + eid.substring(0, 11)),
                e.ports(),
                false,
                List.of(),
                key);
        Sandbox s = engine.createHandedOverSandbox(r);
        onChange.run();
        Log.info("docker driver: joined", "endpoint", eid, "network", n.name(), "sandbox", key);
        return joinResponse(n, engine.endpointsOf(s).getFirst());
    }

    /**
     * The interface for dockerd to move into the container (it names it ethN and gives it the address and
     * MAC of CreateEndpoint) and the gateway it routes through, so the container needs no gateway bridge.
     */
    private static Map<String, Object> joinResponse(Network n, Endpoint ep) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("InterfaceName", Map.of("SrcName", ep.ifName(), "DstPrefix", "eth"));
        if (!n.internal()) {
            if (n.ipv4() != null && n.ipv4().gateway() != null && ep.ipv4() != null)
                out.put("Gateway", IpPrefix.format(n.ipv4().gateway()));
            if (n.ipv6Subnet() != null && n.ipv6Subnet().gateway() != null && ep.ipv6() != null)
                out.put("GatewayIPv6", IpPrefix.format(n.ipv6Subnet().gateway()));
        }
        out.put("StaticRoutes", List.of());
        return out;
    }

    private Object leave(JsonNode b) {
        leaveQuietly(id(b, "EndpointID"));
        return Map.of();
    }

    private void leaveQuietly(String eid) {
        if (joined(eid) == null) return;
        try {
            engine.removeSandbox(eid);
            onChange.run();
        } catch (BerthException.NotFound gone) {
            // removed meanwhile
        }
    }

    private Sandbox joined(String eid) {
        try {
            return engine.sandbox(eid);
        } catch (BerthException.NotFound e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ values

    /** Docker's port bindings ({@code [{Proto, IP, Port, HostIP, HostPort, HostPortEnd}]}) in its {@code -p} syntax. */
    static List<String> ports(JsonNode bindings) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : bindings) {
            String proto = switch (p.path("Proto").asInt(6)) {
                case 6 -> "tcp";
                case 17 -> "udp";
                case 132 -> "sctp";
                default ->
                    throw new BerthException.InvalidRequest(
                            "Options." + PORTMAP, "protocol " + p.path("Proto") + " is not tcp, udp or sctp");
            };
            int port = p.path("Port").asInt(),
                    host = p.path("HostPort").asInt(0),
                    end = p.path("HostPortEnd").asInt(0);
            String ip = p.path("HostIP").asText("");
            if (ip.equals("<nil>")) ip = "";
            String hostPart = host == 0 ? "" : end > host ? host + "-" + end : Integer.toString(host);
            String ipPart = ip.isEmpty() ? "" : (ip.contains(":") ? "[" + ip + "]" : ip) + ":";
            out.add(
                    ipPart.isEmpty() && hostPart.isEmpty()
                            ? port + "/" + proto
                            : ipPart + hostPart + ":" + port + "/" + proto);
        }
        return out;
    }

    private static String id(JsonNode b, String field) {
        String v = b.path(field).asText("");
        if (!v.matches("[0-9a-f]{64}"))
            throw new BerthException.InvalidRequest(field, "'" + v + "' is not a Docker id (64 hex digits)");
        return v;
    }

    private static String withoutPrefix(String cidr) {
        int slash = cidr.indexOf('/');
        return slash < 0 ? cidr : cidr.substring(0, slash);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** A random locally administered unicast MAC, as Berth gives its own endpoints. */
    private static String randomMac() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        b[0] = (byte) ((b[0] & 0xfe) | 0x02);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 6; i++) s.append(i == 0 ? "" : ":").append(String.format("%02x", b[i] & 0xff));
        return s.toString();
    }
}
