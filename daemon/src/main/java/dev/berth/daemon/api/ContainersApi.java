package dev.berth.daemon.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.containers.ContainerRecord;
import dev.berth.daemon.containers.Containers;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.RawConnection;
import dev.berth.daemon.http.Router;
import dev.berth.engine.BerthException;
import dev.berth.engine.Ids;
import dev.berth.engine.model.Endpoint;
import dev.berth.engine.model.Network;
import dev.berth.engine.model.PortMapping;
import dev.berth.engine.model.Sandbox;
import dev.berth.engine.model.SubnetConfig;
import dev.berth.netlink.route.IpPrefix;
import dev.berth.runtime.ContainerState;
import dev.berth.runtime.LogChunk;
import dev.berth.runtime.LogOptions;
import dev.berth.runtime.LogReader;
import dev.berth.runtime.LogStream;
import dev.berth.runtime.Status;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** {@code /containers}: Berth's sandboxes with a process, in the shapes the docker CLI reads. */
public final class ContainersApi {
    private static final Set<String> LIST_FILTERS = Set.of("id", "name", "status", "label", "network", "ancestor", "exited");
    private static final String MULTIPLEXED = "application/vnd.docker.multiplexed-stream";

    private final Containers containers;

    public ContainersApi(Containers containers) {
        this.containers = containers;
    }

    public void register(Router r) {
        r.post("/containers/create", this::create);
        r.get("/containers/json", this::list);
        r.get("/containers/{id}/json", q -> ApiResponse.json(inspect(containers.find(q.param("id")))));
        r.post("/containers/{id}/start", q -> {
            containers.start(q.param("id"));
            return ApiResponse.noContent();
        });
        r.post("/containers/{id}/stop", q -> {
            containers.stop(q.param("id"), q.intQuery("t", q.intQuery("timeout", 10)));
            return ApiResponse.noContent();
        });
        r.post("/containers/{id}/restart", q -> {
            ContainerRecord c = containers.find(q.param("id"));
            if (containers.isRunning(c.id())) containers.stop(c.id(), q.intQuery("t", 10));
            containers.start(c.id());
            return ApiResponse.noContent();
        });
        r.post("/containers/{id}/kill", q -> {
            containers.kill(q.param("id"), q.query("signal"));
            return ApiResponse.noContent();
        });
        r.post("/containers/{id}/wait", this::await);
        r.delete("/containers/{id}", q -> {
            containers.remove(q.param("id"), q.flag("force", false));
            return ApiResponse.noContent();
        });
        r.get("/containers/{id}/logs", this::logs);
        r.post("/containers/{id}/attach", this::attach);
        r.post("/containers/prune", this::prune);
    }

    // ------------------------------------------------------------------ handlers

