package dev.berth.daemon.api;

import dev.berth.daemon.containers.ContainerFiles;
import dev.berth.daemon.containers.ContainerRecord;
import dev.berth.daemon.containers.Containers;
import dev.berth.daemon.containers.HealthChecker;
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
import dev.berth.runtime.AttachSession;
import dev.berth.runtime.LogChunk;
import dev.berth.runtime.LogOptions;
import dev.berth.runtime.LogReader;
import dev.berth.runtime.LogStream;
import dev.berth.runtime.TaskState;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** {@code /containers}: Berth's sandboxes with a process, in the shapes the docker CLI reads. */
public final class ContainersApi {
    private static final Set<String> LIST_FILTERS = Set.of("id", "name", "status", "label", "network", "ancestor", "exited");

    private final Containers containers;

    public ContainersApi(Containers containers) {
        this.containers = containers;
    }

    public void register(Router r) {
        r.post("/containers/create", this::create);
        r.get("/containers/json", this::list);
        r.get("/containers/{id}/json", q -> ApiResponse.json(inspect(containers.find(q.param("id")))));
        r.post("/containers/{id}/start", q -> {
            if (!ContainerCreateRequests.isZero(q.jsonBody()))
                throw new BerthException.InvalidRequest("HostConfig", "a start request takes no config (give it at create)");
            containers.start(q.param("id"));
            return ApiResponse.noContent();
        });
        r.post("/containers/{id}/stop", q -> {
            containers.stop(q.param("id"), timeout(q));
            return ApiResponse.noContent();
        });
        r.post("/containers/{id}/restart", q -> {
            containers.restart(q.param("id"), timeout(q));
            return ApiResponse.noContent();
        });
        r.post("/containers/{id}/kill", q -> {
            containers.kill(q.param("id"), q.query("signal"));
            return ApiResponse.noContent();
        });
        r.post("/containers/{id}/pause", q -> {
            containers.pause(q.param("id"));
            return ApiResponse.noContent();
        });
        r.post("/containers/{id}/unpause", q -> {
            containers.unpause(q.param("id"));
            return ApiResponse.noContent();
        });
        r.post("/containers/{id}/resize", this::resize);
        r.post("/containers/{id}/wait", this::await);
        r.delete("/containers/{id}", q -> {
            containers.remove(q.param("id"), q.flag("force", false), q.flag("v", false));
            return ApiResponse.noContent();
        });
        r.get("/containers/{id}/logs", this::logs);
        r.post("/containers/{id}/attach", this::attach);
        r.post("/containers/prune", this::prune);
        r.post("/containers/{id}/rename", q -> {
            containers.rename(q.param("id"), q.query("name"));
            return ApiResponse.noContent();
        });
    }

    // ------------------------------------------------------------------ handlers

    private static Integer timeout(ApiRequest q) {
        String t = q.query("t") != null ? "t" : q.query("timeout") != null ? "timeout" : null;
        return t == null ? null : q.intQuery(t, 10);
    }

