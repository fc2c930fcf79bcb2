package dev.berth.daemon.containers;

import dev.berth.daemon.Log;
import dev.berth.daemon.api.Attachments;
import dev.berth.daemon.api.ErrorResponses;
import dev.berth.engine.BerthException;
import dev.berth.engine.Engine;
import dev.berth.engine.model.Endpoint;
import dev.berth.engine.model.NetnsMode;
import dev.berth.engine.model.Network;
import dev.berth.engine.model.Sandbox;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.SandboxChecks;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.netlink.route.IpPrefix;
import dev.berth.runtime.ContainerSpec;
import dev.berth.runtime.ContainerState;
import dev.berth.runtime.Status;
import dev.berth.runtime.Supervisor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Containers as Docker has them: a record from create to remove, a process from start to exit (the
 * runtime's supervisor), and a sandbox in the engine while the process runs (addresses and published
 * ports are taken at start and given back at exit). One lock per container orders its operations.
 */
public final class Containers implements Attachments {

    private final Engine engine;
    private final Supervisor supervisor;
    private final ContainerStore store;
    private final HostsFiles hostsFiles;
    private final NameService names;
    private final Map<String, ContainerRecord> records = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Integer>> removed = new ConcurrentHashMap<>();
    private final Object nameLock = new Object();

    public Containers(Engine engine, Supervisor supervisor, Path stateDir, HostsFiles hostsFiles, NameService names) {
        this.engine = engine;
        this.supervisor = supervisor;
        this.store = new ContainerStore(stateDir.resolve("containers"));
        this.hostsFiles = hostsFiles;
        this.names = names;
    }

    // ------------------------------------------------------------------ start-up

    /**
     * Picks up where the last daemon stopped: running containers keep their sandboxes and are watched
     * again; sandboxes of containers that exited meanwhile, or that no record owns (a crash between the
     * two), are removed; auto-remove containers that exited are deleted.
     */
    public void recover() {
        for (ContainerRecord r : store.load()) records.put(r.id(), r);
        for (Sandbox s : engine.sandboxes()) {
            if (!records.containsKey(s.id())) {
                Log.warn("removing a sandbox no container owns", "sandbox", s.name());
                removeSandboxQuietly(s.id());
            }
        }
        for (ContainerRecord r : records.values()) {
            ContainerState st = stateOf(r.id());
            if (st != null && st.running()) {
                Sandbox s = sandboxOf(r.id());
                if (s != null) {
                    try {
                        names.attach(r, s);
                    } catch (RuntimeException e) {
                        Log.warn("cannot serve names to a running container", "container", r.name(), "error", e.getMessage());
                    }
                }
                watchExit(r.id());
            } else {
                afterExit(r.id());
            }
        }
        names.refresh();
        Log.info("containers recovered", "containers", records.size(),
                "running", records.keySet().stream().filter(this::isRunning).count());
    }

    // ------------------------------------------------------------------ lifecycle

    /** Records a new container; nothing runs and no network is touched until it starts. */
    public ContainerRecord create(ContainerRecord draft) {
        if (draft.command().isEmpty())
            throw new BerthException.InvalidRequest("Cmd", "no command specified: give the program to run after the image name");
        checkFields(draft);
        checkNetworkMode(draft);
        synchronized (nameLock) {
            for (ContainerRecord other : records.values())
                if (other.name().equals(draft.name()))
                    throw new BerthException.Conflict("Conflict. The container name \"/" + draft.name() + "\" is already in use by container \""
                            + other.id() + "\". You have to remove (or rename) that container to be able to reuse that name.");
            store.put(draft);
            records.put(draft.id(), draft);
        }
        return draft;
    }

