package dev.berth.daemon.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.api.shapes.ExecInspect;
import dev.berth.daemon.api.shapes.IdResponse;
import dev.berth.daemon.containers.ContainerRecord;
import dev.berth.daemon.containers.Containers;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.RawConnection;
import dev.berth.daemon.http.Router;
import dev.berth.model.BerthException;
import dev.berth.model.Ids;
import dev.berth.runtime.ExecRequest;
import dev.berth.runtime.ExecSession;
import dev.berth.runtime.TaskState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code docker exec}: create an exec (its process spec is checked then), start it on a taken-over
 * connection (raw bytes with a terminal, multiplexed frames without), resize its terminal, inspect its
 * exit code.
 */
public final class ExecApi {
    private static final Duration KEEP_FINISHED = Duration.ofMinutes(10);
    private static final Set<String> FIELDS = Set.of(
            // docker-py (Container) and docker-java (containerId) send the container's id again; Docker ignores it
            "Container",
            "containerId",
            "AttachStdin",
            "AttachStdout",
            "AttachStderr",
            "DetachKeys",
            "Tty",
            "Env",
            "Cmd",
            "Privileged",
            "User",
            "WorkingDir",
            "ConsoleSize");

    private final Containers containers;
    private final Map<String, Exec> execs = new ConcurrentHashMap<>();

    public ExecApi(Containers containers) {
        this.containers = containers;
    }

    /** One exec: what to run and, once started, how it went. */
    private static final class Exec {
        final String id;
        final String containerId;
        final List<String> command;
        final String spec;
        final boolean tty, privileged;
        final String user;
        final boolean stdin, stdout, stderr;
        final String detachKeys;
        final List<Integer> consoleSize;
        volatile boolean running;
        volatile Integer exitCode;
        volatile long pid;
        volatile Instant finished;
        volatile ExecSession session;
        final Instant created = Instant.now();

        Exec(
                String id,
                String containerId,
                List<String> command,
                String spec,
                boolean tty,
                boolean privileged,
                String user,
                boolean stdin,
                boolean stdout,
                boolean stderr,
                String detachKeys,
                List<Integer> consoleSize) {
            this.id = id;
            this.containerId = containerId;
            this.command = command;
            this.spec = spec;
            this.tty = tty;
            this.privileged = privileged;
            this.user = user;
            this.stdin = stdin;
            this.stdout = stdout;
            this.stderr = stderr;
            this.detachKeys = detachKeys;
            this.consoleSize = consoleSize;
        }
    }

    public void register(Router r) {
        r.post("/containers/{id}/exec", this::create);
        r.post("/exec/{id}/start", this::start);
        r.post("/exec/{id}/resize", this::resize);
        r.get("/exec/{id}/json", this::inspect);
    }

    private ApiResponse create(ApiRequest q) {
        ContainerRecord c = containers.find(q.param("id"));
        TaskState st = containers.task(c.id()); // one look at containerd for both checks
        if (st != null && st.status() == TaskState.Status.PAUSED)
            throw new BerthException.Conflict("Container " + c.id() + " is paused, unpause the container before exec");
        if (st == null || st.status() != TaskState.Status.RUNNING)
            throw new BerthException.Conflict("container " + c.id() + " is not running");
        JsonNode b = q.jsonBody();
        JsonShape.checkExecCreate(b);
        for (var it = b.fields(); it.hasNext(); ) {
            var f = it.next();
            if (!FIELDS.contains(f.getKey()) && !ContainerCreateRequests.isZero(f.getValue()))
                throw new BerthException.InvalidRequest(f.getKey(), "not supported by Berth (leave it unset)");
        }
        List<String> cmd = ContainerCreateRequests.strings(b.path("Cmd"), "Cmd");
        if (cmd.isEmpty()) throw new BerthException.InvalidRequest("Cmd", "No exec command specified");
        List<String> env = ContainerCreateRequests.strings(b.path("Env"), "Env");
        for (String kv : env)
            if (kv.indexOf('=') <= 0) throw new BerthException.InvalidRequest("Env", "'" + kv + "' is not NAME=value");
        boolean tty = b.path("Tty").asBoolean(false),
                privileged = b.path("Privileged").asBoolean(false);
        String user = ContainerCreateRequests.text(b.path("User"));
        String detachKeys = ContainerCreateRequests.text(b.path("DetachKeys"));
        DetachKeys.parse(detachKeys); // a bad value is refused now, not at start
        String spec = containers
                .specs()
                .execJson(c, cmd, env, ContainerCreateRequests.text(b.path("WorkingDir")), user, tty, privileged);
        List<Integer> console = new ArrayList<>();
        for (JsonNode n : b.path("ConsoleSize")) console.add(n.asInt());
        forgetOld();
        Exec e = new Exec(
                Ids.random(),
                c.id(),
                cmd,
                spec,
                tty,
                privileged,
                user == null ? "" : user,
                b.path("AttachStdin").asBoolean(false),
                b.path("AttachStdout").asBoolean(false),
                b.path("AttachStderr").asBoolean(false),
                detachKeys,
                console);
        execs.put(e.id, e);
        containers.emit("exec_create: " + String.join(" ", cmd), c, Map.of("execID", e.id));
        return ApiResponse.created(new IdResponse(e.id));
    }

