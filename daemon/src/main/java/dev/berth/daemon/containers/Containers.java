package dev.berth.daemon.containers;

import dev.berth.daemon.containers.ContainerRecord.RunState;
import dev.berth.daemon.events.Events;
import dev.berth.daemon.trace.StageTrace;
import dev.berth.engine.Engine;
import dev.berth.engine.model.Network;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.SandboxChecks;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.engine.tx.Faults;
import dev.berth.model.BerthException;
import dev.berth.model.Endpoint;
import dev.berth.model.IpPrefix;
import dev.berth.model.NetnsMode;
import dev.berth.model.Sandbox;
import dev.berth.model.log.Log;
import dev.berth.runtime.ContainerRuntime;
import dev.berth.runtime.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Containers as Docker has them: a record from create to remove, a containerd container and task (the
 * process, from start to exit), and a sandbox in the engine while the task runs (addresses and published
 * ports are taken at start and given back at exit). One lock per container orders its operations.
 *
 * <p>Crash safety of the pair container/network comes from the order of the steps: the record is written
 * before containerd hears of a container and removed after containerd forgot it; the sandbox is made
 * before the task starts and removed after the task is gone. {@link #recover} finishes whatever a crash
 * interrupted, both ways.
 */
public final class Containers implements NetworkJoins {
    private final Engine engine;
    private final ContainerRuntime runtime;
    private final Images images;
    private final ContainerStore store;
    private final ContainerFiles files;
    private final HostsFiles hostsFiles;
    private final NameService names;
    private final Volumes volumes;
    private final SpecBuilder specs;
    private final WrittenSpecs written = new WrittenSpecs();
    /** Records containerd had no container for at start-up (a crash between the two): their start creates it. */
    private final Set<String> notInRuntime = ConcurrentHashMap.newKeySet();

    private final Events events = new Events();
    private final HealthChecker health;
    private final Map<String, ContainerRecord> records = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Integer>> removed = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Integer>> nextExit = new ConcurrentHashMap<>();
    private final Set<String> restarting = ConcurrentHashMap.newKeySet();
    /** Restarts by policy under way: still "restarting" (as Docker) until the task runs, not "exited" meanwhile. */
    private final Set<String> policyStarts = ConcurrentHashMap.newKeySet();
    /** Containers a user restarts: their exit in between does not remove them, even with --rm (as Docker). */
    private final Set<String> keepOnExit = ConcurrentHashMap.newKeySet();

    private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("restart-policy").factory());
    private final Object nameLock = new Object();
    private final GeneratedNames generatedNames = new GeneratedNames();
    /** Test-only crash points between the steps below (see {@code CrashPoints}); none outside crash tests. */
    private Faults faults = Faults.NONE;
    /** Where a stopped container's root file system is mounted for docker cp. */
    private final Path rootfsMounts;

    public Containers(
            Engine engine,
            ContainerRuntime runtime,
            Images images,
            Path stateDir,
            Path runDir,
            String cgroupParent,
            HostsFiles hostsFiles,
            NameService names) {
        this.engine = engine;
        this.runtime = runtime;
        this.images = images;
        this.store = new ContainerStore(stateDir.resolve("containers"));
        this.files = new ContainerFiles(runDir.resolve("containers"));
        this.rootfsMounts = runDir.resolve("rootfs");
        this.volumes = new Volumes(stateDir.resolve("volumes"));
        volumes.onEvent((action, v) -> events.publish("volume", action, v.name(), Map.of("driver", v.driver())));
        this.hostsFiles = hostsFiles;
        this.names = names;
        this.specs = new SpecBuilder(cgroupParent, files, images);
        this.health = new HealthChecker(
                runtime, specs, (r, status) -> emit("health_status: " + status, r, Map.of()), this::keepHealth);
    }

    /** Test-only: where crash tests make berthd kill itself. */
    public void crashPoints(Faults f) {
        this.faults = f;
        store.crashPoints(f);
    }

    // ------------------------------------------------------------------ start-up

    /**
     * Picks up where the last daemon stopped. Running tasks are adopted with their sandboxes; tasks that
     * exited meanwhile get their exit recorded, their network given back and their restart policy
     * applied; containerd containers without a record, sandboxes without a container and running tasks
     * without a sandbox (which no order of steps leaves, but a lost state dir would) are removed.
     */
    public void recover() {
        for (ContainerRecord r : store.load()) records.put(r.id(), r);
        OrphanFiles.sweep(files.root(), records.keySet(), null); // also a create killed before its record
        OrphanFiles.sweep(
                rootfsMounts, Set.of(), runtime::unmountRootfs); // nothing copies at start-up: all are leftovers
        Set<String> inRuntime = runtime.ids(); // the only listing of containerd's containers: starts make none
        for (String id : records.keySet()) if (!inRuntime.contains(id)) notInRuntime.add(id);
        for (String id : inRuntime) {
            if (records.containsKey(id)) continue;
            Log.warn("removing a containerd container no record owns", "container", id);
            deleteFromRuntimeQuietly(id);
        }
        for (Sandbox s : engine.sandboxes()) {
            if (!records.containsKey(s.id())) {
                Log.warn("removing a sandbox no container owns", "sandbox", s.name());
                removeSandboxQuietly(s.id());
            }
        }
        List<ContainerRecord> toStart = new ArrayList<>();
        for (ContainerRecord r : List.copyOf(records.values())) {
            TaskState st = task(r.id());
            boolean alive =
                    st != null && (st.status() == TaskState.Status.RUNNING || st.status() == TaskState.Status.PAUSED);
            Sandbox s = sandboxOf(r.id());
            if (alive && s == null && !r.networkMode().equals("host")) {
                Log.warn("killing a task whose network is gone", "container", r.name());
                killQuietly(r.id());
                alive = false;
                st = task(r.id());
            }
            if (alive) {
                adopt(r, st, s);
            } else {
                finishExit(r.id(), st, false);
                ContainerRecord now = records.get(r.id());
                if (now != null && RestartPolicies.startWithDaemon(now)) toStart.add(now);
            }
        }
        names.refresh();
        for (ContainerRecord r : toStart) {
            try {
                start(r.id());
            } catch (RuntimeException e) {
                Log.warn("restart policy: cannot start", "container", r.name(), "error", e.getMessage());
            }
        }
        Log.info(
                "containers recovered",
                "containers",
                records.size(),
                "running",
                records.keySet().stream().filter(this::isRunning).count());
    }

    private void adopt(ContainerRecord r, TaskState st, Sandbox s) {
        if (s != null) {
            try {
                names.attach(r, s);
            } catch (RuntimeException e) {
                Log.warn("cannot serve names to a running container", "container", r.name(), "error", e.getMessage());
            }
        }
        RunState run = r.runOrNever();
        if (!run.running() || run.pid() != st.pid())
            update(r.withRun(run.started(st.pid(), st.startedAt() == null ? Instant.now() : st.startedAt())));
        health.adopt(records.get(r.id()));
        watchExit(r.id());
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Records a new container and creates it in containerd (image resolved, config merged, spec checked);
     * nothing runs and no network is touched until it starts.
     */
    public ContainerRecord create(ContainerRequest request) {
        ContainerRecord draft = request.draft();
        ContainerNames.check(draft.name());
        // the fields before the image, as Docker: a bad field is a 400 even for an image not pulled yet
        checkNetworkMode(draft);
        checkFields(draft);
        Images.Resolved image = images.resolve(draft.image()); // 404 "No such image": the docker CLI pulls
        ContainerRecord r = ImageDefaults.merge(request, image.config());
        String spec;
        synchronized (nameLock) {
            for (ContainerRecord other : records.values())
                if (other.name().equals(r.name()))
                    throw new BerthException.Conflict("Conflict. The container name \"/" + r.name()
                            + "\" is already in use by container \"" + other.id()
                            + "\". You have to remove (or rename) that container to be able to reuse that name.");
            r = withMounts(r, volumes.resolve(r));
            try {
                spec = startSpec(r); // every field checked before anything runs
            } catch (RuntimeException e) {
                volumes.removeAnonymous(r);
                files.remove(r.id());
                throw e;
            }
            store.put(r); // the record first: a crash leaves a record without containerd's container, never the reverse
            records.put(r.id(), r);
        }
        faults.reach("container-create:recorded");
        try {
            createInRuntime(r, image, spec);
            faults.reach("container-create:created");
        } catch (RuntimeException e) {
            records.remove(r.id());
            store.remove(r.id());
            volumes.removeAnonymous(r);
            files.remove(r.id());
            throw e;
        }
        emit("create", r, Map.of());
        return r;
    }

    private void createInRuntime(ContainerRecord r, Images.Resolved image, String spec) {
        runtime.create(
                r.id(),
                new ContainerRuntime.CreateRequest(
                        image.reference(),
                        image.chainId(),
                        spec,
                        r.config().tty(),
                        r.config().openStdin(),
                        r.config().stdinOnce(),
                        Map.of("dev.berth.name", r.name()),
                        logConfig(r)));
        written.wrote(r.id(), spec);
    }

    /**
     * The spec the next start will run, as far as create knows it: with its own network mode, the namespace
     * its sandbox will get and the /etc files (paths only: they are written at start). So the start finds it
     * written already; a container mode (the other's namespace is known at start only), a rename or an
     * update makes the start write its spec again.
     */
    private String startSpec(ContainerRecord r) {
        files.placeholders(r.id());
        Path netns = plannedNetns(r);
        return netns == null
                ? specs.json(r, null, placeholderHostname(r), false)
                : specs.plannedJson(r, netns, placeholderHostname(r));
    }

    /** The namespace the container's sandbox will get, when it gets one of its own; else null. */
    private Path plannedNetns(ContainerRecord r) {
        String mode = gatewayNetwork(r);
        if (mode.contains(":") || mode.equals("host")) return null;
        try {
            return engine.plannedNetnsPath(r.name());
        } catch (IllegalArgumentException | BerthException e) {
            return null; // the start names it (and refuses it in the same words)
        }
    }

    private static ContainerRuntime.LogConfig logConfig(ContainerRecord r) {
        Map<String, String> c = r.host().logConfig().config();
        long maxSize = c.containsKey("max-size")
                ? LogSizes.parse(c.get("max-size"), "HostConfig.LogConfig.Config.max-size")
                : -1;
        int maxFile = c.containsKey("max-file") ? Integer.parseInt(c.get("max-file")) : 1;
        return new ContainerRuntime.LogConfig(maxSize, maxFile);
    }

    private static String placeholderHostname(ContainerRecord r) {
        return r.hostname() != null ? r.hostname() : r.shortId();
    }

    private static ContainerRecord withMounts(ContainerRecord r, List<ContainerRecord.Mount> mounts) {
        ContainerRecord.HostSettings h = r.host();
        ContainerRecord.HostSettings nh = new ContainerRecord.HostSettings(
                h.binds(),
                h.mounts(),
                h.tmpfs(),
                mounts,
                h.readonlyRootfs(),
                h.privileged(),
                h.capAdd(),
                h.capDrop(),
                h.securityOpt(),
                h.memory(),
                h.memorySwap(),
                h.nanoCpus(),
                h.cpuShares(),
                h.pidsLimit(),
                h.ulimits(),
                h.restartPolicy(),
                h.extraHosts(),
                h.dnsSearch(),
                h.dnsOptions(),
                h.logConfig());
        return new ContainerRecord(
                r.id(),
                r.name(),
                r.image(),
                r.imageId(),
                r.entrypoint(),
                r.cmd(),
                r.command(),
                r.env(),
                r.workingDir(),
                r.hostname(),
                r.labels(),
                r.created(),
                r.networkMode(),
                r.networks(),
                r.publish(),
                r.portBindings(),
                r.publishAll(),
                r.exposed(),
                r.autoRemove(),
                r.dns(),
                r.config(),
                nh,
                r.run());
    }

    /**
     * The checks start would make of the container's fields, made now on the very request start will
     * send (the engine runs them again then): what create accepts, start never refuses for its form.
     */
    private void checkFields(ContainerRecord r) {
        SandboxChecks.check(sandboxRequest(r, r.networkMode()));
        for (Map.Entry<String, ContainerRecord.EndpointSettings> e :
                r.networks().entrySet())
            SandboxChecks.endpoint(endpoint(e.getValue()), "NetworkingConfig.EndpointsConfig." + e.getKey());
        for (String server : r.dns()) {
            try {
                IpPrefix.literal(server, server);
            } catch (IllegalArgumentException e) {
                throw new BerthException.InvalidRequest(
                        "HostConfig.Dns", "'" + server + "' is not an IP address of a DNS server");
            }
        }
    }

    private void checkNetworkMode(ContainerRecord r) {
        String mode = r.networkMode();
        try {
            if (mode.startsWith("container:")) {
                find(mode.substring("container:".length()));
                if (!r.publish().isEmpty() || r.publishAll())
                    throw new BerthException.InvalidRequest(
                            "HostConfig.PortBindings",
                            "conflicting options: port publishing and the container type network mode");
            } else if (mode.equals("host") || mode.equals("none")) {
                if (!r.publish().isEmpty() || r.publishAll())
                    throw new BerthException.InvalidRequest(
                            "HostConfig.PortBindings", "published ports are not used in " + mode + " network mode");
            } else {
                engine.network(mode);
            }
            for (String n : r.networks().keySet()) if (!n.equals(mode)) engine.network(n);
        } catch (BerthException.NotFound e) {
            // A 404 from create makes the docker CLI pull an image; a missing network is a bad request.
            throw new BerthException.InvalidRequest("HostConfig.NetworkMode", e.getMessage());
        }
    }

    /** Takes the container's network (sandbox, addresses, ports) and starts its task. All or nothing. */
    public void start(String idOrName) {
        ContainerRecord r = find(idOrName);
        synchronized (lock(r.id())) {
            r = records.get(r.id());
            if (r == null) throw new BerthException.NotFound("No such container: " + idOrName);
            TaskState st = task(r.id());
            if (st != null && st.status() == TaskState.Status.PAUSED)
                throw new BerthException.Conflict("cannot start a paused container, try unpause instead");
            if (st != null && st.status() == TaskState.Status.RUNNING) throw new NotModified();
            ContainerNames.check(r.name());
            restarting.remove(r.id());
            if (st != null) deleteTaskQuietly(r.id()); // the last run's task: its exit is recorded already
            if (notInRuntime.remove(r.id())) { // a crash came between the record and containerd's container
                try {
                    createInRuntime(r, images.resolve(r.imageId()), startSpec(r));
                } catch (RuntimeException e) {
                    notInRuntime.add(r.id());
                    throw e;
                }
            }
            faults.reach("container-start:begin");
            // The task is created once the network is complete, not meanwhile (EarlyStart): a kill -9 inside the
            // sandbox's steps would cut containerd's task create short and leave runc's half-made container.
            Sandbox s;
            try {
                s = createSandbox(r);
            } catch (RuntimeException e) {
                if (r.autoRemove()) forget(r, true);
                throw e;
            }
            TaskState started;
            try {
                faults.reach("container-start:sandbox-made");
                names.attach(r, s);
                connectOthers(r, s);
                faults.reach("container-start:connected");
                files.write(
                        r.id(),
                        hostsFiles.render(r, s, engine),
                        hostsFiles.resolvConf(r, s, engine),
                        hostsFiles.hostname(r, s));
                String spec = specs.json(r, netnsOf(s), s.hostname(), false);
                if (!written.holds(r.id(), spec)) { // written at create unless it changed since
                    runtime.updateSpec(r.id(), spec);
                    written.wrote(r.id(), spec);
                }
                faults.reach("container-start:spec-written");
                names.refresh(); // before the process runs: its first lookup may come at once
                started = runtime.start(r.id());
                faults.reach("container-start:task-started");
            } catch (RuntimeException e) {
                removeSandboxQuietly(r.id());
                deleteTaskQuietly(r.id());
                names.refresh();
                StartFailures.Failure f = StartFailures.classify(e);
                ContainerRecord failed = r.withRun(r.runOrNever().failed(f.exitCode(), f.message()));
                // Docker deletes an auto-remove container whose start failed; docker run --rm waits for that.
                if (r.autoRemove()) forget(failed, true);
                else update(failed);
                completeExit(r.id(), f.exitCode());
                throw f.error();
            }
            update(r.withRun(r.runOrNever()
                    .started(started.pid(), started.startedAt() == null ? Instant.now() : started.startedAt())));
            networkEvents("connect", r);
            volumeEvents("mount", r);
            emit("start", r, Map.of());
            health.start(records.get(r.id()));
            List<Integer> size = r.config().consoleSize();
            if (r.config().tty() && size.size() == 2 && size.get(0) > 0 && size.get(1) > 0)
                resizeQuietly(r.id(), size.get(1), size.get(0));
            watchExit(r.id());
        }
    }

    private Path netnsOf(Sandbox s) {
        return s.netns() instanceof NetnsMode.Host ? null : engine.netnsPath(s);
    }

    private Sandbox createSandbox(ContainerRecord r) {
        String mode = gatewayNetwork(r);
        if (mode.startsWith("container:")) {
            ContainerRecord target = find(mode.substring("container:".length()));
            if (!isRunning(target.id()))
                throw new BerthException.Conflict(
                        "cannot join network namespace of container " + target.name() + ": it is not running");
            mode = "container:" + target.id();
        }
        return engine.createSandbox(sandboxRequest(r, mode));
    }

    /** The engine's request for the container's network part, in network mode {@code mode}. */
    private SandboxRequest sandboxRequest(ContainerRecord r, String mode) {
        ContainerRecord.EndpointSettings primary = r.networks().get(mode);
        if (primary == null && !mode.contains(":")) {
            String id = primaryNetworkId(r);
            for (Map.Entry<String, ContainerRecord.EndpointSettings> e :
                    r.networks().entrySet())
                if (id != null && engine.network(e.getKey()).id().equals(id)) primary = e.getValue();
        }
        return new SandboxRequest(
                r.id(),
                r.name(),
                r.hostname(),
                mode,
                primary == null ? EndpointRequest.DEFAULT : endpoint(primary),
                r.publish(),
                r.publishAll(),
                r.exposed());
    }

    /**
     * The network the sandbox is created on: the highest GwPriority among the container's networks, ties
     * going to the network mode's. The engine then applies Docker's whole order as the others join
     * ({@code GatewayOrder}: ties by internal, gateways, name), moving the default route if it must.
     */
    private static String gatewayNetwork(ContainerRecord r) {
        String best = r.networkMode();
        if (best.contains(":") || best.equals("host") || best.equals("none")) return best;
        ContainerRecord.EndpointSettings own = r.networks().get(best);
        int bestPriority = own == null ? 0 : own.gwPriority();
        for (Map.Entry<String, ContainerRecord.EndpointSettings> e :
                r.networks().entrySet())
            if (e.getValue().gwPriority() > bestPriority) {
                best = e.getKey();
                bestPriority = e.getValue().gwPriority();
            }
        return best;
    }

    /** Every network of the container beyond the one its sandbox was created on (Compose v2 sends them all at create). */
    private void connectOthers(ContainerRecord r, Sandbox s) {
        if (!(s.netns() instanceof NetnsMode.Own)) return;
        Set<String> joined = new HashSet<>();
        for (Endpoint e : engine.endpointsOf(s)) joined.add(e.networkId());
        List<String> wanted = new ArrayList<>();
        String mode = r.networkMode();
        if (!mode.contains(":") && !mode.equals("host") && !mode.equals("none")) wanted.add(mode);
        wanted.addAll(r.networks().keySet());
        for (String n : wanted) {
            Network net = engine.network(n);
            if (!joined.add(net.id())) continue;
            ContainerRecord.EndpointSettings asked = r.networks().get(n);
            engine.connect(r.id(), net.id(), asked == null ? EndpointRequest.DEFAULT : endpoint(asked));
        }
    }

    private String primaryNetworkId(ContainerRecord r) {
        String mode = r.networkMode();
        if (mode.contains(":") || mode.equals("host") || mode.equals("none")) return null;
        return engine.network(mode).id();
    }

    private void watchExit(String id) {
        runtime.exited(id).whenComplete((st, err) -> {
            try {
                finishExit(id, st, true);
            } catch (RuntimeException e) {
                Log.error("clean-up after exit failed", "container", id, "error", e.getMessage());
            }
        });
    }

    /**
     * Records how the run ended, deletes the task, gives the network back, then removes an auto-remove
     * container or applies the restart policy. Idempotent; does nothing while a task runs.
     */
    private void finishExit(String id, TaskState exited, boolean policy) {
        if (!records.containsKey(id)) return; // removed meanwhile
        ContainerRecord r;
        try {
            synchronized (lock(id)) {
                r = records.get(id);
                if (r == null) return;
                TaskState now = task(id);
                if (now != null
                        && (now.status() == TaskState.Status.RUNNING || now.status() == TaskState.Status.PAUSED))
                    return;
                TaskState st = now != null ? now : exited;
                RunState run = r.runOrNever();
                if (run.running()) {
                    int code = st == null ? 255 : st.exitCode();
                    Instant at = st == null || st.finishedAt() == null ? Instant.now() : st.finishedAt();
                    run = run.exited(code, st != null && st.oomKilled(), at);
                    if (RestartPolicies.ranLongEnough(run)) run = run.resetRestarts();
                    r = r.withRun(run);
                    update(r);
                    faults.reach("container-exit:recorded");
                    if (run.oomKilled()) emit("oom", r, Map.of());
                    emit("die", r, Map.of("exitCode", Integer.toString(code)));
                }
                health.stop(id);
                if (now != null) deleteTaskQuietly(id);
                faults.reach("container-exit:task-deleted");
                if (hasSandbox(id)) {
                    networkEvents("disconnect", r);
                    removeSandboxQuietly(id);
                    names.refresh();
                    faults.reach("container-exit:sandbox-removed");
                    volumeEvents("unmount", r);
                }
                if (r.autoRemove() && !keepOnExit.contains(id)) {
                    forget(r, true);
                    completeExit(id, run.exitCode());
                    return;
                }
                completeExit(id, run.exitCode());
                if (!policy || !RestartPolicies.restartAfterExit(r)) return;
                restarting.add(id);
                Duration delay = RestartPolicies.delay(run);
                update(r.withRun(run.restarted()));
                restarts.schedule(() -> restartByPolicy(id), delay.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            if (!records.containsKey(id))
                locks.remove(id); // a remove between the check and the lock: its lock would stay forever
        }
    }

    private void restartByPolicy(String id) {
        policyStarts.add(id); // before it leaves restarting: no look in between sees it exited
        try {
            if (!restarting.remove(id) || !records.containsKey(id)) return;
            start(id);
        } catch (NotModified alreadyRunning) {
            // a user started it meanwhile
        } catch (RuntimeException e) {
            Log.warn("restart policy: cannot start", "container", id, "error", e.getMessage());
        } finally {
            policyStarts.remove(id);
        }
    }

    /** The stop signal, SIGKILL after {@code timeout}; returns when the task is gone and its network given back. */
    public void stop(String idOrName, Integer timeoutSeconds) {
        ContainerRecord r = find(idOrName);
        boolean wasRestarting = restarting.remove(r.id());
        markStoppedByUser(r.id());
        if (!isRunning(r.id()) && !isPaused(r.id())) {
            if (wasRestarting) return;
            throw new NotModified();
        }
        int timeout = timeoutSeconds != null
                ? timeoutSeconds
                : r.config().stopTimeout() != null ? r.config().stopTimeout() : 10;
        int signal =
                r.config().stopSignal() == null ? 15 : Signals.parse(r.config().stopSignal(), "StopSignal");
        emit("kill", r, Map.of("signal", Integer.toString(signal)));
        runtime.stop(r.id(), signal, timeout < 0 ? Duration.ofDays(365) : Duration.ofSeconds(timeout));
        faults.reach("container-stop:task-stopped");
        TaskState after = task(r.id());
        if (after != null && (after.status() == TaskState.Status.RUNNING || after.status() == TaskState.Status.PAUSED))
            throw new BerthException.Failed(
                    "container " + r.name() + " still runs after the stop (pid " + after.pid() + ")", null);
        finishExit(r.id(), after, true);
        emit("stop", r, Map.of());
    }

    /** {@code docker restart}: stop (a stopped one is just started), then start; a --rm container is kept meanwhile. */
    public void restart(String idOrName, Integer timeoutSeconds) {
        ContainerRecord r = find(idOrName);
        keepOnExit.add(r.id());
        try {
            try {
                stop(r.id(), timeoutSeconds);
            } catch (NotModified notRunning) {
                // restart of a stopped container starts it
            }
            start(r.id());
            emit("restart", r, Map.of());
        } finally {
            keepOnExit.remove(r.id());
        }
    }

    public void kill(String idOrName, String signal) {
        ContainerRecord r = find(idOrName);
        int sig = Signals.parse(signal);
        if (!isRunning(r.id()) && !isPaused(r.id()))
            throw new BerthException.Conflict(
                    "Cannot kill container: " + idOrName + ": container " + r.id() + " is not running");
        if (sig == 9 || sig == 15 || sig == 2) markStoppedByUser(r.id());
        runtime.kill(r.id(), sig);
        emit("kill", r, Map.of("signal", Integer.toString(sig)));
    }

    public void pause(String idOrName) {
        ContainerRecord r = find(idOrName);
        synchronized (lock(r.id())) {
            if (isPaused(r.id())) throw new BerthException.Conflict("Container " + r.id() + " is already paused");
            if (!isRunning(r.id())) throw new BerthException.Conflict("Container " + r.id() + " is not running");
            runtime.pause(r.id());
        }
        emit("pause", r, Map.of());
    }

    public void unpause(String idOrName) {
        ContainerRecord r = find(idOrName);
        synchronized (lock(r.id())) {
            if (!isPaused(r.id())) throw new BerthException.Conflict("Container " + r.id() + " is not paused");
            runtime.resume(r.id());
        }
        emit("unpause", r, Map.of());
    }

    /**
     * {@code docker rename}: the record, and while it runs the sandbox, whose name DNS serves and whose
     * namespace file follows ({@code /run/netns/berth-NEW}); the hostname (the short id) stays.
     */
    public void rename(String idOrName, String newName) {
        ContainerRecord r = find(idOrName);
        if (newName == null || newName.isEmpty() || newName.equals("/"))
            throw new BerthException.InvalidRequest("name", "Neither old nor new names may be empty");
        String name = newName.startsWith("/") ? newName.substring(1) : newName;
        ContainerNames.check(name);
        synchronized (nameLock) {
            synchronized (lock(r.id())) {
                r = records.get(r.id());
                if (r == null) throw new BerthException.NotFound("No such container: " + idOrName);
                if (r.name().equals(name))
                    throw new BerthException.InvalidRequest(
                            "name", "Renaming a container with the same name as its current name");
                for (ContainerRecord other : records.values())
                    if (other.name().equals(name))
                        throw new BerthException.Conflict("Conflict. The container name \"/" + name
                                + "\" is already in use by container \"" + other.id()
                                + "\". You have to remove (or rename) that container to be able to reuse that name.");
                if (hasSandbox(r.id())) engine.renameSandbox(r.id(), name);
                update(r.withName(name));
                emit("rename", r.withName(name), Map.of("oldName", "/" + r.name()));
            }
        }
        names.refresh();
    }

    /**
     * {@code docker update}: new limits and restart policy, checked as at create, given to the running
     * task through containerd (its cgroup changes at once) and kept for the next starts.
     */
    public ContainerRecord updateHost(String idOrName, UnaryOperator<ContainerRecord.HostSettings> change) {
        ContainerRecord r = find(idOrName);
        synchronized (lock(r.id())) {
            r = records.get(r.id());
            if (r == null) throw new BerthException.NotFound("No such container: " + idOrName);
            ContainerRecord updated = r.withHost(change.apply(r.host()));
            String spec =
                    specs.json(updated, null, placeholderHostname(updated), true); // every limit checked as at create
            if (isRunning(r.id()) || isPaused(r.id())) runtime.update(r.id(), TaskResources.of(spec));
            update(updated);
            emit("update", updated, Map.of());
            return updated;
        }
    }

    /** Work on a container's root file system, given as a host path. */
    @FunctionalInterface
    public interface RootfsWork<T> {
        T run(Path root) throws Exception;
    }

    /**
     * Runs {@code work} on the container's root file system: the running task's ({@code /proc/PID/root},
     * its mounts included), else its snapshot mounted under the run dir for the while, the container's
     * lock held (it cannot start meanwhile).
     */
    public <T> T withRootfs(String id, RootfsWork<T> work) throws Exception {
        TaskState st = task(id);
        if (st != null
                && st.pid() > 0
                && (st.status() == TaskState.Status.RUNNING || st.status() == TaskState.Status.PAUSED))
            return work.run(Path.of("/proc/" + st.pid() + "/root"));
        synchronized (lock(id)) {
            st = task(id);
            if (st != null
                    && st.pid() > 0
                    && (st.status() == TaskState.Status.RUNNING || st.status() == TaskState.Status.PAUSED))
                return work.run(Path.of("/proc/" + st.pid() + "/root"));
            ContainerRecord r = records.get(id);
            if (r == null) throw new BerthException.NotFound("No such container: " + id);
            if (st != null) {
                // an ended run whose task still holds the root file system: its exit must be recorded first
                if (r.runOrNever().running())
                    throw new BerthException.Conflict("container " + r.name() + " is stopping; try again");
                deleteTaskQuietly(id);
            }
            Path dir = rootfsMounts.resolve(id);
            Files.createDirectories(dir);
            runtime.mountRootfs(id, dir);
            try {
                return work.run(dir);
            } finally {
                runtime.unmountRootfs(dir);
                Files.deleteIfExists(dir);
            }
        }
    }

    private void markStoppedByUser(String id) {
        synchronized (lock(id)) {
            ContainerRecord r = records.get(id);
            if (r != null && !r.runOrNever().stoppedByUser())
                update(r.withRun(r.runOrNever().stoppedByUser(true)));
        }
    }

    /** Deletes the container; a running one only with {@code force} (it is killed first). */
    public void remove(String idOrName, boolean force, boolean removeVolumes) {
        ContainerRecord r = find(idOrName);
        restarting.remove(r.id());
        if (isRunning(r.id()) || isPaused(r.id())) {
            if (!force)
                throw new BerthException.Conflict("cannot remove container \"/" + r.name()
                        + "\": container is running: stop the container before removing or force remove");
            markStoppedByUser(r.id());
            runtime.kill(r.id(), 9);
            faults.reach("container-rm:killed");
            if (isPaused(r.id())) runtime.resume(r.id());
            try {
                runtime.exited(r.id()).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new BerthException.Failed("container " + r.name() + " did not die after SIGKILL", e);
            }
            finishExit(r.id(), task(r.id()), false);
        }
        synchronized (lock(r.id())) {
            ContainerRecord now = records.get(r.id());
            if (now == null) return; // an auto-remove container removed itself meanwhile
            if (hasSandbox(r.id())) {
                removeSandboxQuietly(r.id());
                names.refresh();
            }
            forget(now, removeVolumes);
        }
    }

    /** Containerd first, the record last: a crash in between leaves a record that a second rm removes. */
    private void forget(ContainerRecord r, boolean removeVolumes) {
        faults.reach("container-rm:begin");
        written.forget(r.id());
        notInRuntime.remove(r.id());
        deleteFromRuntimeQuietly(r.id());
        faults.reach("container-rm:runtime-deleted");
        files.remove(r.id());
        faults.reach("container-rm:files-removed");
        store.remove(r.id());
        records.remove(r.id());
        if (removeVolumes) removeAnonymousVolumes(r);
        health.forget(r.id());
        emit("destroy", r, Map.of());
        CompletableFuture<Integer> f = removed.remove(r.id());
        if (f != null) f.complete(r.runOrNever().exitCode());
        completeExit(r.id(), r.runOrNever().exitCode()); // as Docker: a removal wakes the next-exit waiters too
        locks.remove(r.id());
    }

    /**
     * Docker's wait conditions: {@code not-running} (now if it does not run), {@code next-exit} (the end
     * of the next or current run) and {@code removed}. Completes with the exit status.
     */
    public CompletableFuture<Integer> await(String idOrName, String condition) {
        ContainerRecord r = find(idOrName);
        String c = condition == null || condition.isEmpty() ? "not-running" : condition;
        return switch (c) {
            case "not-running" -> notRunning(r.id());
            case "next-exit" -> waiter(nextExit, r);
            case "removed" -> waiter(removed, r);
            default ->
                throw new BerthException.InvalidRequest(
                        "condition", "'" + c + "' is not one of not-running, next-exit, removed");
        };
    }

    /** A waiter in {@code waiters}; completed now when the container was removed before it was registered. */
    private CompletableFuture<Integer> waiter(Map<String, CompletableFuture<Integer>> waiters, ContainerRecord r) {
        CompletableFuture<Integer> f = waiters.computeIfAbsent(r.id(), k -> new CompletableFuture<>());
        if (!records.containsKey(r.id()) && waiters.remove(r.id(), f))
            f.complete(r.runOrNever().exitCode());
        return f;
    }

    /**
     * Now if the container does not run, else at the end of this run. A task that just ended but whose end
     * is not recorded yet counts as running: its exit code is not known before {@link #finishExit}.
     */
    private CompletableFuture<Integer> notRunning(String id) {
        ContainerRecord before = records.get(id);
        if (before == null) return CompletableFuture.completedFuture(255); // removed meanwhile
        if (!runs(id))
            return CompletableFuture.completedFuture(before.runOrNever().exitCode());
        CompletableFuture<Integer> f = nextExit.computeIfAbsent(id, k -> new CompletableFuture<>());
        ContainerRecord now = records.get(id);
        if (now == null) {
            nextExit.remove(id, f);
            f.complete(255);
        } else if (!runs(id)) f.complete(now.runOrNever().exitCode()); // the exit was recorded meanwhile
        return f;
    }

    private boolean runs(String id) {
        ContainerRecord r = records.get(id);
        return isRunning(id)
                || isPaused(id)
                || restarting.contains(id)
                || r != null && r.runOrNever().running();
    }

    private void completeExit(String id, int code) {
        CompletableFuture<Integer> f = nextExit.remove(id);
        if (f != null) f.complete(code);
    }

    // ------------------------------------------------------------------ events

    /** berthd's event log ({@code /events}): containers, volumes and networks publish here, images and the API too. */
    public Events events() {
        return events;
    }

    /** The container's health (null: no healthcheck, or never ran with one), also the last one of a stopped container. */
    public HealthChecker.Health health(String id) {
        HealthChecker.Health h = health.health(id);
        if (h != null) return h;
        ContainerRecord r = records.get(id);
        return r == null ? null : r.runOrNever().health();
    }

    /** Keeps a running container's new health in its record, so a restarted berthd goes on from it. */
    private void keepHealth(String id, HealthChecker.Health h) {
        synchronized (lock(id)) {
            ContainerRecord r = records.get(id);
            if (r == null || !r.runOrNever().running()) return;
            try {
                update(r.withRun(r.run().withHealth(h)));
            } catch (RuntimeException e) {
                Log.warn("cannot keep the health of a container", "container", r.name(), "error", e.getMessage());
            }
        }
    }

    /** A container event with Docker's attributes (labels, image, name, then {@code extra}). */
    public void emit(String action, ContainerRecord r, Map<String, String> extra) {
        events.container(action, r.id(), r.name(), r.image(), r.labels(), extra);
    }

    private void networkEvents(String action, ContainerRecord r) {
        for (Endpoint e : endpointsOf(r.id())) {
            try {
                Network n = engine.network(e.networkId());
                events.publish(
                        "network",
                        action,
                        n.id(),
                        Map.of(
                                "container",
                                r.id(),
                                "name",
                                n.name(),
                                "type",
                                n.driver().id()));
            } catch (BerthException.NotFound gone) {
                // removed meanwhile
            }
        }
    }

    private void volumeEvents(String action, ContainerRecord r) {
        for (ContainerRecord.Mount m : r.host().resolved()) {
            if (!m.type().equals("volume") || m.name() == null) continue;
            Map<String, String> a = new LinkedHashMap<>();
            a.put("container", r.id());
            a.put("driver", "local");
            if (action.equals("mount")) {
                a.put("destination", m.destination());
                a.put("propagation", "");
                a.put("read/write", Boolean.toString(!m.readOnly()));
            }
            events.publish("volume", action, m.name(), a);
        }
    }

    // ------------------------------------------------------------------ volumes

    public Volumes volumes() {
        return volumes;
    }

    /** The ids of the containers (of any state) whose mounts name the volume. */
    public List<String> volumeUsers(String name) {
        List<String> out = new ArrayList<>();
        for (ContainerRecord r : records.values())
            for (ContainerRecord.Mount m : r.host().resolved())
                if (m.type().equals("volume") && name.equals(m.name())) {
                    out.add(r.id());
                    break;
                }
        out.sort(null);
        return out;
    }

    /**
     * {@code DELETE /volumes/NAME}: refused while a container uses it, in Docker's words; {@code force} only
     * makes a missing volume no error (as Docker). Under the name lock: a create naming it cannot slip in.
     */
    public long removeVolume(String name, boolean force) {
        synchronized (nameLock) {
            if (force && !volumes.exists(name)) return 0;
            volumes.get(name);
            List<String> users = volumeUsers(name);
            if (!users.isEmpty())
                throw new BerthException.Conflict(
                        "remove " + name + ": volume is in use - [" + String.join(", ", users) + "]");
            return volumes.remove(name);
        }
    }

    /** The volumes no container uses that {@code which} selects, removed. */
    public VolumePrune pruneVolumes(Predicate<VolumeRecord> which) {
        List<String> deleted = new ArrayList<>();
        long reclaimed = 0;
        synchronized (nameLock) {
            for (VolumeRecord v : volumes.list()) {
                if (!which.test(v) || !volumeUsers(v.name()).isEmpty()) continue;
                reclaimed += volumes.remove(v.name());
                deleted.add(v.name());
            }
        }
        return new VolumePrune(deleted, reclaimed);
    }

    public record VolumePrune(List<String> deleted, long reclaimed) {}

    /** {@code rm -v}: the container's anonymous volumes that no other container uses (as Docker). */
    private void removeAnonymousVolumes(ContainerRecord r) {
        synchronized (nameLock) {
            for (ContainerRecord.Mount m : r.host().resolved())
                if (m.type().equals("volume")
                        && m.anonymous()
                        && m.name() != null
                        && volumeUsers(m.name()).isEmpty()) volumes.removeQuietly(m.name());
        }
    }

    // ------------------------------------------------------------------ networks of a container

    @Override
    public void connect(String container, String network, EndpointRequest request) {
        ContainerRecord r = find(container);
        Network n = engine.network(network);
        synchronized (lock(r.id())) {
            if (r.networkMode().startsWith("container:") || r.networkMode().equals("host"))
                throw new BerthException.Conflict(
                        "container sharing network namespace with another container or host cannot be connected to any other network");
            for (String k : r.networks().keySet())
                if (engine.network(k).id().equals(n.id()))
                    throw new BerthException.Conflict(
                            "endpoint with name " + r.name() + " already exists in network " + n.name());
            if (hasSandbox(r.id())) {
                Endpoint e = engine.connect(r.id(), n.id(), request);
                faults.reach("container-connect:connected");
                names.connected(engine.sandbox(r.id()), e);
                StageTrace.point("container-connect:names");
                rewriteHosts(r);
                faults.reach("container-connect:hosts-written");
                events.publish(
                        "network",
                        "connect",
                        n.id(),
                        Map.of(
                                "container",
                                r.id(),
                                "name",
                                n.name(),
                                "type",
                                n.driver().id()));
            }
            Map<String, ContainerRecord.EndpointSettings> nets = new LinkedHashMap<>(r.networks());
            nets.put(
                    n.name(),
                    new ContainerRecord.EndpointSettings(
                            request.ipv4(), request.ipv6(), request.mac(), request.aliases(), request.gwPriority()));
            ContainerRecord updated = records.get(r.id()).withNetworks(nets);
            // A stopped container disconnected from its primary network (mode "none" since) that joins one again
            // takes it as primary, as Docker keeps NetworkMode: compose 1.29 disconnects and reconnects every network
            // of a created container to set its aliases, and a published port needs a primary network at start.
            if (!hasSandbox(r.id())
                    && updated.networkMode().equals("none")
                    && r.networks().isEmpty()) updated = updated.withNetworkMode(n.name());
            StageTrace.point("container:record");
            update(updated);
        }
    }

    @Override
    public void disconnect(String container, String network, boolean force) {
        ContainerRecord r;
        try {
            r = find(container);
        } catch (BerthException.NotFound e) {
            if (force) return;
            throw e;
        }
        Network n = engine.network(network);
        synchronized (lock(r.id())) {
            boolean recorded = r.networks().keySet().stream()
                            .anyMatch(k -> engine.network(k).id().equals(n.id()))
                    || primaryNetworkIdQuietly(r, n);
            if (hasSandbox(r.id())) {
                engine.disconnect(r.id(), n.id(), force);
                faults.reach("container-disconnect:disconnected");
                names.disconnected(r.id(), n.id());
                StageTrace.point("container-disconnect:names");
                rewriteHosts(r);
                faults.reach("container-disconnect:hosts-written");
                events.publish(
                        "network",
                        "disconnect",
                        n.id(),
                        Map.of(
                                "container",
                                r.id(),
                                "name",
                                n.name(),
                                "type",
                                n.driver().id()));
            } else if (!recorded) {
                throw new BerthException.Conflict("container " + r.id() + " is not connected to network " + n.name());
            }
            ContainerRecord current = records.get(r.id());
            Map<String, ContainerRecord.EndpointSettings> nets = new LinkedHashMap<>(current.networks());
            nets.keySet().removeIf(k -> engine.network(k).id().equals(n.id()));
            ContainerRecord updated = current.withNetworks(nets);
            if (primaryNetworkIdQuietly(r, n)) updated = updated.withNetworkMode("none");
            StageTrace.point("container:record");
            update(updated);
        }
    }

    private boolean primaryNetworkIdQuietly(ContainerRecord r, Network n) {
        try {
            return n.id().equals(primaryNetworkId(r));
        } catch (BerthException.NotFound e) {
            return false;
        }
    }

    /** In place: the container holds its /etc/hosts by inode, and sees the change at once. */
    private void rewriteHosts(ContainerRecord r) {
        Sandbox s = engine.sandbox(r.id());
        files.writeHosts(r.id(), hostsFiles.render(records.get(r.id()), s, engine));
    }

    @Override
    public String nameOf(String sandboxId) {
        ContainerRecord r = records.get(sandboxId);
        return r == null ? "" : r.name();
    }

    // ------------------------------------------------------------------ queries

    /** By full id, name (with or without Docker's leading slash) or unique id prefix. */
    public ContainerRecord find(String idOrName) {
        String key = idOrName.startsWith("/") ? idOrName.substring(1) : idOrName;
        ContainerRecord r = records.get(key);
        if (r != null) return r;
        for (ContainerRecord c : records.values()) if (c.name().equals(key)) return c;
        ContainerRecord match = null;
        if (!key.isEmpty())
            for (ContainerRecord c : records.values()) {
                if (!c.id().startsWith(key)) continue;
                if (match != null)
                    throw new BerthException.InvalidRequest("id", "multiple containers match the prefix " + key);
                match = c;
            }
        if (match == null) throw new BerthException.NotFound("No such container: " + idOrName);
        return match;
    }

    /** A Docker-like name ({@code adjective_noun}) no container has now. */
    public String unusedName() {
        return generatedNames.next(
                name -> records.values().stream().anyMatch(r -> r.name().equals(name)));
    }

    /** Whether a container with this full id exists. */
    public boolean exists(String id) {
        return records.containsKey(id);
    }

    public List<ContainerRecord> list() {
        List<ContainerRecord> out = new ArrayList<>(records.values());
        out.sort(Comparator.comparing(ContainerRecord::created).reversed());
        return out;
    }

    /** containerd's view of the task, or null when there is none (never started, or its exit handled). */
    public TaskState task(String id) {
        try {
            return runtime.state(id);
        } catch (BerthException.NotFound e) {
            return null;
        }
    }

    /** Docker's status word: created, running, paused, restarting, exited. */
    public String status(ContainerRecord r) {
        TaskState st = task(r.id());
        if (st != null && st.status() == TaskState.Status.RUNNING) return "running";
        if (st != null && st.status() == TaskState.Status.PAUSED) return "paused";
        if (restarting.contains(r.id()) || policyStarts.contains(r.id())) return "restarting";
        RunState run = r.runOrNever();
        return run.startedAt() == null && run.finishedAt() == null ? "created" : "exited";
    }

    public boolean isRestarting(String id) {
        return restarting.contains(id);
    }

    public boolean isRunning(String id) {
        TaskState st = task(id);
        return st != null && st.status() == TaskState.Status.RUNNING;
    }

    public boolean isPaused(String id) {
        TaskState st = task(id);
        return st != null && st.status() == TaskState.Status.PAUSED;
    }

    /** The sandbox while the container runs, else null. */
    public Sandbox sandboxOf(String id) {
        try {
            return engine.sandbox(id);
        } catch (BerthException.NotFound e) {
            return null;
        }
    }

    public List<Endpoint> endpointsOf(String id) {
        Sandbox s = sandboxOf(id);
        return s == null ? List.of() : engine.endpointsOf(s);
    }

    public ContainerRuntime runtime() {
        return runtime;
    }

    public SpecBuilder specs() {
        return specs;
    }

    public ContainerFiles files() {
        return files;
    }

    public Engine engine() {
        return engine;
    }

    /** Stops the restart timers; containers keep running. */
    public void close() {
        restarts.shutdownNow();
        health.close();
        store.close();
    }

    // ------------------------------------------------------------------ helpers

    private boolean hasSandbox(String id) {
        return sandboxOf(id) != null;
    }

    private void removeSandboxQuietly(String id) {
        names.detach(id);
        try {
            engine.removeSandbox(id);
        } catch (BerthException.NotFound gone) {
            // nothing to give back
        } catch (RuntimeException e) {
            Log.error("cannot remove a sandbox", "sandbox", id, "error", e.getMessage());
        }
    }

    private void deleteTaskQuietly(String id) {
        try {
            runtime.deleteTask(id);
        } catch (BerthException.NotFound gone) {
            // no task
        } catch (RuntimeException e) {
            Log.warn("cannot delete a task", "container", id, "error", e.getMessage());
        }
    }

    private void resizeQuietly(String id, int width, int height) {
        try {
            runtime.resize(id, width, height);
        } catch (RuntimeException e) {
            // the client resizes once attached
        }
    }

    private void killQuietly(String id) {
        try {
            runtime.kill(id, 9);
            runtime.exited(id).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            Log.warn("cannot kill a task", "container", id, "error", e.getMessage());
        }
    }

    private void deleteFromRuntimeQuietly(String id) {
        try {
            TaskState st = task(id);
            if (st != null && st.status() != TaskState.Status.STOPPED && st.status() != TaskState.Status.CREATED)
                killQuietly(id);
            deleteTaskQuietly(id);
            runtime.delete(id);
        } catch (BerthException.NotFound gone) {
            // containerd does not know it
        } catch (RuntimeException e) {
            Log.warn("cannot delete a containerd container", "container", id, "error", e.getMessage());
        }
    }

    private void update(ContainerRecord r) {
        store.put(r);
        records.put(r.id(), r);
    }

    private Object lock(String id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }

    static EndpointRequest endpoint(ContainerRecord.EndpointSettings s) {
        return new EndpointRequest(s.ipv4(), s.ipv6(), s.mac(), s.aliases()).withGwPriority(s.gwPriority());
    }

    /** Ids of the containers whose records exist (for tests and reconcile checks). */
    Set<String> ids() {
        return new HashSet<>(records.keySet());
    }
}