    /**
     * The checks start would make of the container's fields, made now on the very request start will
     * send (the engine runs them again then): what create accepts, start never refuses for its form.
     */
    private void checkFields(ContainerRecord r) {
        SandboxChecks.check(sandboxRequest(r, r.networkMode()));
        for (Map.Entry<String, ContainerRecord.EndpointSettings> e : r.networks().entrySet())
            SandboxChecks.endpoint(endpoint(e.getValue()), "NetworkingConfig.EndpointsConfig." + e.getKey());
        for (String server : r.dns()) {
            try {
                IpPrefix.literal(server, server);
            } catch (IllegalArgumentException e) {
                throw new BerthException.InvalidRequest("HostConfig.Dns", "'" + server + "' is not an IP address of a DNS server");
            }
        }
    }

    private void checkNetworkMode(ContainerRecord r) {
        String mode = r.networkMode();
        if (mode.startsWith("container:")) {
            find(mode.substring("container:".length()));
            if (!r.publish().isEmpty() || r.publishAll())
                throw new BerthException.InvalidRequest("HostConfig.PortBindings", "conflicting options: port publishing and the container type network mode");
        } else if (mode.equals("host") || mode.equals("none")) {
            if (!r.publish().isEmpty() || r.publishAll())
                throw new BerthException.InvalidRequest("HostConfig.PortBindings", "published ports are not used in " + mode + " network mode");
        } else {
            engine.network(mode);
        }
        for (String n : r.networks().keySet()) if (!n.equals(mode)) engine.network(n);
    }

    /** Takes the container's network (sandbox, addresses, ports) and runs its command. All or nothing. */
    public void start(String idOrName) {
        ContainerRecord r = find(idOrName);
        synchronized (lock(r.id())) {
            if (isRunning(r.id())) throw new ErrorResponses.NotModified();
            Sandbox s;
            try {
                s = createSandbox(r);
            } catch (RuntimeException e) {
                if (r.autoRemove()) forget(r);
                throw e;
            }
            try {
                names.attach(r, s);
                for (Map.Entry<String, ContainerRecord.EndpointSettings> e : r.networks().entrySet())
                    if (!engine.network(e.getKey()).id().equals(primaryNetworkId(r))) engine.connect(r.id(), e.getKey(), endpoint(e.getValue()));
                String hosts = hostsFiles.render(r, s, engine);
                if (stateOf(r.id()) == null) supervisor.create(spec(r, s, hosts));
                else supervisor.writeHosts(r.id(), hosts);
                names.refresh(); // before the process runs: its first lookup may come at once
                supervisor.start(r.id());
            } catch (RuntimeException e) {
                removeSandboxQuietly(r.id());
                names.refresh();
                // Docker deletes an auto-remove container whose start failed; docker run --rm waits for that.
                if (r.autoRemove()) forget(r);
                throw e;
            }
            watchExit(r.id());
        }
    }

    private Sandbox createSandbox(ContainerRecord r) {
        String mode = r.networkMode();
        if (mode.startsWith("container:")) {
            ContainerRecord target = find(mode.substring("container:".length()));
            if (!isRunning(target.id()))
                throw new BerthException.Conflict("cannot join network namespace of container " + target.name() + ": it is not running");
            mode = "container:" + target.id();
        }
        return engine.createSandbox(sandboxRequest(r, mode));
    }

    /** The engine's request for the container's network part, in network mode {@code mode}. */
    private SandboxRequest sandboxRequest(ContainerRecord r, String mode) {
        ContainerRecord.EndpointSettings primary = r.networks().get(mode);
        if (primary == null && !mode.contains(":")) {
            String id = primaryNetworkId(r);
            for (Map.Entry<String, ContainerRecord.EndpointSettings> e : r.networks().entrySet())
                if (id != null && engine.network(e.getKey()).id().equals(id)) primary = e.getValue();
        }
        return new SandboxRequest(r.id(), r.name(), r.hostname(), mode,
                primary == null ? EndpointRequest.DEFAULT : endpoint(primary), r.publish(), r.publishAll(), r.exposed());
    }

    private String primaryNetworkId(ContainerRecord r) {
        String mode = r.networkMode();
        if (mode.contains(":") || mode.equals("host") || mode.equals("none")) return null;
        return engine.network(mode).id();
    }