    private ApiResponse create(ApiRequest q) {
        String name = q.query("name");
        String id = Ids.random();
        if (name == null || name.isEmpty()) name = "berth_" + id.substring(0, 8);
        else if (name.startsWith("/")) name = name.substring(1);
        ContainerRecord r = containers.create(ContainerCreateRequests.read(id, name, q.jsonBody()));
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
            String state = containers.status(r);
            if (!all && !state.equals("running") && !state.equals("paused") && !state.equals("restarting") && !f.has("status")) continue;
            if (!matches(r, state, f)) continue;
            out.add(summary(r, state));
            if (limit > 0 && out.size() >= limit) break;
        }
        return ApiResponse.json(out);
    }

    private boolean matches(ContainerRecord r, String state, Filters f) {
        return f.any("id", v -> r.id().startsWith(v))
                && f.any("name", v -> r.name().contains(v.startsWith("/") ? v.substring(1) : v))
                && f.any("status", v -> v.equals(state))
                && f.any("ancestor", v -> v.equals(r.image()) || (r.imageId() != null && r.imageId().contains(v)))
                && f.any("exited", v -> state.equals("exited") && String.valueOf(r.runOrNever().exitCode()).equals(v))
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

    private ApiResponse resize(ApiRequest q) {
        ContainerRecord r = containers.find(q.param("id"));
        int h = q.intQuery("h", 0), w = q.intQuery("w", 0);
        if (h <= 0 || w <= 0) throw new BerthException.InvalidRequest("h", "give the terminal's height h and width w (both above 0)");
        if (!containers.isRunning(r.id()) && !containers.isPaused(r.id()))
            throw new BerthException.Conflict("Container " + r.id() + " is not running");
        containers.runtime().resize(r.id(), w, h);
        return ApiResponse.ok();
    }

    private ApiResponse logs(ApiRequest q) {
        ContainerRecord r = containers.find(q.param("id"));
        boolean stdout = q.flag("stdout", false), stderr = q.flag("stderr", false);
        if (!stdout && !stderr) throw new BerthException.InvalidRequest("stdout", "you must choose at least one stream");
        String tailText = q.query("tail");
        int tail = tailText == null || tailText.isEmpty() || tailText.equals("all") ? -1 : q.intQuery("tail", -1);
        LogOptions o = new LogOptions(q.flag("follow", false), Since.parse(q.query("since"), "since"),
                Since.parse(q.query("until"), "until"), tail, q.flag("timestamps", false), stdout, stderr);
        boolean tty = r.config().tty();
        return new ApiResponse.Stream(200, tty ? Streams.RAW : Streams.MULTIPLEXED,
                out -> pump(containers.runtime().logs(r.id(), o), out, tty, o.timestamps()));
    }

    /**
     * Attach: the process's output as it is written, and the client's input to its stdin (when the
     * container keeps stdin open). With a terminal the bytes go raw, else in Docker's multiplexed frames.
     * The attachment ends when the process ends, when the client types the detach keys or goes away.
     */
    private ApiResponse attach(ApiRequest q) {
        ContainerRecord r = containers.find(q.param("id"));
        boolean stdin = q.flag("stdin", false), stdout = q.flag("stdout", false), stderr = q.flag("stderr", false);
        boolean stream = q.flag("stream", false), logs = q.flag("logs", false);
        DetachKeys keys = DetachKeys.parse(q.query("detachKeys"));
        boolean tty = r.config().tty();
        containers.emit("attach", r, Map.of());
        return new ApiResponse.Hijack(tty ? Streams.RAW : Streams.MULTIPLEXED, conn -> {
            if (logs) pump(containers.runtime().logs(r.id(), new LogOptions(false, null, null, -1, false, stdout, stderr)), conn.output(), tty, false);
            if (!stream) return;
            boolean withStdin = stdin && r.config().openStdin();
            try (AttachSession a = containers.runtime().attach(r.id(), withStdin, stdout, stderr)) {
                Thread out = stdout ? Streams.pump(a.stdout(), conn.output(), tty ? 0 : 1) : null;
                Thread err = stderr && !tty ? Streams.pump(a.stderr(), conn.output(), 2) : null;
                if (withStdin) {
                    Thread.ofVirtual().name("attach-stdin").start(() -> {
                        // Docker closes the process's stdin at the client's end of input only for -i without -t
                        Streams.copyStdin(conn.input(), a.stdin(), keys, r.config().stdinOnce() && !tty);
                        if (!(r.config().stdinOnce() && !tty)) a.close(); // detached or gone: the attachment ends, the process runs on
                    });
                }
                if (out != null) out.join();
                if (err != null) err.join();
            }
        });
    }

    /** Log chunks to the client; with {@code timestamps} each line gets its time first, as {@code docker logs -t}. */
    private static void pump(LogReader reader, RawConnection.Output out, boolean tty, boolean timestamps) throws Exception {
        try (reader) {
            LogChunk c;
            while ((c = reader.next()) != null && out.isOpen()) {
                byte[] data = c.data();
                if (timestamps) {
                    byte[] stamp = (Times.rfc3339(c.time()) + " ").getBytes(StandardCharsets.UTF_8);
                    byte[] both = Arrays.copyOf(stamp, stamp.length + data.length);
                    System.arraycopy(data, 0, both, stamp.length, data.length);
                    data = both;
                }
                if (tty) out.write(data, 0, data.length);
                else out.frame(c.stream() == LogStream.STDOUT ? 1 : 2, data, 0, data.length);
            }
        }
    }

    private ApiResponse prune(ApiRequest q) {
        Filters f = Filters.parse(q.query("filters"), Set.of("label", "label!", "until"));
        List<String> deleted = new ArrayList<>();
        for (ContainerRecord r : containers.list()) {
            String state = containers.status(r);
            if (state.equals("running") || state.equals("paused") || state.equals("restarting")) continue;
            if (!f.labels(r.labels()) || !f.notLabels(r.labels()) || !f.until(r.created())) continue;
            try {
                containers.remove(r.id(), false, false);
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

    private Map<String, Object> summary(ContainerRecord r, String state) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", r.id());
        m.put("Names", List.of("/" + r.name()));
        m.put("Image", r.image());
        m.put("ImageID", r.imageId() == null ? "" : r.imageId());
        m.put("Command", String.join(" ", r.command()));
        m.put("Created", r.created().getEpochSecond());
        m.put("Ports", portList(r));
        m.put("Labels", r.labels());
        m.put("State", state);
        m.put("Status", statusText(r, state) + healthSuffix(r, state));
        m.put("HostConfig", Map.of("NetworkMode", r.networkMode()));
        m.put("NetworkSettings", Map.of("Networks", networks(r)));
        m.put("Mounts", mounts(r));
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
        Sandbox s = containers.sandboxOf(r.id());
        String status = containers.status(r);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", r.id());
        m.put("Created", Times.rfc3339(r.created()));
        m.put("Path", r.command().isEmpty() ? "" : r.command().getFirst());
        m.put("Args", r.command().isEmpty() ? List.of() : r.command().subList(1, r.command().size()));
        m.put("State", state(r, status));
        m.put("Image", r.imageId() == null ? "" : r.imageId());
        ContainerFiles files = containers.files();
        m.put("ResolvConfPath", files.path(r.id(), ContainerFiles.RESOLV_CONF).toString());
        m.put("HostnamePath", files.path(r.id(), ContainerFiles.HOSTNAME).toString());
        m.put("HostsPath", files.path(r.id(), ContainerFiles.HOSTS).toString());
        m.put("LogPath", "");
        m.put("Name", "/" + r.name());
        m.put("RestartCount", r.runOrNever().restartCount());
        m.put("Driver", "overlayfs");
        m.put("Platform", "linux");
        m.put("MountLabel", "");
        m.put("ProcessLabel", "");
        m.put("AppArmorProfile", "");
        m.put("ExecIDs", null);
        m.put("HostConfig", hostConfig(r));
        m.put("Mounts", mounts(r));
        m.put("Config", config(r, s));
        m.put("NetworkSettings", networkSettings(r, s));
        return m;
    }

    private static Map<String, Object> hostConfig(ContainerRecord r) {
        ContainerRecord.HostSettings h = r.host();
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("Binds", h.binds().isEmpty() ? null : h.binds());
        host.put("ContainerIDFile", "");
        host.put("LogConfig", Map.of("Type", h.logConfig().type(), "Config", h.logConfig().config()));
        host.put("NetworkMode", r.networkMode());
        Map<String, Object> bindings = new LinkedHashMap<>();
        r.portBindings().forEach((k, v) -> {
            List<Object> l = new ArrayList<>();
            for (ContainerRecord.PortBinding b : v) l.add(Map.of("HostIp", b.hostIp(), "HostPort", b.hostPort()));
            bindings.put(k, l);
        });
        host.put("PortBindings", bindings);
        host.put("RestartPolicy", Map.of("Name", h.restartPolicy().name(), "MaximumRetryCount", h.restartPolicy().maximumRetryCount()));
        host.put("AutoRemove", r.autoRemove());
        host.put("CapAdd", h.capAdd().isEmpty() ? null : h.capAdd());
        host.put("CapDrop", h.capDrop().isEmpty() ? null : h.capDrop());
        host.put("Dns", r.dns());
        host.put("DnsOptions", h.dnsOptions());
        host.put("DnsSearch", h.dnsSearch());
        host.put("ExtraHosts", h.extraHosts().isEmpty() ? null : h.extraHosts());
        host.put("Privileged", h.privileged());
        host.put("PublishAllPorts", r.publishAll());
        host.put("ReadonlyRootfs", h.readonlyRootfs());
        host.put("SecurityOpt", h.securityOpt().isEmpty() ? null : h.securityOpt());
        host.put("Tmpfs", h.tmpfs().isEmpty() ? null : h.tmpfs());
        host.put("CpuShares", h.cpuShares());
        host.put("Memory", h.memory());
        host.put("NanoCpus", h.nanoCpus());
        host.put("MemorySwap", h.memorySwap());
        host.put("PidsLimit", h.pidsLimit() == 0 ? null : h.pidsLimit());
        List<Object> ulimits = new ArrayList<>();
        for (ContainerRecord.Ulimit u : h.ulimits()) ulimits.add(Map.of("Name", u.name(), "Soft", u.soft(), "Hard", u.hard()));
        host.put("Ulimits", ulimits.isEmpty() ? null : ulimits);
        List<Object> mounts = new ArrayList<>();
        for (ContainerRecord.MountRequest mr : h.mounts()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("Type", mr.type());
            if (mr.source() != null) e.put("Source", mr.source());
            e.put("Target", mr.target());
            if (mr.readOnly()) e.put("ReadOnly", true);
            if (mr.tmpfsSizeBytes() != null || mr.tmpfsMode() != null)
                e.put("TmpfsOptions", mapOfNullable("SizeBytes", mr.tmpfsSizeBytes(), "Mode", mr.tmpfsMode()));
            mounts.add(e);
        }
        if (!mounts.isEmpty()) host.put("Mounts", mounts);
        host.put("Init", null);
        return host;
    }

    /** Docker's top-level Mounts: every bind, volume and tmpfs the container gets. */
    private static List<Object> mounts(ContainerRecord r) {
        List<Object> out = new ArrayList<>();
        for (ContainerRecord.Mount mt : r.host().resolved()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("Type", mt.type());
            if (mt.name() != null) e.put("Name", mt.name());
            e.put("Source", mt.type().equals("tmpfs") ? "" : mt.source() == null ? "" : mt.source());
            e.put("Destination", mt.destination());
            if (mt.type().equals("volume")) e.put("Driver", "local");
            e.put("Mode", mt.type().equals("bind") ? (mt.readOnly() ? "ro" : "") : mt.readOnly() ? "ro" : "z");
            e.put("RW", !mt.readOnly());
            e.put("Propagation", mt.type().equals("bind") ? "rprivate" : "");
            out.add(e);
        }
        return out;
    }

    private static Map<String, Object> config(ContainerRecord r, Sandbox s) {
        ContainerRecord.Config c = r.config();
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("Hostname", s != null ? s.hostname() : r.hostname() == null ? r.shortId() : r.hostname());
        cfg.put("Domainname", c.domainname());
        cfg.put("User", c.user());
        cfg.put("AttachStdin", c.attachStdin());
        cfg.put("AttachStdout", c.attachStdout());
        cfg.put("AttachStderr", c.attachStderr());
        Map<String, Object> exposed = new LinkedHashMap<>();
        for (String x : r.exposed()) exposed.put(x, Map.of());
        cfg.put("ExposedPorts", exposed.isEmpty() ? null : exposed);
        cfg.put("Tty", c.tty());
        cfg.put("OpenStdin", c.openStdin());
        cfg.put("StdinOnce", c.stdinOnce());
        cfg.put("Env", r.env());
        cfg.put("Cmd", r.cmd().isEmpty() ? null : r.cmd());
        cfg.put("Image", r.image());
        Map<String, Object> volumes = new LinkedHashMap<>();
        for (String v : c.volumes()) volumes.put(v, Map.of());
        cfg.put("Volumes", volumes.isEmpty() ? null : volumes);
        cfg.put("WorkingDir", r.workingDir() == null ? "" : r.workingDir());
        cfg.put("Entrypoint", r.entrypoint().isEmpty() ? null : r.entrypoint());
        cfg.put("OnBuild", null);
        cfg.put("Labels", r.labels());
        if (c.stopSignal() != null) cfg.put("StopSignal", c.stopSignal());
        if (c.stopTimeout() != null) cfg.put("StopTimeout", c.stopTimeout());
        if (c.healthcheck() != null) cfg.put("Healthcheck", c.healthcheck());
        return cfg;
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

    private Map<String, Object> state(ContainerRecord r, String status) {
        ContainerRecord.RunState run = r.runOrNever();
        TaskState task = containers.task(r.id());
        boolean alive = status.equals("running") || status.equals("paused");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Status", status);
        m.put("Running", alive);
        m.put("Paused", status.equals("paused"));
        m.put("Restarting", status.equals("restarting"));
        m.put("OOMKilled", !alive && run.oomKilled());
        m.put("Dead", false);
        m.put("Pid", alive && task != null ? task.pid() : 0);
        m.put("ExitCode", alive ? 0 : run.exitCode());
        m.put("Error", run.error());
        m.put("StartedAt", Times.rfc3339(run.startedAt()));
        m.put("FinishedAt", Times.rfc3339(alive ? null : run.finishedAt()));
        HealthChecker.Health h = containers.health(r.id());
        if (h != null) m.put("Health", health(h));
        return m;
    }

    /** Docker's State.Health. */
    private static Map<String, Object> health(HealthChecker.Health h) {
        List<Object> log = new ArrayList<>();
        for (HealthChecker.Probe p : h.log()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("Start", Times.rfc3339(p.start()));
            e.put("End", Times.rfc3339(p.end()));
            e.put("ExitCode", p.exitCode());
            e.put("Output", p.output());
            log.add(e);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Status", h.status());
        m.put("FailingStreak", h.failingStreak());
        m.put("Log", log);
        return m;
    }

    /** {@code docker ps}'s " (healthy)", " (health: starting)", " (unhealthy)" of a running container. */
    private String healthSuffix(ContainerRecord r, String state) {
        HealthChecker.Health h = containers.health(r.id());
        if (h == null || !state.equals("running")) return "";
        return h.status().equals("starting") ? " (health: starting)" : " (" + h.status() + ")";
    }

    static String statusText(ContainerRecord r, String state) {
        ContainerRecord.RunState run = r.runOrNever();
        return switch (state) {
            case "created" -> "Created";
            case "running" -> "Up " + human(Duration.between(run.startedAt() == null ? Instant.now() : run.startedAt(), Instant.now()));
            case "paused" -> "Up " + human(Duration.between(run.startedAt() == null ? Instant.now() : run.startedAt(), Instant.now())) + " (Paused)";
            case "restarting" -> "Restarting (" + run.exitCode() + ") " + ago(run.finishedAt());
            default -> "Exited (" + run.exitCode() + ") " + ago(run.finishedAt());
        };
    }

    private static String ago(Instant t) {
        return human(Duration.between(t == null ? Instant.now() : t, Instant.now())) + " ago";
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
