package dev.berth.daemon.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.api.StatsShapes.Stats;
import dev.berth.daemon.api.StatsShapes.Top;
import dev.berth.daemon.containers.ContainerCgroup;
import dev.berth.daemon.containers.ContainerRecord;
import dev.berth.daemon.containers.ContainerRecord.HostSettings;
import dev.berth.daemon.containers.ContainerRecord.RestartPolicy;
import dev.berth.daemon.containers.Containers;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Router;
import dev.berth.model.BerthException;
import dev.berth.runtime.TaskState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code top} and {@code stats} of a running container (what runs in its cgroup and what it uses, read
 * from the cgroup v1 files and /proc as dockerd reads them), and {@code update} of its limits.
 */
public final class ContainerOpsApi {
    private final Containers containers;

    public ContainerOpsApi(Containers containers) {
        this.containers = containers;
    }

    /** {@code POST /containers/{id}/update}'s answer (Docker's ContainerUpdateResponse). */
    record UpdateResponse(@JsonProperty("Warnings") List<String> warnings) {}

    public void register(Router r) {
        r.get("/containers/{id}/top", this::top);
        r.get("/containers/{id}/stats", this::stats);
        r.post("/containers/{id}/update", this::update);
    }

    private static final Set<String> UPDATE_FIELDS = Set.of(
            "Memory", "MemorySwap", "NanoCpus", "CpuQuota", "CpuPeriod", "CpuShares", "PidsLimit", "RestartPolicy");

