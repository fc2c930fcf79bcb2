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
import dev.berth.runtime.ExecSession;
import dev.berth.runtime.ExecSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@code docker exec}: create an exec, start it on a taken-over connection, inspect its exit code. */
public final class ExecApi {
    private static final Duration KEEP_FINISHED = Duration.ofMinutes(10);
    private static final String MULTIPLEXED = "application/vnd.docker.multiplexed-stream";

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
        final Map<String, String> env;
        final String workingDir;
        final boolean stdin, stdout, stderr;
        volatile boolean running;
        volatile Integer exitCode;
        volatile long pid;
        volatile Instant finished;
        final Instant created = Instant.now();

        Exec(String id, String containerId, List<String> command, Map<String, String> env, String workingDir,
             boolean stdin, boolean stdout, boolean stderr) {
            this.id = id;
            this.containerId = containerId;
            this.command = command;
            this.env = env;
            this.workingDir = workingDir;
            this.stdin = stdin;
            this.stdout = stdout;
            this.stderr = stderr;
        }
    }

    public void register(Router r) {
        r.post("/containers/{id}/exec", this::create);
        r.post("/exec/{id}/start", this::start);
        r.post("/exec/{id}/resize", q -> {
            find(q.param("id")); // no terminals to resize, but an unknown exec is still 404 (as Docker)
            return new ApiResponse.Empty(201);
        });
        r.get("/exec/{id}/json", this::inspect);
    }

    private ApiResponse create(ApiRequest q) {
        ContainerRecord c = containers.find(q.param("id"));
        if (!containers.isRunning(c.id())) throw new BerthException.Conflict("container " + c.id() + " is not running");
        JsonNode b = q.jsonBody();
        JsonShape.checkExecCreate(b);
        if (b.path("Tty").asBoolean(false)) throw new BerthException.InvalidRequest("Tty", "Berth does not allocate terminals: exec without -t");
        List<String> cmd = ContainerCreateRequests.strings(b.path("Cmd"), "Cmd");
        if (cmd.isEmpty()) throw new BerthException.InvalidRequest("Cmd", "no exec command specified");
        Map<String, String> env = new LinkedHashMap<>();
        for (String kv : ContainerCreateRequests.strings(b.path("Env"), "Env")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new BerthException.InvalidRequest("Env", "'" + kv + "' is not NAME=value");
            env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        forgetOld();
        Exec e = new Exec(Ids.random(), c.id(), cmd, env, ContainerCreateRequests.text(b.path("WorkingDir")),
                b.path("AttachStdin").asBoolean(false), b.path("AttachStdout").asBoolean(false), b.path("AttachStderr").asBoolean(false));
        execs.put(e.id, e);
        return ApiResponse.created(Map.of("Id", e.id));
    }

    private ApiResponse start(ApiRequest q) {
        Exec e = find(q.param("id"));
        JsonNode b = q.jsonBody();
        if (b.path("Tty").asBoolean(false)) throw new BerthException.InvalidRequest("Tty", "Berth does not allocate terminals: exec without -t");
        synchronized (e) {
            if (e.running || e.exitCode != null) throw new BerthException.Conflict("exec " + e.id + " has already been started");
            e.running = true;
        }
        ExecSession session;
        try {
            session = containers.supervisor().exec(e.containerId, new ExecSpec(e.command, e.env, e.workingDir, e.stdin));
        } catch (RuntimeException ex) {
            e.running = false;
            e.exitCode = 126;
            throw ex;
        }
        e.pid = session.pid();
        if (b.path("Detach").asBoolean(false)) {
            session.exitCode().whenComplete((code, err) -> finish(e, code, session));
            drainInBackground(session);
            return ApiResponse.ok();
        }
        return new ApiResponse.Hijack(MULTIPLEXED, conn -> run(e, session, conn));
    }

    private void run(Exec e, ExecSession session, RawConnection conn) throws Exception {
        try (session) {
            Thread out = pump(session.stdout(), e.stdout ? conn.output() : null, 1);
            Thread err = pump(session.stderr(), e.stderr ? conn.output() : null, 2);
            if (e.stdin) Thread.ofVirtual().name("exec-stdin").start(() -> copyStdin(conn.input(), session.stdin()));
            else session.stdin().close();
            int code = session.exitCode().get();
            out.join();
            err.join();
            finish(e, code, null);
        } finally {
            if (e.exitCode == null) finish(e, 137, null);
        }
    }

    private static Thread pump(InputStream in, RawConnection.Output out, int stream) {
        return Thread.ofVirtual().name("exec-out").start(() -> {
            byte[] buf = new byte[32 * 1024];
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) if (out != null && out.isOpen()) out.frame(stream, buf, 0, n);
            } catch (IOException clientOrProcessGone) {
                // the process closed its output or the client left; either way this stream is done
            }
        });
    }

    private static void copyStdin(InputStream from, OutputStream to) {
        try (to) {
            from.transferTo(to);
        } catch (IOException processGone) {
            // the command stopped reading
        }
    }

    private static void drainInBackground(ExecSession s) {
        pump(s.stdout(), null, 1);
        pump(s.stderr(), null, 2);
        try {
            s.stdin().close();
        } catch (IOException ignored) {
            // nothing to send anyway
        }
    }

    private static void finish(Exec e, Integer code, ExecSession session) {
        e.exitCode = code == null ? 137 : code;
        e.running = false;
        e.finished = Instant.now();
        if (session != null) session.close();
    }

    private ApiResponse inspect(ApiRequest q) {
        Exec e = find(q.param("id"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("CanRemove", false);
        m.put("ContainerID", e.containerId);
        m.put("DetachKeys", "");
        m.put("ExitCode", e.exitCode);
        m.put("ID", e.id);
        m.put("OpenStderr", e.stderr);
        m.put("OpenStdin", e.stdin);
        m.put("OpenStdout", e.stdout);
        Map<String, Object> pc = new LinkedHashMap<>();
        pc.put("arguments", e.command.subList(1, e.command.size()));
        pc.put("entrypoint", e.command.getFirst());
        pc.put("privileged", false);
        pc.put("tty", false);
        pc.put("user", "");
        m.put("ProcessConfig", pc);
        m.put("Running", e.running);
        m.put("Pid", e.pid);
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
        execs.values().removeIf(x -> x.finished != null ? x.finished.isBefore(limit)
                : !x.running && x.created.isBefore(limit) || !containers.exists(x.containerId));
    }
}
