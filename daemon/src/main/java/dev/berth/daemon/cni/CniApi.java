package dev.berth.daemon.cni;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Router;
import dev.berth.engine.Engine;
import dev.berth.engine.model.Network;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.model.BerthException;
import dev.berth.model.Endpoint;
import dev.berth.model.IpPrefix;
import dev.berth.model.NetnsMode;
import dev.berth.model.Sandbox;
import dev.berth.model.log.Log;
import dev.berth.netlink.route.Link;
import dev.berth.netlink.route.Rtnl;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code POST /berth/cni}: the work of Berth's CNI plugin ({@code bin/cni/berth}, a forwarder that sends
 * the {@code CNI_*} variables as {@code CNI-*} headers and the configuration as the body). ADD makes an
 * engine sandbox in the runtime's namespace (one endpoint on the configured Berth network, its published
 * ports in Berth's nftables maps); DEL removes it, and succeeds when there is nothing to remove; CHECK
 * compares the kernel with the engine's record and the runtime's prevResult; STATUS says whether an ADD
 * could work now; GC removes the attachments of a CNI network that the runtime no longer lists.
 * Answers are the spec's result or error objects; the HTTP status only tells the plugin which it is.
 * DELs the plugin recorded while berthd was down ({@link PendingDeletes}) are applied at start and before
 * every call, so the address, ports and record of an attachment deleted meanwhile go before anything else.
 */
public final class CniApi {
    private final Engine engine;
    private final AttachmentStore store;
    private final Runnable onChange;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final PendingDeletes pending;

    /**
     * Opens the attachment records under {@code dir}, forgets those whose sandbox the engine no longer has and
     * applies the DELs recorded beside {@code socket} (the plugin finds berthd by that path).
     */
    public CniApi(Engine engine, Path dir, Path socket, Runnable onChange) {
        this.engine = engine;
        this.store = new AttachmentStore(dir);
        this.onChange = onChange;
        this.pending = new PendingDeletes(socket);
        Set<String> live = new HashSet<>();
        for (Sandbox s : engine.attachments()) live.add(s.id());
        for (Attachment a : store.all()) {
            if (live.contains(a.sandboxId())) continue;
            Log.info(
                    "cni: forgetting an attachment whose namespace is gone",
                    "container",
                    a.containerId(),
                    "ifname",
                    a.ifName(),
                    "netns",
                    a.netns());
            store.remove(a.sandboxId());
        }
        applyPendingDeletes();
    }

    public void register(Router r) {
        register(r, this);
    }

    /** Registers the route for {@code api}; null when nothing will call it (a route table, see Daemon.routeTable). */
    public static void register(Router r, CniApi api) {
        r.post("/berth/cni", q -> api.handle(q));
    }

    /** The attachment recorded for a sandbox id, or null (other sandboxes are Berth's own containers). */
    public Attachment attachmentOf(String sandboxId) {
        return store.get(sandboxId);
    }

    private ApiResponse handle(ApiRequest q) {
        String version = "1.1.0";
        applyPendingDeletes();
        try {
            CniRequest r = CniRequest.parse(q);
            version = r.cniVersion();
            Object result = switch (r.command()) {
                case "ADD" -> add(r.require(true), PluginProcess.of(q.header("cni-plugin-process")));
                case "DEL" -> del(r.require(false));
                case "CHECK" -> check(r.require(true));
                case "STATUS" -> status(r);
                case "GC" -> gc(r);
                default -> Map.of("cniVersion", r.cniVersion(), "supportedVersions", CniRequest.SUPPORTED_VERSIONS);
            };
            return result == null ? ApiResponse.ok() : ApiResponse.json(result);
        } catch (CniError e) {
            return new ApiResponse.Json(e.httpStatus(), e.toJson(version));
        } catch (BerthException e) {
            CniError c = translate(e);
            return new ApiResponse.Json(c.httpStatus(), c.toJson(version));
        }
    }

    // ------------------------------------------------------------------ commands