    /**
     * {@code docker update}: limits (0 leaves one as it is) and the restart policy. CpuQuota and CpuPeriod
     * are kept as the NanoCpus they amount to (Berth's spec has one CPU limit, over a 100 ms period).
     */
    private ApiResponse update(ApiRequest q) {
        JsonNode b = q.jsonBody();
        if (!b.isObject()) throw new BerthException.InvalidRequest("body", "must be a JSON object");
        for (Iterator<Map.Entry<String, JsonNode>> it = b.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!UPDATE_FIELDS.contains(e.getKey()) && !ContainerCreateRequests.isZero(e.getValue()))
                throw new BerthException.InvalidRequest(e.getKey(), "not supported by Berth's update (leave it unset)");
        }
        for (String f : List.of("Memory", "MemorySwap", "NanoCpus", "CpuQuota", "CpuPeriod", "CpuShares", "PidsLimit"))
            if (!b.path(f).isMissingNode() && !b.path(f).isNull() && !b.path(f).canConvertToLong())
                throw new BerthException.InvalidRequest(f, "must be a whole number");
        long memory = b.path("Memory").asLong(0),
                swap = b.path("MemorySwap").asLong(0),
                nano = b.path("NanoCpus").asLong(0);
        long quota = b.path("CpuQuota").asLong(0),
                period = b.path("CpuPeriod").asLong(0),
                shares = b.path("CpuShares").asLong(0);
        if (memory < 0) throw new BerthException.InvalidRequest("Memory", "must not be negative");
        if (shares < 0) throw new BerthException.InvalidRequest("CpuShares", "must not be negative");
        List<String> warnings = new ArrayList<>();
        if (nano != 0 && (quota != 0 || period != 0))
            throw new BerthException.InvalidRequest(
                    "NanoCpus", "Conflicting options: Nano CPUs and CPU Period/Quota cannot both be set");
        if (quota != 0 || period != 0) {
            if (period != 0 && (period < 1000 || period > 1_000_000))
                throw new BerthException.InvalidRequest(
                        "CpuPeriod",
                        "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1 second (i.e. 1000000)");
            if (quota < 1000)
                throw new BerthException.InvalidRequest(
                        "CpuQuota", "CPU cfs quota can not be less than 1ms (i.e. 1000)");
            nano = quota * 1_000_000_000L / (period == 0 ? 100_000 : period);
            warnings.add("CpuQuota/CpuPeriod are kept as NanoCpus " + nano + " (a 100 ms period)");
        }
        JsonNode pidsNode = b.path("PidsLimit");
        Long pids = pidsNode.isMissingNode() || pidsNode.isNull()
                ? null
                : Math.max(-1, pidsNode.asLong() <= 0 ? -1 : pidsNode.asLong());
        RestartPolicy restart =
                ContainerCreateRequests.text(b.path("RestartPolicy").path("Name")) == null
                        ? null
                        : ContainerCreateRequests.restartPolicy(b.path("RestartPolicy"));
        ContainerRecord r = containers.find(q.param("id"));
        if (restart != null && r.autoRemove() && !restart.name().equals("no"))
            throw new BerthException.InvalidRequest(
                    "RestartPolicy",
                    "Restart policy cannot be updated because AutoRemove is enabled for the container");
        long newNano = nano;
        containers.updateHost(
                r.id(),
                h -> new HostSettings(
                        h.binds(),
                        h.mounts(),
                        h.tmpfs(),
                        h.resolved(),
                        h.readonlyRootfs(),
                        h.privileged(),
                        h.capAdd(),
                        h.capDrop(),
                        h.securityOpt(),
                        memory != 0 ? memory : h.memory(),
                        swap != 0 ? swap : h.memorySwap(),
                        newNano != 0 ? newNano : h.nanoCpus(),
                        shares != 0 ? shares : h.cpuShares(),
                        pids != null ? pids : h.pidsLimit(),
                        h.ulimits(),
                        restart != null ? restart : h.restartPolicy(),
                        h.extraHosts(),
                        h.dnsSearch(),
                        h.dnsOptions(),
                        h.logConfig()));
        return ApiResponse.json(new UpdateResponse(warnings));
    }

    /**
     * Docker's way: {@code ps} with the client's arguments (default {@code -ef}) on the host, keeping the
     * rows whose PID is in the container's cgroup; the last column takes the rest of the line.
     */
    private ApiResponse top(ApiRequest q) throws Exception {
        ContainerRecord r = containers.find(q.param("id"));
        long pid = runningPid(r);
        if (pid <= 0) throw new BerthException.Conflict("Container " + r.id() + " is not running");
        Set<String> pids = new HashSet<>();
        for (long p : ContainerCgroup.of(pid).pids()) pids.add(Long.toString(p));
        String args = q.query("ps_args");
        List<String> cmd = new ArrayList<>(List.of("ps"));
        cmd.addAll(Arrays.asList(
                (args == null || args.isBlank() ? "-ef" : args).trim().split("\\s+")));
        String out = ps(cmd);
        List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) throw new BerthException.InvalidRequest("ps_args", "ps printed nothing");
        List<String> titles = Arrays.asList(lines.getFirst().trim().split("\\s+"));
        int pidColumn = titles.indexOf("PID");
        if (pidColumn < 0) throw new BerthException.InvalidRequest("ps_args", "Couldn't find PID field in ps output");
        List<List<String>> processes = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.trim().split("\\s+", titles.size());
            if (f.length <= pidColumn || !pids.contains(f[pidColumn])) continue;
            processes.add(Arrays.asList(f));
        }
        containers.emit("top", r, Map.of());
        return ApiResponse.json(new Top(titles, processes));
    }

    private static String ps(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new BerthException.Failed("ps did not finish within 10 s", null);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0)
            throw new BerthException.InvalidRequest(
                    "ps_args", "ps failed (exit " + p.exitValue() + "): " + text.strip());
        return text;
    }

    /**
     * One sample ({@code stream=false}; without {@code one-shot} a second after a first one, so that
     * precpu_stats gives the CPU share), or one a second until the container stops or the client leaves.
     */
    private ApiResponse stats(ApiRequest q) throws Exception {
        ContainerRecord r = containers.find(q.param("id"));
        boolean stream = q.flag("stream", true), oneShot = q.flag("one-shot", false);
        if (stream && oneShot)
            throw new BerthException.InvalidRequest("one-shot", "cannot have stream=true and one-shot=true");
        if (!stream) {
            Stats s = ContainerStats.sample(r.id(), r.name(), runningPid(r), null);
            if (!oneShot && runningPid(r) > 0) {
                Thread.sleep(1000);
                s = ContainerStats.sample(r.id(), r.name(), runningPid(r), s);
            }
            return ApiResponse.json(s);
        }
        return new ApiResponse.Stream(200, "application/json", out -> {
            Stats previous = null;
            while (out.isOpen()) {
                long pid = runningPid(r);
                Stats s = ContainerStats.sample(r.id(), r.name(), pid, previous);
                byte[] json = Json.write(s);
                byte[] line = Arrays.copyOf(json, json.length + 1);
                line[json.length] = '\n';
                out.write(line);
                if (pid <= 0 || !containers.exists(r.id())) return;
                previous = s;
                Thread.sleep(1000);
            }
        });
    }

    /** The task's pid while it runs or is paused, else 0. */
    private long runningPid(ContainerRecord r) {
        TaskState st = containers.task(r.id());
        return st != null && (st.status() == TaskState.Status.RUNNING || st.status() == TaskState.Status.PAUSED)
                ? st.pid()
                : 0;
    }
}
