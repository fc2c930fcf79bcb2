package dev.berth.daemon.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.daemon.api.shapes.ContainerInspect;
import dev.berth.daemon.api.shapes.ContainerSummary;
import dev.berth.daemon.containers.ContainerFiles;
import dev.berth.daemon.containers.ContainerRecord;
import dev.berth.daemon.containers.ContainerRequest;
import dev.berth.daemon.containers.Containers;
import dev.berth.daemon.containers.HealthChecker;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.RawConnection;
import dev.berth.daemon.http.Router;
import dev.berth.daemon.json.Json;
import dev.berth.engine.model.Network;
import dev.berth.engine.model.SubnetConfig;
import dev.berth.model.BerthException;
import dev.berth.model.Endpoint;
import dev.berth.model.Ids;
import dev.berth.model.IpPrefix;
import dev.berth.model.PortMapping;
import dev.berth.model.Sandbox;
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
    private static final Set<String> LIST_FILTERS =
            Set.of("id", "name", "status", "label", "network", "ancestor", "exited");

    private final Containers containers;

    /** {@code POST /containers/create}'s answer. */
    record Created(
            @JsonProperty("Id") String id,
            @JsonProperty("Warnings") List<String> warnings) {}

    /** {@code POST /containers/{id}/wait}'s answer (Error: null, or Docker's {Message}). */
    record WaitResponse(
            @JsonProperty("StatusCode") int statusCode,
            @JsonProperty("Error") Object error) {}

    public ContainersApi(Containers containers) {
        this.containers = containers;
    }

    public void register(Router r) {
        r.post("/containers/create", this::create);
        r.get("/containers/json", this::list);
        r.get("/containers/{id}/json", q -> ApiResponse.json(inspect(containers.find(q.param("id")))));
        r.post("/containers/{id}/start", q -> {
            if (!ContainerCreateRequests.isZero(q.jsonBody()))
                throw new BerthException.InvalidRequest(
                        "HostConfig", "a start request takes no config (give it at create)");
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
        if (name != null && !name.isEmpty()) {
            if (name.startsWith("/")) name = name.substring(1);
            return create(ContainerCreateRequests.read(id, name, q.jsonBody()));
        }
        // Docker-like generated name; another create may take the same one between the draw and the create
        for (int attempt = 1; ; attempt++) {
            try {
                return create(ContainerCreateRequests.read(id, containers.unusedName(), q.jsonBody()));
            } catch (BerthException.Conflict e) {
                if (attempt == 3) throw e;
            }
        }
    }

    private ApiResponse create(ContainerRequest request) {
        ContainerRecord r = containers.create(request);
        return ApiResponse.created(new Created(r.id(), request.warnings()));
    }

    private ApiResponse list(ApiRequest q) {
        boolean all = q.flag("all", false);
        Filters f = Filters.parse(q.query("filters"), LIST_FILTERS);
        int limit = q.intQuery("limit", -1);
        List<ContainerSummary> out = new ArrayList<>();
        for (ContainerRecord r : containers.list()) {
            String state = containers.status(r);
            if (!all
                    && !state.equals("running")
                    && !state.equals("paused")
                    && !state.equals("restarting")
                    && !f.has("status")) continue;
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
                && f.any(
                        "ancestor",
                        v -> v.equals(r.image())
                                || (r.imageId() != null && r.imageId().contains(v)))
                && f.any(
                        "exited",
                        v -> state.equals("exited")
                                && String.valueOf(r.runOrNever().exitCode()).equals(v))
                && f.any(
                        "network",
                        v -> r.networks().containsKey(v) || r.networkMode().equals(v))
                && f.labels(r.labels());
    }

    /**
     * The status line goes out at once and the body when the condition is met: the docker CLI waits for
     * the headers of this call before it starts the container it waits for.
     */
    private ApiResponse await(ApiRequest q) {
        CompletableFuture<Integer> code = containers.await(q.param("id"), q.query("condition"));
        return new ApiResponse.Stream(200, "application/json", out -> {
            out.write(Json.write(new WaitResponse(code.get(), null)));
        });
    }

    private ApiResponse resize(ApiRequest q) {
        ContainerRecord r = containers.find(q.param("id"));
        int h = q.intQuery("h", 0), w = q.intQuery("w", 0);
        if (h <= 0 || w <= 0)
            throw new BerthException.InvalidRequest("h", "give the terminal's height h and width w (both above 0)");
        if (!containers.isRunning(r.id()) && !containers.isPaused(r.id()))
            throw new BerthException.Conflict("Container " + r.id() + " is not running");
        containers.runtime().resize(r.id(), w, h);
        return ApiResponse.ok();
    }

    private ApiResponse logs(ApiRequest q) {
        ContainerRecord r = containers.find(q.param("id"));
        boolean stdout = q.flag("stdout", false), stderr = q.flag("stderr", false);
        if (!stdout && !stderr)
            throw new BerthException.InvalidRequest("stdout", "you must choose at least one stream");
        String tailText = q.query("tail");
        int tail = tailText == null || tailText.isEmpty() || tailText.equals("all") ? -1 : q.intQuery("tail", -1);
        LogOptions o = new LogOptions(
                q.flag("follow", false),
                Since.parse(q.query("since"), "since"),
                Since.parse(q.query("until"), "until"),
                tail,
                q.flag("timestamps", false),
                stdout,
                stderr);
        boolean tty = r.config().tty();
        return new ApiResponse.Stream(
                200,
                tty ? Streams.RAW : Streams.MULTIPLEXED,
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
            if (logs)
                pump(
                        containers.runtime().logs(r.id(), new LogOptions(false, null, null, -1, false, stdout, stderr)),
                        conn.output(),
                        tty,
                        false);
            if (!stream) return;
            boolean withStdin = stdin && r.config().openStdin();
            try (AttachSession a = containers.runtime().attach(r.id(), withStdin, stdout, stderr)) {
                Thread out = stdout ? Streams.pump(a.stdout(), conn.output(), tty ? 0 : 1) : null;
                Thread err = stderr && !tty ? Streams.pump(a.stderr(), conn.output(), 2) : null;
                if (withStdin) {
                    Thread.ofVirtual().name("attach-stdin").start(() -> {
                        // Docker closes the process's stdin at the client's end of input only for -i without -t
                        Streams.copyStdin(
                                conn.input(), a.stdin(), keys, r.config().stdinOnce() && !tty);
                        if (!(r.config().stdinOnce() && !tty))
                            a.close(); // detached or gone: the attachment ends, the process runs on
                    });
                }
                if (out != null) out.join();
                if (err != null) err.join();
            }
        });
    }

    /** Log chunks to the client; with {@code timestamps} each line gets its time first, as {@code docker logs -t}. */
    private static void pump(LogReader reader, RawConnection.Output out, boolean tty, boolean timestamps)
            throws Exception {
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
        return ApiResponse.json(new ContainerSummary.Pruned(deleted, 0));
    }

    // ------------------------------------------------------------------ shapes

    private ContainerSummary summary(ContainerRecord r, String state) {
        return new ContainerSummary(
                r.id(),
                List.of("/" + r.name()),
                r.image(),
                r.imageId() == null ? "" : r.imageId(),
                String.join(" ", r.command()),
                r.created().getEpochSecond(),
                portList(r),
                r.labels(),
                state,
                statusText(r, state) + healthSuffix(r, state),
                new ContainerSummary.HostConfig(r.networkMode()),
                new ContainerSummary.NetworkSettings(networks(r)),
                mounts(r));
    }

    private List<ContainerSummary.Port> portList(ContainerRecord r) {
        List<ContainerSummary.Port> out = new ArrayList<>();
        // as Docker: a container on the host's or another container's network has no ports of its own
        if (r.networkMode().equals("host") || r.networkMode().startsWith("container:")) return out;
        Sandbox s = containers.sandboxOf(r.id());
        if (s == null) return out;
        for (PortMapping p : s.ports())
            out.add(new ContainerSummary.Port(
                    p.hostIp() == null ? "0.0.0.0" : IpPrefix.format(p.hostIp()),
                    p.containerPort(),
                    p.hostPort(),
                    p.protocol().id()));
        for (String x : r.exposed()) {
            int port = Integer.parseInt(x.substring(0, x.indexOf('/')));
            if (s.ports().stream().noneMatch(p -> p.containerPort() == port))
                out.add(new ContainerSummary.Port(null, port, null, x.substring(x.indexOf('/') + 1)));
        }
        return out;
    }

    ContainerInspect inspect(ContainerRecord r) {
        Sandbox s = containers.sandboxOf(r.id());
        String status = containers.status(r);
        ContainerFiles files = containers.files();
        return new ContainerInspect(
                r.id(),
                Times.rfc3339(r.created()),
                r.command().isEmpty() ? "" : r.command().getFirst(),
                r.command().isEmpty()
                        ? List.of()
                        : r.command().subList(1, r.command().size()),
                state(r, status),
                r.imageId() == null ? "" : r.imageId(),
                files.path(r.id(), ContainerFiles.RESOLV_CONF).toString(),
                files.path(r.id(), ContainerFiles.HOSTNAME).toString(),
                files.path(r.id(), ContainerFiles.HOSTS).toString(),
                "",
                "/" + r.name(),
                r.runOrNever().restartCount(),
                "overlayfs",
                "linux",
                "",
                "",
                "",
                null,
                hostConfig(r),
                mounts(r),
                config(r, s),
                networkSettings(r, s));
    }

    private static ContainerInspect.HostConfig hostConfig(ContainerRecord r) {
        ContainerRecord.HostSettings h = r.host();
        Map<String, List<ContainerInspect.PortBinding>> bindings = new LinkedHashMap<>();
        r.portBindings().forEach((k, v) -> {
            List<ContainerInspect.PortBinding> l = new ArrayList<>();
            for (ContainerRecord.PortBinding b : v) l.add(new ContainerInspect.PortBinding(b.hostIp(), b.hostPort()));
            bindings.put(k, l);
        });
        List<ContainerInspect.Ulimit> ulimits = new ArrayList<>();
        for (ContainerRecord.Ulimit u : h.ulimits())
            ulimits.add(new ContainerInspect.Ulimit(u.name(), u.soft(), u.hard()));
        List<ContainerInspect.MountSpec> mounts = new ArrayList<>();
        for (ContainerRecord.MountRequest mr : h.mounts()) {
            ContainerInspect.TmpfsOptions tmpfs = mr.tmpfsSizeBytes() != null || mr.tmpfsMode() != null
                    ? new ContainerInspect.TmpfsOptions(mr.tmpfsSizeBytes(), mr.tmpfsMode())
                    : null;
            mounts.add(new ContainerInspect.MountSpec(
                    mr.type(), mr.source(), mr.target(), mr.readOnly() ? true : null, tmpfs));
        }
        return new ContainerInspect.HostConfig(
                nullIfEmpty(h.binds()),
                "",
                new ContainerInspect.LogConfig(
                        h.logConfig().type(), h.logConfig().config()),
                r.networkMode(),
                bindings,
                new ContainerInspect.RestartPolicy(
                        h.restartPolicy().name(), h.restartPolicy().maximumRetryCount()),
                r.autoRemove(),
                nullIfEmpty(h.capAdd()),
                nullIfEmpty(h.capDrop()),
                r.dns(),
                h.dnsOptions(),
                h.dnsSearch(),
                nullIfEmpty(h.extraHosts()),
                h.privileged(),
                r.publishAll(),
                h.readonlyRootfs(),
                nullIfEmpty(h.securityOpt()),
                h.tmpfs().isEmpty() ? null : h.tmpfs(),
                h.cpuShares(),
                h.memory(),
                h.nanoCpus(),
                h.memorySwap(),
                h.pidsLimit() == 0 ? null : h.pidsLimit(),
                nullIfEmpty(ulimits),
                nullIfEmpty(mounts),
                null);
    }

    private static <T> List<T> nullIfEmpty(List<T> l) {
        return l.isEmpty() ? null : l;
    }

    /** Docker's top-level Mounts: every bind, volume and tmpfs the container gets. */
    private static List<ContainerInspect.MountPoint> mounts(ContainerRecord r) {
        List<ContainerInspect.MountPoint> out = new ArrayList<>();
        for (ContainerRecord.Mount mt : r.host().resolved()) {
            boolean bind = mt.type().equals("bind");
            out.add(new ContainerInspect.MountPoint(
                    mt.type(),
                    mt.name(),
                    mt.type().equals("tmpfs") ? "" : mt.source() == null ? "" : mt.source(),
                    mt.destination(),
                    mt.type().equals("volume") ? "local" : null,
                    bind ? (mt.readOnly() ? "ro" : "") : mt.readOnly() ? "ro" : "z",
                    !mt.readOnly(),
                    bind ? "rprivate" : ""));
        }
        return out;
    }

    private static ContainerInspect.Config config(ContainerRecord r, Sandbox s) {
        ContainerRecord.Config c = r.config();
        Map<String, Map<String, Object>> exposed = new LinkedHashMap<>();
        for (String x : r.exposed()) exposed.put(x, Map.of());
        Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
        for (String v : c.volumes()) volumes.put(v, Map.of());
        return new ContainerInspect.Config(
                s != null ? s.hostname() : r.hostname() == null ? r.shortId() : r.hostname(),
                c.domainname(),
                c.user(),
                c.attachStdin(),
                c.attachStdout(),
                c.attachStderr(),
                exposed.isEmpty() ? null : exposed,
                c.tty(),
                c.openStdin(),
                c.stdinOnce(),
                r.env(),
                nullIfEmpty(r.cmd()),
                r.image(),
                volumes.isEmpty() ? null : volumes,
                r.workingDir() == null ? "" : r.workingDir(),
                nullIfEmpty(r.entrypoint()),
                null,
                r.labels(),
                c.stopSignal(),
                c.stopTimeout(),
                c.healthcheck());
    }

    private ContainerInspect.NetworkSettings networkSettings(ContainerRecord r, Sandbox s) {
        Map<String, List<ContainerInspect.PortBinding>> ports = new LinkedHashMap<>();
        for (String x : r.exposed()) ports.put(x, null);
        if (s != null)
            for (PortMapping p : s.ports()) {
                String key = p.containerPort() + "/" + p.protocol().id();
                List<ContainerInspect.PortBinding> l = ports.get(key) != null ? ports.get(key) : new ArrayList<>();
                l.add(new ContainerInspect.PortBinding(
                        p.hostIp() == null ? "0.0.0.0" : IpPrefix.format(p.hostIp()), Integer.toString(p.hostPort())));
                ports.put(key, l);
            }
        Map<String, ContainerInspect.EndpointSettings> nets = networks(r);
        // Docker's top-level fields describe the default bridge endpoint.
        ContainerInspect.EndpointSettings b = nets.get("bridge");
        return new ContainerInspect.NetworkSettings(
                "",
                s == null ? "" : s.id(),
                s == null ? "" : containers.engine().netnsPath(s).toString(),
                s == null ? Map.of() : ports,
                b == null ? "" : b.endpointId(),
                b == null ? "" : b.gateway(),
                b == null ? "" : b.globalIpv6Address(),
                b == null ? 0 : b.globalIpv6PrefixLen(),
                b == null ? "" : b.ipAddress(),
                b == null ? 0 : b.ipPrefixLen(),
                b == null ? "" : b.ipv6Gateway(),
                b == null ? "" : b.macAddress(),
                nets);
    }

    /** Network name to endpoint settings: live ones while the container runs, else what was asked for. */
    private Map<String, ContainerInspect.EndpointSettings> networks(ContainerRecord r) {
        Map<String, ContainerInspect.EndpointSettings> out = new LinkedHashMap<>();
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

    private static ContainerInspect.EndpointSettings endpointSettings(
            Network n, Endpoint e, Sandbox s, ContainerRecord r) {
        ContainerRecord.EndpointSettings asked = r.networks().get(n.name());
        ContainerInspect.EndpointIpam ipam = asked == null || (asked.ipv4() == null && asked.ipv6() == null)
                ? null
                : new ContainerInspect.EndpointIpam(asked.ipv4(), asked.ipv6());
        SubnetConfig v4 = n.ipv4(), v6 = n.ipv6Subnet();
        List<String> dnsNames = new ArrayList<>();
        if (e != null && !n.predefined()) {
            dnsNames.add(r.name());
            dnsNames.addAll(e.aliases());
            dnsNames.add(r.shortId());
            if (s != null && !dnsNames.contains(s.hostname())) dnsNames.add(s.hostname());
        }
        return new ContainerInspect.EndpointSettings(
                ipam,
                null,
                e == null || e.aliases().isEmpty() ? null : e.aliases(),
                e == null || e.mac() == null ? "" : e.mac().toString(),
                null,
                e != null ? e.gwPriority() : asked == null ? 0 : asked.gwPriority(),
                n.id(),
                e == null ? "" : e.id(),
                e == null || e.ipv4() == null || v4 == null || v4.gateway() == null
                        ? ""
                        : IpPrefix.format(v4.gateway()),
                e == null || e.ipv4() == null ? "" : IpPrefix.format(e.ipv4()),
                e == null || e.ipv4() == null || v4 == null ? 0 : v4.subnet().prefix(),
                e == null || e.ipv6() == null || v6 == null || v6.gateway() == null
                        ? ""
                        : IpPrefix.format(v6.gateway()),
                e == null || e.ipv6() == null ? "" : IpPrefix.format(e.ipv6()),
                e == null || e.ipv6() == null || v6 == null ? 0 : v6.subnet().prefix(),
                dnsNames.isEmpty() ? null : dnsNames);
    }

    private ContainerInspect.State state(ContainerRecord r, String status) {
        ContainerRecord.RunState run = r.runOrNever();
        TaskState task = containers.task(r.id());
        boolean alive = status.equals("running") || status.equals("paused");
        HealthChecker.Health h = containers.health(r.id());
        return new ContainerInspect.State(
                status,
                alive,
                status.equals("paused"),
                status.equals("restarting"),
                !alive && run.oomKilled(),
                false,
                alive && task != null ? task.pid() : 0,
                alive ? 0 : run.exitCode(),
                run.error(),
                Times.rfc3339(run.startedAt()),
                Times.rfc3339(alive ? null : run.finishedAt()),
                h == null ? null : health(h));
    }

    /** Docker's State.Health. */
    private static ContainerInspect.Health health(HealthChecker.Health h) {
        List<ContainerInspect.HealthLog> log = new ArrayList<>();
        for (HealthChecker.Probe p : h.log())
            log.add(new ContainerInspect.HealthLog(
                    Times.rfc3339(p.start()), Times.rfc3339(p.end()), p.exitCode(), p.output()));
        return new ContainerInspect.Health(h.status(), h.failingStreak(), log);
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
            case "running" ->
                "Up "
                        + human(Duration.between(
                                run.startedAt() == null ? Instant.now() : run.startedAt(), Instant.now()));
            case "paused" ->
                "Up "
                        + human(Duration.between(
                                run.startedAt() == null ? Instant.now() : run.startedAt(), Instant.now()))
                        + " (Paused)";
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