    /** ADD; {@code sender} (null when unknown) is checked under the attachment's lock, before and after the work. */
    private Map<String, Object> add(CniRequest r, PluginProcess sender) {
        Network n = network(r, CniError.INVALID_CONFIG);
        Attachment a = Attachment.of(r);
        synchronized (lockOf(a.sandboxId())) {
            if (sender != null && !sender.alive()) throw senderGone(r);
            Attachment existing = store.get(a.sandboxId());
            if (existing != null) {
                if (!existing.netns().equals(a.netns()) || !existing.network().equals(a.network()))
                    throw new CniError(
                            CniError.CONFLICT,
                            "container " + r.containerId() + " already has " + r.ifName() + " on " + r.cniName(),
                            "it was added in " + existing.netns() + " on Berth network " + existing.network()
                                    + "; DEL it first");
                return result(r, existing); // the same ADD again: the same answer
            }
            SandboxRequest req = new SandboxRequest(
                    a.sandboxId(),
                    a.sandboxName(),
                    null,
                    n.name(),
                    endpoint(r),
                    CniPorts.specs(r.runtimeConfig().get("portMappings")),
                    false,
                    List.of(),
                    r.netns());
            store.put(a);
            try {
                engine.createSandbox(req);
            } catch (RuntimeException e) {
                store.remove(a.sandboxId());
                throw e;
            }
            onChange.run();
            if (sender != null
                    && !sender.alive()) { // killed meanwhile: its runtime got no result, and its DEL may have come and
                // gone
                remove(a.sandboxId());
                throw senderGone(r);
            }
            Log.info(
                    "cni: attached",
                    "container",
                    r.containerId(),
                    "ifname",
                    r.ifName(),
                    "network",
                    n.name(),
                    "netns",
                    r.netns());
            return result(r, a);
        }
    }

    private static CniError senderGone(CniRequest r) {
        Log.info("cni: dropped an ADD whose plugin is gone", "container", r.containerId(), "ifname", r.ifName());
        return new CniError(CniError.TRY_AGAIN, "the plugin that sent this ADD is gone; nothing was added", "");
    }

    private Object del(CniRequest r) {
        String id = Attachment.sandboxId(r.cniName(), r.containerId(), r.ifName());
        synchronized (lockOf(id)) {
            remove(id);
        }
        return null;
    }

    /** Removes the sandbox of an attachment and its record; nothing there is success (DEL is idempotent). */
    private void remove(String sandboxId) {
        try {
            Sandbox s = engine.sandbox(sandboxId);
            if (!(s.netns() instanceof NetnsMode.External))
                throw new CniError(
                        CniError.CONFLICT, "sandbox " + s.name() + " is a Berth container, not a CNI attachment", "");
            engine.removeSandbox(sandboxId);
            onChange.run();
        } catch (BerthException.NotFound gone) {
            // already removed (a second DEL, or an ADD that never got this far)
        }
        store.remove(sandboxId);
        locks.remove(sandboxId);
    }

    private Object check(CniRequest r) {
        JsonNode prev = r.prevResult();
        if (prev == null)
            throw new CniError(CniError.INVALID_CONFIG, "prevResult: CHECK needs the result of the ADD", "");
        String id = Attachment.sandboxId(r.cniName(), r.containerId(), r.ifName());
        Attachment a = store.get(id);
        if (a == null)
            throw new CniError(
                    CniError.CHECK_FAILED,
                    "container " + r.containerId() + " has no " + r.ifName() + " on " + r.cniName(),
                    "berthd has no such attachment; it was never added, or deleted");
        if (!a.netns().equals(r.netns()))
            throw new CniError(
                    CniError.CHECK_FAILED, "the attachment is in " + a.netns() + ", not in CNI_NETNS " + r.netns(), "");
        Endpoint e = endpointOf(a);
        Optional<CniResults.Inside> inside = CniResults.inspect(a.netns(), a.ifName());
        if (inside.isEmpty())
            throw new CniError(CniError.CHECK_FAILED, "interface " + a.ifName() + " is missing in " + a.netns(), "");
        if (!inside.get().link().mac().equals(e.mac()))
            throw new CniError(
                    CniError.CHECK_FAILED,
                    a.ifName() + " has MAC " + inside.get().link().mac() + ", not " + e.mac(),
                    "");
        Network n = engine.network(e.networkId());
        for (InetAddress ip : new InetAddress[] {e.ipv4(), e.ipv6()}) {
            if (ip == null) continue;
            if (inside.get().addresses().stream().noneMatch(p -> p.address().equals(ip)))
                throw new CniError(CniError.CHECK_FAILED, a.ifName() + " lacks its address " + IpPrefix.format(ip), "");
            if (!listed(prev, ip))
                throw new CniError(
                        CniError.CHECK_FAILED,
                        "prevResult does not list " + IpPrefix.format(ip),
                        "the ADD's result had other addresses");
        }
        try (Rtnl host = Rtnl.open()) {
            Optional<Link> veth = host.links().find(e.hostIfName());
            Optional<Link> bridge = host.links().find(n.device());
            if (veth.isEmpty()
                    || bridge.isEmpty()
                    || veth.get().masterIndex() != bridge.get().index())
                throw new CniError(
                        CniError.CHECK_FAILED,
                        "the host side " + e.hostIfName() + " is not on bridge " + n.device(),
                        "");
        }
        return null;
    }

