package dev.berth.daemon.containers;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code docker create} asked for, merged with the image's config as Docker merges it, kept in the
 * state directory for the container's whole life, with the outcome of its last run. The network side
 * (addresses, ports) exists in the engine only while the container runs, as in Docker.
 *
 * @param image      the image reference as the client gave it; {@code imageId} is its sha256 id
 * @param command    the program and its arguments (Entrypoint followed by Cmd)
 * @param networks   network name or id to how the container joins it (the first is the primary one)
 * @param publish    Docker's {@code -p} texts built from HostConfig.PortBindings
 * @param exposed    "80/tcp" entries from Config.ExposedPorts, the image's and the port bindings
 * @param config     the rest of Docker's Config that Berth implements
 * @param host       the rest of Docker's HostConfig that Berth implements
 * @param run        how the last run went (null: never started)
 */
public record ContainerRecord(
        String id,
        String name,
        String image,
        String imageId,
        List<String> entrypoint,
        List<String> cmd,
        List<String> command,
        List<String> env,
        String workingDir,
        String hostname,
        Map<String, String> labels,
        Instant created,
        String networkMode,
        Map<String, EndpointSettings> networks,
        List<String> publish,
        Map<String, List<PortBinding>> portBindings,
        boolean publishAll,
        List<String> exposed,
        boolean autoRemove,
        List<String> dns,
        Config config,
        HostSettings host,
        RunState run) {

    public ContainerRecord {
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        command = command == null ? List.of() : List.copyOf(command);
        env = env == null ? List.of() : List.copyOf(env);
        labels = labels == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        networks = networks == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(networks));
        publish = publish == null ? List.of() : List.copyOf(publish);
        portBindings = portBindings == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(portBindings));
        exposed = exposed == null ? List.of() : List.copyOf(exposed);
        dns = dns == null ? List.of() : List.copyOf(dns);
        if (config == null) config = Config.DEFAULT;
        if (host == null) host = HostSettings.DEFAULT;
    }

    /**
     * How the container joins one network: static addresses, MAC and aliases (null/empty: allocate).
     *
     * @param gwPriority Docker's GwPriority: the network with the highest gives the default route
     */
    public record EndpointSettings(String ipv4, String ipv6, String mac, List<String> aliases, int gwPriority) {
        public EndpointSettings {
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
        }

        public EndpointSettings(String ipv4, String ipv6, String mac, List<String> aliases) {
            this(ipv4, ipv6, mac, aliases, 0);
        }
    }

    /** One HostConfig.PortBindings entry as the client sent it. */
    public record PortBinding(String hostIp, String hostPort) {}

    /**
     * Docker's Config fields beyond the command and network ones.
     *
     * @param stopTimeout seconds between the stop signal and SIGKILL, or null for the request's (10)
     * @param volumes     anonymous volume targets (Config.Volumes and the image's VOLUME)
     * @param consoleSize initial terminal size {@code [height, width]}, or empty
     * @param healthcheck the client's over the image's (null: none; a NONE test: disabled)
     */
    public record Config(
            String domainname,
            String user,
            boolean tty,
            boolean openStdin,
            boolean stdinOnce,
            boolean attachStdin,
            boolean attachStdout,
            boolean attachStderr,
            String stopSignal,
            Integer stopTimeout,
            List<String> volumes,
            List<Integer> consoleSize,
            Healthcheck healthcheck) {
        public static final Config DEFAULT =
                new Config("", "", false, false, false, false, false, false, null, null, List.of(), List.of(), null);

        public Config {
            domainname = domainname == null ? "" : domainname;
            user = user == null ? "" : user;
            volumes = volumes == null ? List.of() : List.copyOf(volumes);
            consoleSize = consoleSize == null ? List.of() : List.copyOf(consoleSize);
        }
    }

    /**
     * Docker's HostConfig fields beyond the network ones, as the client sent them ({@code binds},
     * {@code mounts}, {@code tmpfs} for inspect) and resolved ({@code volumes}: every mount the spec gets).
     */
    public record HostSettings(
            List<String> binds,
            List<MountRequest> mounts,
            Map<String, String> tmpfs,
            List<Mount> resolved,
            boolean readonlyRootfs,
            boolean privileged,
            List<String> capAdd,
            List<String> capDrop,
            List<String> securityOpt,
            long memory,
            long memorySwap,
            long nanoCpus,
            long cpuShares,
            long pidsLimit,
            List<Ulimit> ulimits,
            RestartPolicy restartPolicy,
            List<String> extraHosts,
            List<String> dnsSearch,
            List<String> dnsOptions,
            LogConfig logConfig) {
        public static final HostSettings DEFAULT = new HostSettings(
                null, null, null, null, false, false, null, null, null, 0, 0, 0, 0, 0, null, null, null, null, null,
                null);

        public HostSettings {
            binds = binds == null ? List.of() : List.copyOf(binds);
            mounts = mounts == null ? List.of() : List.copyOf(mounts);
            tmpfs = tmpfs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tmpfs));
            resolved = resolved == null ? List.of() : List.copyOf(resolved);
            capAdd = capAdd == null ? List.of() : List.copyOf(capAdd);
            capDrop = capDrop == null ? List.of() : List.copyOf(capDrop);
            securityOpt = securityOpt == null ? List.of() : List.copyOf(securityOpt);
            ulimits = ulimits == null ? List.of() : List.copyOf(ulimits);
            if (restartPolicy == null) restartPolicy = RestartPolicy.NO;
            extraHosts = extraHosts == null ? List.of() : List.copyOf(extraHosts);
            dnsSearch = dnsSearch == null ? List.of() : List.copyOf(dnsSearch);
            dnsOptions = dnsOptions == null ? List.of() : List.copyOf(dnsOptions);
            if (logConfig == null) logConfig = LogConfig.DEFAULT;
        }

        public boolean seccompUnconfined() {
            return securityOpt.contains("seccomp=unconfined") || securityOpt.contains("seccomp:unconfined");
        }

        public boolean noNewPrivileges() {
            return securityOpt.contains("no-new-privileges")
                    || securityOpt.contains("no-new-privileges=true")
                    || securityOpt.contains("no-new-privileges:true");
        }
    }

    /** One HostConfig.Mounts entry as the client sent it (for inspect). */
    public record MountRequest(
            String type, String source, String target, boolean readOnly, Long tmpfsSizeBytes, Integer tmpfsMode) {}

    /**
     * A mount the container gets: a host directory ({@code bind}), a named or anonymous volume (a
     * directory under the state dir's volumes/; {@code name} is the volume's) or a {@code tmpfs}.
     *
     * @param options tmpfs options (size=..., mode=...), empty otherwise
     */
    public record Mount(
            String type,
            String name,
            String source,
            String destination,
            boolean readOnly,
            boolean anonymous,
            List<String> options) {
        public Mount {
            options = options == null ? List.of() : List.copyOf(options);
        }
    }

    public record Ulimit(String name, long soft, long hard) {}

    /** {@code no}, {@code always}, {@code unless-stopped}, {@code on-failure} (with a retry limit, 0: none). */
    public record RestartPolicy(String name, int maximumRetryCount) {
        public static final RestartPolicy NO = new RestartPolicy("no", 0);
    }

    /** Only {@code json-file} (Docker's default), with {@code max-size} and {@code max-file}. */
    public record LogConfig(String type, Map<String, String> config) {
        public static final LogConfig DEFAULT = new LogConfig("json-file", Map.of());

        public LogConfig {
            type = type == null || type.isEmpty() ? "json-file" : type;
            config = config == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(config));
        }
    }

    /**
     * The last run: when it started and ended, how it ended, how many times the restart policy restarted
     * it, whether a user stopped it (a stopped {@code unless-stopped} container stays down) and its last
     * health (Docker's State.Health; null: no healthcheck ran in it).
     *
     * @param running     the daemon's intent: the container should be running (a crash recovery hint)
     */
    public record RunState(
            boolean running,
            long pid,
            Instant startedAt,
            Instant finishedAt,
            int exitCode,
            boolean oomKilled,
            String error,
            int restartCount,
            boolean stoppedByUser,
            HealthChecker.Health health) {
        public static final RunState NEVER = new RunState(false, 0, null, null, 0, false, "", 0, false, null);

        public RunState {
            error = error == null ? "" : error;
        }

        public RunState started(long newPid, Instant at) {
            return new RunState(true, newPid, at, null, 0, false, "", restartCount, false, null);
        }

        public RunState exited(int code, boolean oom, Instant at) {
            return new RunState(false, 0, startedAt, at, code, oom, error, restartCount, stoppedByUser, health);
        }

        public RunState failed(int code, String message) {
            return new RunState(
                    false, 0, startedAt, Instant.now(), code, false, message, restartCount, stoppedByUser, health);
        }

        public RunState stoppedByUser(boolean v) {
            return new RunState(
                    running, pid, startedAt, finishedAt, exitCode, oomKilled, error, restartCount, v, health);
        }

        public RunState restarted() {
            return new RunState(
                    running,
                    pid,
                    startedAt,
                    finishedAt,
                    exitCode,
                    oomKilled,
                    error,
                    restartCount + 1,
                    stoppedByUser,
                    health);
        }

        public RunState resetRestarts() {
            return new RunState(
                    running, pid, startedAt, finishedAt, exitCode, oomKilled, error, 0, stoppedByUser, health);
        }

        public RunState withHealth(HealthChecker.Health h) {
            return new RunState(
                    running, pid, startedAt, finishedAt, exitCode, oomKilled, error, restartCount, stoppedByUser, h);
        }
    }

    public String shortId() {
        return id.substring(0, 12);
    }

    public RunState runOrNever() {
        return run == null ? RunState.NEVER : run;
    }

    public ContainerRecord withNetworks(Map<String, EndpointSettings> n) {
        return new ContainerRecord(
                id,
                name,
                image,
                imageId,
                entrypoint,
                cmd,
                command,
                env,
                workingDir,
                hostname,
                labels,
                created,
                networkMode,
                n,
                publish,
                portBindings,
                publishAll,
                exposed,
                autoRemove,
                dns,
                config,
                host,
                run);
    }

    public ContainerRecord withNetworkMode(String mode) {
        return new ContainerRecord(
                id,
                name,
                image,
                imageId,
                entrypoint,
                cmd,
                command,
                env,
                workingDir,
                hostname,
                labels,
                created,
                mode,
                networks,
                publish,
                portBindings,
                publishAll,
                exposed,
                autoRemove,
                dns,
                config,
                host,
                run);
    }

    public ContainerRecord withName(String newName) {
        return new ContainerRecord(
                id,
                newName,
                image,
                imageId,
                entrypoint,
                cmd,
                command,
                env,
                workingDir,
                hostname,
                labels,
                created,
                networkMode,
                networks,
                publish,
                portBindings,
                publishAll,
                exposed,
                autoRemove,
                dns,
                config,
                host,
                run);
    }

    public ContainerRecord withHost(HostSettings h) {
        return new ContainerRecord(
                id,
                name,
                image,
                imageId,
                entrypoint,
                cmd,
                command,
                env,
                workingDir,
                hostname,
                labels,
                created,
                networkMode,
                networks,
                publish,
                portBindings,
                publishAll,
                exposed,
                autoRemove,
                dns,
                config,
                h,
                run);
    }

    public ContainerRecord withRun(RunState r) {
        return new ContainerRecord(
                id,
                name,
                image,
                imageId,
                entrypoint,
                cmd,
                command,
                env,
                workingDir,
                hostname,
                labels,
                created,
                networkMode,
                networks,
                publish,
                portBindings,
                publishAll,
                exposed,
                autoRemove,
                dns,
                config,
                host,
                r);
    }
}