    private ContainerSpec spec(ContainerRecord r, Sandbox s, String hosts) {
        Path netns = s.netns() instanceof NetnsMode.Host ? null : engine.netnsPath(s);
        Map<String, String> env = new LinkedHashMap<>();
        for (String kv : r.env()) {
            int eq = kv.indexOf('=');
            if (eq > 0) env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return new ContainerSpec(r.id(), r.name(), s.hostname(), netns, !(s.netns() instanceof NetnsMode.Host),
                r.command(), env, r.workingDir(), hosts, hostsFiles.resolvConf(r, s, engine));
    }

    private void watchExit(String id) {
        supervisor.exited(id).whenComplete((st, err) -> {
            try {
                afterExit(id);
            } catch (RuntimeException e) {
                Log.error("clean-up after exit failed", "container", id, "error", e.getMessage());
            }
        });
    }

    /** Gives the network back once the process is gone; deletes auto-remove containers. Idempotent. */
    private void afterExit(String id) {
        if (!records.containsKey(id)) return; // removed meanwhile
        synchronized (lock(id)) {
            ContainerRecord r = records.get(id);
            if (r != null && !isRunning(id)) {
                if (hasSandbox(id)) {
                    removeSandboxQuietly(id);
                    names.refresh();
                }
                if (r.autoRemove()) forget(r);
            }
        }
        if (!records.containsKey(id)) locks.remove(id); // a remove between the check and the lock: its lock would stay forever
    }

    /** SIGTERM, SIGKILL after {@code timeout}; returns when the process is gone and its network given back. */
    public void stop(String idOrName, int timeoutSeconds) {
        ContainerRecord r = find(idOrName);
        if (!isRunning(r.id())) throw new ErrorResponses.NotModified();
        supervisor.stop(r.id(), Duration.ofSeconds(Math.max(0, timeoutSeconds)));
        afterExit(r.id());
    }

    public void kill(String idOrName, String signal) {
        ContainerRecord r = find(idOrName);
        if (!isRunning(r.id())) throw new BerthException.Conflict("Cannot kill container: " + idOrName + ": container " + r.id() + " is not running");
        supervisor.kill(r.id(), Signals.parse(signal));
    }

    /** Deletes the container; a running one only with {@code force} (it is killed first). */
    public void remove(String idOrName, boolean force) {
        ContainerRecord r = find(idOrName);
        if (isRunning(r.id())) {
            if (!force)
                throw new BerthException.Conflict("cannot remove container \"/" + r.name() + "\": container is running: stop the container before removing or force remove");
            supervisor.kill(r.id(), Supervisor.SIGKILL);
            try {
                supervisor.exited(r.id()).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new BerthException.Failed("container " + r.name() + " did not die after SIGKILL", e);
            }
        }
        synchronized (lock(r.id())) {
            if (hasSandbox(r.id())) {
                removeSandboxQuietly(r.id());
                names.refresh();
            }
            forget(r);
        }
    }

    private void forget(ContainerRecord r) {
        ContainerState st = stateOf(r.id());
        if (st != null) supervisor.remove(r.id());
        store.remove(r.id());
        records.remove(r.id());
        CompletableFuture<Integer> f = removed.remove(r.id());
        if (f != null) f.complete(st == null || st.exitCode() == null ? 0 : st.exitCode());
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
            case "not-running" -> isRunning(r.id()) ? exitCodeOf(r.id()) : CompletableFuture.completedFuture(lastExit(r.id()));
            case "next-exit" -> exitCodeOf(r.id());
            case "removed" -> removed.computeIfAbsent(r.id(), k -> new CompletableFuture<>());
            default -> throw new BerthException.InvalidRequest("condition", "'" + c + "' is not one of not-running, next-exit, removed");
        };
    }