    private Object status(CniRequest r) {
        r.requireVersion110();
        network(r, CniError.NOT_AVAILABLE);
        return null;
    }

    /** Removes this CNI network's attachments that {@code cni.dev/valid-attachments} does not list; reports all failures. */
    private Object gc(CniRequest r) {
        r.requireVersion110();
        JsonNode valid = r.config().get("cni.dev/valid-attachments");
        if (valid != null && !valid.isNull() && !valid.isArray())
            throw new CniError(
                    CniError.INVALID_CONFIG, "cni.dev/valid-attachments: expected a list of {containerID, ifname}", "");
        Set<String> keep = new HashSet<>();
        if (valid != null)
            for (JsonNode v : valid) {
                if (!v.path("containerID").isTextual() || !v.path("ifname").isTextual())
                    throw new CniError(
                            CniError.INVALID_CONFIG,
                            "cni.dev/valid-attachments: " + v + " lacks containerID or ifname",
                            "");
                keep.add(Attachment.sandboxId(
                        r.cniName(),
                        v.get("containerID").asText(),
                        v.get("ifname").asText()));
            }
        List<String> failures = new ArrayList<>();
        for (Attachment a : store.all()) {
            if (!a.cniName().equals(r.cniName()) || keep.contains(a.sandboxId())) continue;
            synchronized (lockOf(a.sandboxId())) {
                try {
                    remove(a.sandboxId());
                    Log.info("cni: gc removed a stale attachment", "container", a.containerId(), "ifname", a.ifName());
                } catch (RuntimeException e) {
                    failures.add(a.containerId() + "/" + a.ifName() + ": " + e.getMessage());
                }
            }
        }
        if (!failures.isEmpty())
            throw new CniError(
                    CniError.FAILED,
                    "GC could not remove " + failures.size() + " attachment(s)",
                    String.join("; ", failures));
        return null;
    }