    private ApiResponse start(ApiRequest q) {
        Exec e = find(q.param("id"));
        JsonNode b = q.jsonBody();
        boolean tty = b.path("Tty").asBoolean(e.tty);
        if (tty != e.tty)
            throw new BerthException.InvalidRequest("Tty", "must be what the exec was created with (" + e.tty + ")");
        synchronized (e) {
            if (e.running || e.exitCode != null)
                throw new BerthException.Conflict("exec " + e.id + " has already been started");
            e.running = true;
        }
        if (b.path("Detach").asBoolean(false)) {
            ExecSession session = launch(e);
            session.exitCode().whenComplete((code, err) -> finish(e, code));
            Streams.pump(session.stdout(), null, 1);
            if (!e.tty) Streams.pump(session.stderr(), null, 2);
            return ApiResponse.ok();
        }
        // as dockerd: the process starts once the client has the upgrade's head, so that its first output
        // cannot arrive with the head (a client reading the head through a buffer, docker-py, would lose it)
        return new ApiResponse.Hijack(e.tty ? Streams.RAW : Streams.MULTIPLEXED, conn -> {
            ExecSession session;
            try {
                session = launch(e);
            } catch (RuntimeException ex) {
                byte[] m = (ex.getMessage() + "\r\n").getBytes(StandardCharsets.UTF_8);
                if (e.tty) conn.output().write(m);
                else conn.output().frame(1, m, 0, m.length);
                return;
            }
            run(e, session, conn);
        });
    }

    private ExecSession launch(Exec e) {
        ExecSession session;
        try {
            session = containers.runtime().exec(e.containerId, new ExecRequest(e.id, e.spec, e.tty, e.stdin));
        } catch (RuntimeException ex) {
            e.running = false;
            e.exitCode = 126;
            e.finished = Instant.now();
            throw ex;
        }
        e.session = session;
        e.pid = session.pid();
        emit(e, "exec_start: " + String.join(" ", e.command), Map.of("execID", e.id));
        if (e.tty && e.consoleSize.size() == 2 && e.consoleSize.get(0) > 0)
            resizeQuietly(session, e.consoleSize.get(1), e.consoleSize.get(0));
        return session;
    }

    private void run(Exec e, ExecSession session, RawConnection conn) throws Exception {
        try (session) {
            Thread out = Streams.pump(session.stdout(), e.stdout ? conn.output() : null, e.tty ? 0 : 1);
            Thread err = e.tty ? null : Streams.pump(session.stderr(), e.stderr ? conn.output() : null, 2);
            if (e.stdin) {
                DetachKeys keys = DetachKeys.parse(e.detachKeys);
                Thread.ofVirtual()
                        .name("exec-stdin")
                        .start(() -> Streams.copyStdin(conn.input(), session.stdin(), keys, true));
            } else {
                try {
                    session.stdin().close();
                } catch (IOException ignored) {
                    // nothing to send anyway
                }
            }
            int code = session.exitCode().get();
            out.join();
            if (err != null) err.join();
            finish(e, code);
        } finally {
            if (e.exitCode == null) finish(e, 137);
        }
    }

    private ApiResponse resize(ApiRequest q) {
        Exec e = find(q.param("id"));
        int h = q.intQuery("h", 0), w = q.intQuery("w", 0);
        if (h <= 0 || w <= 0)
            throw new BerthException.InvalidRequest("h", "give the terminal's height h and width w (both above 0)");
        ExecSession s = e.session;
        if (s == null || !e.running) throw new BerthException.Conflict("exec " + e.id + " is not running");
        s.resize(w, h);
        return new ApiResponse.Empty(201);
    }

    private static void resizeQuietly(ExecSession s, int w, int h) {
        try {
            s.resize(w, h);
        } catch (RuntimeException ignored) {
            // the client resizes again once attached
        }
    }

    private void finish(Exec e, Integer code) {
        e.exitCode = code == null ? 137 : code;
        emit(e, "exec_die", Map.of("execID", e.id, "exitCode", Integer.toString(e.exitCode)));
        e.running = false;
        e.finished = Instant.now();
        e.session = null;
    }

    private void emit(Exec e, String action, Map<String, String> extra) {
        try {
            containers.emit(action, containers.find(e.containerId), extra);
        } catch (BerthException.NotFound gone) {
            // the container went with its exec
        }
    }

    private ApiResponse inspect(ApiRequest q) {
        Exec e = find(q.param("id"));
        ExecInspect.ProcessConfig pc = new ExecInspect.ProcessConfig(
                e.command.subList(1, e.command.size()), e.command.getFirst(), e.privileged, e.tty, e.user);
        ExecInspect m = new ExecInspect(
                false,
                e.containerId,
                e.detachKeys == null ? "" : e.detachKeys,
                e.exitCode,
                e.id,
                e.stderr,
                e.stdin,
                e.stdout,
                pc,
                e.running,
                e.pid);
        return ApiResponse.json(m);
    }

    private Exec find(String id) {
        Exec e = execs.get(id);
        if (e == null) throw new BerthException.NotFound("No such exec instance: " + id);
        return e;
    }

    /**
     * Forgets execs that ended long ago, that were created and never started long ago, and those of
     * containers that are gone (as Docker does when a container is removed): without this, every
     * {@code docker exec} would stay in memory for the daemon's life.
     */
    private void forgetOld() {
        Instant limit = Instant.now().minus(KEEP_FINISHED);
        execs.values()
                .removeIf(x -> x.finished != null
                        ? x.finished.isBefore(limit)
                        : !x.running && x.created.isBefore(limit) || !containers.exists(x.containerId));
    }
}