    private CompletableFuture<Integer> exitCodeOf(String id) {
        if (stateOf(id) == null) {
            // Never started: the supervisor does not know it yet; wait for its first run to end.
            CompletableFuture<Integer> f = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                while (records.containsKey(id) && stateOf(id) == null) sleep(10);
                if (stateOf(id) == null) f.complete(0);
                else supervisor.exited(id).thenAccept(st -> f.complete(st.exitCode() == null ? 0 : st.exitCode()));
            });
            return f;
        }
        return supervisor.exited(id).thenApply(st -> st.exitCode() == null ? 0 : st.exitCode());
    }

    private int lastExit(String id) {
        ContainerState st = stateOf(id);
        return st == null || st.exitCode() == null ? 0 : st.exitCode();
    }

    // ------------------------------------------------------------------ networks of a container

    @Override
    public void connect(String container, String network, EndpointRequest request) {
        ContainerRecord r = find(container);
        Network n = engine.network(network);
        synchronized (lock(r.id())) {
            if (r.networkMode().startsWith("container:") || r.networkMode().equals("host"))
                throw new BerthException.Conflict("container sharing network namespace with another container or host cannot be connected to any other network");
            for (String k : r.networks().keySet())
                if (engine.network(k).id().equals(n.id()))
                    throw new BerthException.Conflict("endpoint with name " + r.name() + " already exists in network " + n.name());
            if (isRunning(r.id())) {
                engine.connect(r.id(), n.id(), request);
                rewriteHosts(r);
            }
            Map<String, ContainerRecord.EndpointSettings> nets = new LinkedHashMap<>(r.networks());
            nets.put(n.name(), new ContainerRecord.EndpointSettings(request.ipv4(), request.ipv6(), request.mac(), request.aliases()));
            update(r.withNetworks(nets));
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
            boolean recorded = r.networks().keySet().stream().anyMatch(k -> engine.network(k).id().equals(n.id()))
                    || primaryNetworkIdQuietly(r, n);
            if (isRunning(r.id()) && hasSandbox(r.id())) {
                engine.disconnect(r.id(), n.id(), force);
                rewriteHosts(r);
            } else if (!recorded) {
                throw new BerthException.Conflict("container " + r.id() + " is not connected to network " + n.name());
            }
            Map<String, ContainerRecord.EndpointSettings> nets = new LinkedHashMap<>(r.networks());
            nets.keySet().removeIf(k -> engine.network(k).id().equals(n.id()));
            ContainerRecord updated = r.withNetworks(nets);
            if (primaryNetworkIdQuietly(r, n)) updated = withMode(updated, "none");
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

    private static ContainerRecord withMode(ContainerRecord r, String mode) {
        return new ContainerRecord(r.id(), r.name(), r.image(), r.entrypoint(), r.cmd(), r.command(), r.env(), r.workingDir(),
                r.hostname(), r.labels(), r.created(), mode, r.networks(), r.publish(), r.portBindings(), r.publishAll(),
                r.exposed(), r.autoRemove(), r.dns());
    }

    private void rewriteHosts(ContainerRecord r) {
        Sandbox s = engine.sandbox(r.id());
        supervisor.writeHosts(r.id(), hostsFiles.render(r, s, engine));
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
                if (match != null) throw new BerthException.InvalidRequest("id", "multiple containers match the prefix " + key);
                match = c;
            }
        if (match == null) throw new BerthException.NotFound("No such container: " + idOrName);
        return match;
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

    /** The runtime's view, or null when the container never started. */
    public ContainerState stateOf(String id) {
        try {
            return supervisor.state(id);
        } catch (BerthException.NotFound e) {
            return null;
        }
    }

    public boolean isRunning(String id) {
        ContainerState st = stateOf(id);
        return st != null && st.status() == Status.RUNNING;
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

    public Supervisor supervisor() {
        return supervisor;
    }

    public Engine engine() {
        return engine;
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

    private void update(ContainerRecord r) {
        store.put(r);
        records.put(r.id(), r);
    }

    private Object lock(String id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }

    static EndpointRequest endpoint(ContainerRecord.EndpointSettings s) {
        return new EndpointRequest(s.ipv4(), s.ipv6(), s.mac(), s.aliases());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