    /**
     * Applies each recorded DEL and removes its file; one berthd cannot read is dropped with a warning, one
     * that fails is kept for the next call. Cheap when there is none: one directory listing.
     */
    private void applyPendingDeletes() {
        if (pending.files().isEmpty()) return;
        synchronized (pending) {
            for (Path f : pending.files()) {
                try {
                    PendingDeletes.Request q = PendingDeletes.read(f);
                    CniRequest r = CniRequest.parse(q::header, q.body());
                    if (!r.command().equals("DEL"))
                        throw new CniError(CniError.INVALID_ENV, "CNI_COMMAND: " + r.command() + " is not DEL", "");
                    del(r.require(false));
                    Log.info(
                            "cni: applied a DEL recorded while berthd was down",
                            "container",
                            r.containerId(),
                            "ifname",
                            r.ifName(),
                            "network",
                            r.cniName());
                    pending.done(f);
                } catch (IOException | CniError | BerthException.InvalidRequest e) {
                    Log.warn("cni: dropping a recorded DEL berthd cannot read", "file", f, "error", e.getMessage());
                    pending.done(f);
                } catch (RuntimeException e) {
                    Log.warn(
                            "cni: a recorded DEL failed; it is tried again at the next CNI call",
                            "file",
                            f,
                            "error",
                            e.getMessage());
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private Map<String, Object> result(CniRequest r, Attachment a) {
        Endpoint e = endpointOf(a);
        CniResults.Inside inside = CniResults.inspect(a.netns(), a.ifName()).orElse(null);
        return CniResults.add(r.cniVersion(), a, e, engine.network(e.networkId()), inside, CniResults.dns(r));
    }

    private Endpoint endpointOf(Attachment a) {
        List<Endpoint> eps = engine.endpointsOf(engine.sandbox(a.sandboxId()));
        if (eps.isEmpty())
            throw new CniError(CniError.FAILED, "the attachment of " + a.containerId() + " has no endpoint", "");
        return eps.getFirst();
    }

    private Network network(CniRequest r, int code) {
        Network n;
        try {
            n = engine.network(r.network());
        } catch (BerthException.NotFound e) {
            throw new CniError(
                    code,
                    "network: Berth has no network " + r.network(),
                    "create it first (docker network create / berth network create) or name another in the configuration");
        }
        if (!n.isBridge())
            throw new CniError(
                    code,
                    "network: " + n.name() + " has driver " + n.driver() + "; CNI attachments need a bridge network",
                    "");
        return n;
    }

    /** The capabilities "ips" and "mac" (or args.cni, or CNI_ARGS IP= and MAC=), and the interface name. */
    private static EndpointRequest endpoint(CniRequest r) {
        String v4 = null, v6 = null;
        List<String> ips = new ArrayList<>();
        JsonNode rt = r.runtimeConfig().get("ips");
        if (rt == null) rt = r.conventionArg("ips");
        if (rt != null && !rt.isNull()) {
            if (!rt.isArray())
                throw new CniError(
                        CniError.INVALID_CONFIG, "runtimeConfig.ips: expected a list of addresses, got " + rt, "");
            for (JsonNode x : rt) ips.add(x.asText());
        }
        if (r.cniArgs().containsKey("IP"))
            ips.addAll(List.of(r.cniArgs().get("IP").split(",")));
        for (String ip : ips) {
            String addr = ip.contains("/") ? ip.substring(0, ip.indexOf('/')) : ip;
            boolean six = addr.contains(":");
            if (six ? v6 != null : v4 != null)
                throw new CniError(
                        CniError.INVALID_CONFIG,
                        "runtimeConfig.ips: more than one IPv" + (six ? 6 : 4) + " address in " + ips,
                        "");
            if (six) v6 = addr;
            else v4 = addr;
        }
        String mac = null;
        JsonNode m = r.runtimeConfig().get("mac");
        if (m == null) m = r.conventionArg("mac");
        if (m != null && !m.isNull()) mac = m.asText();
        if (r.cniArgs().containsKey("MAC")) mac = r.cniArgs().get("MAC");
        return new EndpointRequest(v4, v6, mac, List.of(), r.ifName());
    }

    /** Whether the runtime's prevResult lists {@code ip} among its ips. */
    private static boolean listed(JsonNode prev, InetAddress ip) {
        for (JsonNode x : prev.path("ips")) {
            String a = x.path("address").asText("");
            int slash = a.indexOf('/');
            try {
                if (IpPrefix.literal(slash < 0 ? a : a.substring(0, slash), "prevResult.ips")
                        .equals(ip)) return true;
            } catch (RuntimeException notAnAddress) {
                // another plugin's entry we cannot read: not ours
            }
        }
        return false;
    }

    private Object lockOf(String id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }

    /** The engine's refusals in the spec's words: the variable or configuration key at fault. */
    private static CniError translate(BerthException e) {
        return switch (e) {
            case BerthException.InvalidRequest x ->
                switch (x.field()) {
                    case "netns" ->
                        new CniError(
                                CniError.INVALID_ENV,
                                "CNI_NETNS" + x.getMessage().substring("netns".length()),
                                "");
                    case "ifName" ->
                        new CniError(
                                CniError.INVALID_ENV,
                                "CNI_IFNAME" + x.getMessage().substring("ifName".length()),
                                "");
                    case "HostConfig.PortBindings" ->
                        new CniError(
                                CniError.INVALID_CONFIG,
                                "runtimeConfig.portMappings"
                                        + x.getMessage().substring(x.field().length()),
                                "");
                    default -> {
                        String problem = x.getMessage().substring(x.field().length() + 2);
                        if (x.field().startsWith("EndpointConfig.IPAMConfig"))
                            yield new CniError(CniError.INVALID_CONFIG, "runtimeConfig.ips: " + problem, "");
                        if (x.field().endsWith("MacAddress"))
                            yield new CniError(CniError.INVALID_CONFIG, "runtimeConfig.mac: " + problem, "");
                        yield new CniError(CniError.INVALID_CONFIG, x.getMessage(), "");
                    }
                };
            case BerthException.NotFound x -> new CniError(CniError.INVALID_CONFIG, x.getMessage(), "");
            case BerthException.Conflict x -> new CniError(CniError.CONFLICT, x.getMessage(), "");
            case BerthException.Unsupported x -> new CniError(CniError.INVALID_CONFIG, x.getMessage(), "");
            case BerthException.Failed x ->
                new CniError(CniError.FAILED, x.getMessage(), "berthd undid what it had done");
        };
    }
}