    private ApiResponse create(ApiRequest q) {
        String name = q.query("name");
        String id = Ids.random();
        if (name == null || name.isEmpty()) name = "berth_" + id.substring(0, 8);
        ContainerRecord r;
        try {
            r = containers.create(ContainerCreateRequests.read(id, name, q.jsonBody()));
        } catch (BerthException.NotFound e) {
            // A 404 from create makes the docker CLI try to pull an image; a missing network is a bad request.
            throw new BerthException.InvalidRequest("NetworkMode", e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Id", r.id());
        out.put("Warnings", List.of());
        return ApiResponse.created(out);
    }

    private ApiResponse list(ApiRequest q) {
        boolean all = q.flag("all", false);
        Filters f = Filters.parse(q.query("filters"), LIST_FILTERS);
        int limit = q.intQuery("limit", -1);
        List<Object> out = new ArrayList<>();
        for (ContainerRecord r : containers.list()) {
            ContainerState st = containers.stateOf(r.id());
            String state = stateName(st);
            if (!all && !state.equals("running") && !f.has("status")) continue;
            if (!matches(r, state, st, f)) continue;
            out.add(summary(r, st, state));
            if (limit > 0 && out.size() >= limit) break;
        }
        return ApiResponse.json(out);
    }

    private boolean matches(ContainerRecord r, String state, ContainerState st, Filters f) {
        return f.any("id", v -> r.id().startsWith(v))
                && f.any("name", v -> r.name().contains(v.startsWith("/") ? v.substring(1) : v))
                && f.any("status", v -> v.equals(state))
                && f.any("ancestor", v -> v.equals(r.image()))
                && f.any("exited", v -> st != null && st.status() == Status.EXITED && String.valueOf(st.exitCode()).equals(v))
                && f.any("network", v -> r.networks().containsKey(v) || r.networkMode().equals(v))
                && f.labels(r.labels());
    }

    /**
     * The status line goes out at once and the body when the condition is met: the docker CLI waits for
     * the headers of this call before it starts the container it waits for.
     */
    private ApiResponse await(ApiRequest q) {
        CompletableFuture<Integer> code = containers.await(q.param("id"), q.query("condition"));
        return new ApiResponse.Stream(200, "application/json", out -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("StatusCode", code.get());
            body.put("Error", null);
            out.write(Json.write(body));
        });
    }

    private ApiResponse logs(ApiRequest q) {
        ContainerRecord r = containers.find(q.param("id"));
        boolean stdout = q.flag("stdout", false), stderr = q.flag("stderr", false);
        if (!stdout && !stderr) throw new BerthException.InvalidRequest("stdout", "you must choose at least one stream");
        String tailText = q.query("tail");
        int tail = tailText == null || tailText.equals("all") ? -1 : q.intQuery("tail", -1);
        LogOptions o = new LogOptions(q.flag("follow", false), null, null, tail, false, stdout, stderr);
        if (containers.stateOf(r.id()) == null) return new ApiResponse.Stream(200, MULTIPLEXED, out -> {});
        return new ApiResponse.Stream(200, MULTIPLEXED, out -> pump(containers.supervisor().logs(r.id(), o), out));
    }

    /**
     * Attach streams the container's output as it is written: from the start when the container has not
     * started yet (docker run attaches before it starts), else from now on.
     */
    private ApiResponse attach(ApiRequest q) {
        ContainerRecord r = containers.find(q.param("id"));
        boolean stdout = q.flag("stdout", false), stderr = q.flag("stderr", false);
        boolean stream = q.flag("stream", false);
        boolean fromStart = !containers.isRunning(r.id());
        return new ApiResponse.Hijack(MULTIPLEXED, conn -> {
            if (!stream) return;
            while (!containers.isRunning(r.id()) && conn.output().isOpen()) {
                ContainerState st = containers.stateOf(r.id());
                if (st != null && st.status() == Status.EXITED && st.startedAt() != null) break;
                Thread.sleep(5);
            }
            if (!conn.output().isOpen()) return;
            pump(containers.supervisor().logs(r.id(), new LogOptions(true, null, null, fromStart ? -1 : 0, false, stdout, stderr)), conn.output());
        });
    }

    private static void pump(LogReader reader, RawConnection.Output out) throws Exception {
        try (reader) {
            LogChunk c;
            while ((c = reader.next()) != null && out.isOpen())
                out.frame(c.stream() == LogStream.STDOUT ? 1 : 2, c.data(), 0, c.data().length);
        }
    }

    private ApiResponse prune(ApiRequest q) {
        List<String> deleted = new ArrayList<>();
        for (ContainerRecord r : containers.list()) {
            if (containers.isRunning(r.id())) continue;
            try {
                containers.remove(r.id(), false);
                deleted.add(r.id());
            } catch (BerthException.Conflict startedMeanwhile) {
                // it runs now; leave it
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ContainersDeleted", deleted);
        out.put("SpaceReclaimed", 0);
        return ApiResponse.json(out);
    }

    // ------------------------------------------------------------------ shapes

    private Map<String, Object> summary(ContainerRecord r, ContainerState st, String state) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", r.id());
        m.put("Names", List.of("/" + r.name()));
        m.put("Image", r.image());
        m.put("ImageID", "");
        m.put("Command", String.join(" ", r.command()));
        m.put("Created", r.created().getEpochSecond());
        m.put("Ports", portList(r));
        m.put("Labels", r.labels());
        m.put("State", state);
        m.put("Status", statusText(st));
        m.put("HostConfig", Map.of("NetworkMode", r.networkMode()));
        m.put("NetworkSettings", Map.of("Networks", networks(r)));
        m.put("Mounts", List.of());
        return m;
    }

    private List<Object> portList(ContainerRecord r) {
        List<Object> out = new ArrayList<>();
        Sandbox s = containers.sandboxOf(r.id());
        if (s == null) return out;
        for (PortMapping p : s.ports()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("IP", p.hostIp() == null ? "0.0.0.0" : IpPrefix.format(p.hostIp()));
            e.put("PrivatePort", p.containerPort());
            e.put("PublicPort", p.hostPort());
            e.put("Type", p.protocol().id());
            out.add(e);
        }
        for (String x : r.exposed()) {
            int port = Integer.parseInt(x.substring(0, x.indexOf('/')));
            if (s.ports().stream().noneMatch(p -> p.containerPort() == port))
                out.add(Map.of("PrivatePort", port, "Type", x.substring(x.indexOf('/') + 1)));
        }
        return out;
    }

    Map<String, Object> inspect(ContainerRecord r) {
        ContainerState st = containers.stateOf(r.id());
        Sandbox s = containers.sandboxOf(r.id());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", r.id());
        m.put("Created", Times.rfc3339(r.created()));
        m.put("Path", r.command().isEmpty() ? "" : r.command().getFirst());
        m.put("Args", r.command().isEmpty() ? List.of() : r.command().subList(1, r.command().size()));
        m.put("State", state(st));
        m.put("Image", r.image());
        m.put("ResolvConfPath", "");
        m.put("HostnamePath", "");
        m.put("HostsPath", "");
        m.put("LogPath", "");
        m.put("Name", "/" + r.name());
        m.put("RestartCount", 0);
        m.put("Driver", "berth");
        m.put("Platform", "linux");
        m.put("MountLabel", "");
        m.put("ProcessLabel", "");
        m.put("AppArmorProfile", "");
        m.put("ExecIDs", null);
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("NetworkMode", r.networkMode());
        Map<String, Object> bindings = new LinkedHashMap<>();
        r.portBindings().forEach((k, v) -> {
            List<Object> l = new ArrayList<>();
            for (ContainerRecord.PortBinding b : v) l.add(Map.of("HostIp", b.hostIp(), "HostPort", b.hostPort()));
            bindings.put(k, l);
        });
        host.put("PortBindings", bindings);
        host.put("PublishAllPorts", r.publishAll());
        host.put("AutoRemove", r.autoRemove());
        host.put("Dns", r.dns());
        host.put("RestartPolicy", Map.of("Name", "no", "MaximumRetryCount", 0));
        m.put("HostConfig", host);
        m.put("Mounts", List.of());
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("Hostname", s != null ? s.hostname() : r.hostname() == null ? r.shortId() : r.hostname());
        cfg.put("Domainname", "");
        cfg.put("User", "");
        cfg.put("AttachStdin", false);
        cfg.put("AttachStdout", false);
        cfg.put("AttachStderr", false);
        Map<String, Object> exposed = new LinkedHashMap<>();
        for (String x : r.exposed()) exposed.put(x, Map.of());
        cfg.put("ExposedPorts", exposed);
        cfg.put("Tty", false);
        cfg.put("OpenStdin", false);
        cfg.put("StdinOnce", false);
        cfg.put("Env", r.env());
        cfg.put("Cmd", r.cmd());
        cfg.put("Image", r.image());
        cfg.put("WorkingDir", r.workingDir() == null ? "" : r.workingDir());
        cfg.put("Entrypoint", r.entrypoint().isEmpty() ? null : r.entrypoint());
        cfg.put("Labels", r.labels());
        m.put("Config", cfg);
        m.put("NetworkSettings", networkSettings(r, s));
        return m;
    }

    private Map<String, Object> networkSettings(ContainerRecord r, Sandbox s) {
        Map<String, Object> ns = new LinkedHashMap<>();
        ns.put("Bridge", "");
        ns.put("SandboxID", s == null ? "" : s.id());
        ns.put("SandboxKey", s == null ? "" : containers.engine().netnsPath(s).toString());
        Map<String, Object> ports = new LinkedHashMap<>();
        for (String x : r.exposed()) ports.put(x, null);
        if (s != null)
            for (PortMapping p : s.ports()) {
                String key = p.containerPort() + "/" + p.protocol().id();
                @SuppressWarnings("unchecked")
                List<Object> l = ports.get(key) instanceof List<?> existing ? (List<Object>) existing : new ArrayList<>();
                l.add(Map.of("HostIp", p.hostIp() == null ? "0.0.0.0" : IpPrefix.format(p.hostIp()), "HostPort", Integer.toString(p.hostPort())));
                ports.put(key, l);
            }
        ns.put("Ports", s == null ? Map.of() : ports);
        Map<String, Object> nets = networks(r);
        // Docker's top-level fields describe the default bridge endpoint.
        @SuppressWarnings("unchecked")
        Map<String, Object> bridge = (Map<String, Object>) nets.get("bridge");
        for (String k : List.of("EndpointID", "Gateway", "GlobalIPv6Address", "GlobalIPv6PrefixLen", "IPAddress", "IPPrefixLen", "IPv6Gateway", "MacAddress"))
            ns.put(k, bridge == null ? (k.endsWith("PrefixLen") ? 0 : "") : bridge.get(k));
        ns.put("Networks", nets);
        return ns;
    }

    /** Network name to endpoint settings: live ones while the container runs, else what was asked for. */
    private Map<String, Object> networks(ContainerRecord r) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Endpoint> live = containers.endpointsOf(r.id());
        Sandbox s = containers.sandboxOf(r.id());
        if (!live.isEmpty()) {
            for (Endpoint e : live) {
                Network n = containers.engine().network(e.networkId());
                out.put(n.name(), endpointSettings(n, e, s, r));
            }
            return out;
        }
        String mode = r.networkMode();
        if (!mode.startsWith("container:")) {
            List<String> names = new ArrayList<>();
            if (!mode.equals("none") || r.networks().isEmpty()) names.add(mode);
            for (String n : r.networks().keySet()) if (!names.contains(n)) names.add(n);
            for (String n : names) {
                Network net;
                try {
                    net = containers.engine().network(n);
                } catch (BerthException.NotFound gone) {
                    continue;
                }
                out.put(net.name(), endpointSettings(net, null, s, r));
            }
        }
        return out;
    }

    private static Map<String, Object> endpointSettings(Network n, Endpoint e, Sandbox s, ContainerRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        ContainerRecord.EndpointSettings asked = r.networks().get(n.name());
        m.put("IPAMConfig", asked == null || (asked.ipv4() == null && asked.ipv6() == null) ? null
                : mapOfNullable("IPv4Address", asked.ipv4(), "IPv6Address", asked.ipv6()));
        m.put("Links", null);
        m.put("Aliases", e == null || e.aliases().isEmpty() ? null : e.aliases());
        m.put("MacAddress", e == null || e.mac() == null ? "" : e.mac().toString());
        m.put("NetworkID", n.id());
        m.put("EndpointID", e == null ? "" : e.id());
        SubnetConfig v4 = n.ipv4(), v6 = n.ipv6Subnet();
        m.put("Gateway", e == null || e.ipv4() == null || v4 == null || v4.gateway() == null ? "" : IpPrefix.format(v4.gateway()));
        m.put("IPAddress", e == null || e.ipv4() == null ? "" : IpPrefix.format(e.ipv4()));
        m.put("IPPrefixLen", e == null || e.ipv4() == null || v4 == null ? 0 : v4.subnet().prefix());
        m.put("IPv6Gateway", e == null || e.ipv6() == null || v6 == null || v6.gateway() == null ? "" : IpPrefix.format(v6.gateway()));
        m.put("GlobalIPv6Address", e == null || e.ipv6() == null ? "" : IpPrefix.format(e.ipv6()));
        m.put("GlobalIPv6PrefixLen", e == null || e.ipv6() == null || v6 == null ? 0 : v6.subnet().prefix());
        m.put("DriverOpts", null);
        List<String> dnsNames = new ArrayList<>();
        if (e != null && !n.predefined()) {
            dnsNames.add(r.name());
            dnsNames.addAll(e.aliases());
            dnsNames.add(r.shortId());
            if (s != null && !dnsNames.contains(s.hostname())) dnsNames.add(s.hostname());
        }
        m.put("DNSNames", dnsNames.isEmpty() ? null : dnsNames);
        return m;
    }

    private static Map<String, Object> mapOfNullable(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (v1 != null) m.put(k1, v1);
        if (v2 != null) m.put(k2, v2);
        return m;
    }

    private static Map<String, Object> state(ContainerState st) {
        Map<String, Object> m = new LinkedHashMap<>();
        String name = stateName(st);
        m.put("Status", name);
        m.put("Running", name.equals("running"));
        m.put("Paused", false);
        m.put("Restarting", false);
        m.put("OOMKilled", false);
        m.put("Dead", false);
        m.put("Pid", st == null ? 0 : st.pid());
        m.put("ExitCode", st == null || st.exitCode() == null ? 0 : st.exitCode());
        m.put("Error", st == null || st.error() == null ? "" : st.error());
        m.put("StartedAt", Times.rfc3339(st == null ? null : st.startedAt()));
        m.put("FinishedAt", Times.rfc3339(st == null ? null : st.finishedAt()));
        return m;
    }

    static String stateName(ContainerState st) {
        if (st == null) return "created";
        return switch (st.status()) {
            case CREATED -> "created";
            case RUNNING -> "running";
            case EXITED -> "exited";
        };
    }

    static String statusText(ContainerState st) {
        if (st == null || st.status() == Status.CREATED) return "Created";
        if (st.status() == Status.RUNNING) return "Up " + human(Duration.between(st.startedAt(), Instant.now()));
        return "Exited (" + (st.exitCode() == null ? 0 : st.exitCode()) + ") "
                + human(Duration.between(st.finishedAt() == null ? Instant.now() : st.finishedAt(), Instant.now())) + " ago";
    }

    /** Docker's human durations: "Less than a second", "5 seconds", "About a minute", "3 hours". */
    static String human(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 1) return "Less than a second";
        if (s == 1) return "1 second";
        if (s < 60) return s + " seconds";
        long m = s / 60;
        if (m == 1) return "About a minute";
        if (m < 60) return m + " minutes";
        long h = Math.round(s / 3600.0);
        if (h == 1) return "About an hour";
        if (h < 48) return h + " hours";
        return (h / 24) + " days";
    }
}
