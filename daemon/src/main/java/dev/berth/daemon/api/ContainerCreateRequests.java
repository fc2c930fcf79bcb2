package dev.berth.daemon.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.containers.ContainerNames;
import dev.berth.daemon.containers.ContainerRecord;
import dev.berth.daemon.containers.ContainerRecord.Config;
import dev.berth.daemon.containers.ContainerRecord.HostSettings;
import dev.berth.daemon.containers.ContainerRecord.LogConfig;
import dev.berth.daemon.containers.ContainerRecord.Mount;
import dev.berth.daemon.containers.ContainerRecord.MountRequest;
import dev.berth.daemon.containers.ContainerRecord.RestartPolicy;
import dev.berth.daemon.containers.ContainerRecord.Ulimit;
import dev.berth.daemon.containers.ContainerRequest;
import dev.berth.daemon.containers.Healthcheck;
import dev.berth.daemon.containers.LogSizes;
import dev.berth.daemon.containers.Signals;
import dev.berth.model.BerthException;
import dev.berth.model.IpPrefix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads Docker's container-create body (Config + HostConfig + NetworkingConfig) into a validated
 * request. The docker CLI sends every field, most of them zero-valued: a field Berth does not implement
 * is refused with a 400 naming it only when its value is not the default, so nothing asked for is
 * silently ignored.
 */
public final class ContainerCreateRequests {
    private static final Set<String> CONFIG_FIELDS = Set.of(
            "Hostname",
            "Domainname",
            "User",
            "AttachStdin",
            "AttachStdout",
            "AttachStderr",
            "Tty",
            "OpenStdin",
            "StdinOnce",
            "Env",
            "Cmd",
            "Image",
            "Volumes",
            "WorkingDir",
            "Entrypoint",
            "Labels",
            "StopSignal",
            "StopTimeout",
            "ExposedPorts",
            "HostConfig",
            "NetworkingConfig",
            "Healthcheck",
            // build-time or Windows-only fields Docker itself ignores for a container
            "OnBuild",
            "ArgsEscaped",
            "Shell");
    private static final Set<String> HOST_FIELDS = Set.of(
            "Binds",
            "LogConfig",
            "NetworkMode",
            "PortBindings",
            "RestartPolicy",
            "AutoRemove",
            "CapAdd",
            "CapDrop",
            "Dns",
            "DnsOptions",
            "DnsSearch",
            "ExtraHosts",
            "Privileged",
            "PublishAllPorts",
            "ReadonlyRootfs",
            "SecurityOpt",
            "Tmpfs",
            "CpuShares",
            "Memory",
            "NanoCpus",
            "MemorySwap",
            "PidsLimit",
            "Ulimits",
            "Mounts",
            "ConsoleSize",
            "MemorySwappiness",
            // the CLI's own bookkeeping (--cidfile is written by the client)
            "ContainerIDFile");
    private static final Set<String> ENDPOINT_FIELDS = Set.of(
            "IPAMConfig",
            "Aliases",
            "MacAddress",
            "GwPriority",
            // read-only fields of the same type that the CLI sends empty
            "NetworkID",
            "EndpointID",
            "Gateway",
            "IPAddress",
            "IPPrefixLen",
            "IPv6Gateway",
            "GlobalIPv6Address",
            "GlobalIPv6PrefixLen",
            "DNSNames");
    private static final Set<String> CAPABILITIES = Set.of(
            "CHOWN",
            "DAC_OVERRIDE",
            "DAC_READ_SEARCH",
            "FOWNER",
            "FSETID",
            "KILL",
            "SETGID",
            "SETUID",
            "SETPCAP",
            "LINUX_IMMUTABLE",
            "NET_BIND_SERVICE",
            "NET_BROADCAST",
            "NET_ADMIN",
            "NET_RAW",
            "IPC_LOCK",
            "IPC_OWNER",
            "SYS_MODULE",
            "SYS_RAWIO",
            "SYS_CHROOT",
            "SYS_PTRACE",
            "SYS_PACCT",
            "SYS_ADMIN",
            "SYS_BOOT",
            "SYS_NICE",
            "SYS_RESOURCE",
            "SYS_TIME",
            "SYS_TTY_CONFIG",
            "MKNOD",
            "LEASE",
            "AUDIT_WRITE",
            "AUDIT_CONTROL",
            "SETFCAP",
            "MAC_OVERRIDE",
            "MAC_ADMIN",
            "SYSLOG",
            "WAKE_ALARM",
            "BLOCK_SUSPEND",
            "AUDIT_READ",
            "PERFMON",
            "BPF",
            "CHECKPOINT_RESTORE");
    private static final Set<String> ULIMITS = Set.of(
            "core",
            "cpu",
            "data",
            "fsize",
            "locks",
            "memlock",
            "msgqueue",
            "nice",
            "nofile",
            "nproc",
            "rss",
            "rtprio",
            "rttime",
            "sigpending",
            "stack");
    private static final Set<String> BIND_OPTIONS =
            Set.of("ro", "rw", "z", "Z", "private", "rprivate", "shared", "rshared", "slave", "rslave", "nocopy");
    private static final Pattern HOSTNAME = Pattern.compile("[a-zA-Z0-9]([a-zA-Z0-9.-]{0,253}[a-zA-Z0-9])?");
    private static final long MIN_MEMORY = 6L * 1024 * 1024;

    private ContainerCreateRequests() {}

    /** The request, or a 400 naming the first field Berth cannot honour. */
    public static ContainerRequest read(String id, String name, JsonNode body) {
        if (!body.isObject()) throw new BerthException.InvalidRequest("body", "must be a JSON object");
        JsonShape.checkContainerCreate(body);
        ContainerNames.check(name);
        refuseOthers(body, CONFIG_FIELDS, "");
        JsonNode host = body.path("HostConfig");
        if (!host.isMissingNode() && !host.isNull() && !host.isObject())
            throw new BerthException.InvalidRequest("HostConfig", "must be a JSON object");
        refuseOthers(host, HOST_FIELDS, "HostConfig.");
        if (host.path("Init").asBoolean(false))
            throw new BerthException.InvalidRequest(
                    "HostConfig.Init", "Berth has no init process to inject: run without --init");

        List<String> entrypoint = optionalStrings(body.path("Entrypoint"), "Entrypoint");
        List<String> cmd = optionalStrings(body.path("Cmd"), "Cmd");
        String mode = text(host.path("NetworkMode"));
        if (mode == null || mode.equals("default")) mode = "bridge";

        Map<String, ContainerRecord.EndpointSettings> networks =
                endpoints(body.path("NetworkingConfig").path("EndpointsConfig"));
        List<String> exposed = new ArrayList<>();
        body.path("ExposedPorts").fieldNames().forEachRemaining(p -> exposed.add(p.contains("/") ? p : p + "/tcp"));
        Map<String, List<ContainerRecord.PortBinding>> bindings = new LinkedHashMap<>();
        List<String> publish = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it =
                        host.path("PortBindings").fields();
                it.hasNext(); ) {
            var e = it.next();
            String ctr = e.getKey().contains("/") ? e.getKey() : e.getKey() + "/tcp";
            List<ContainerRecord.PortBinding> list = new ArrayList<>();
            for (JsonNode b : e.getValue()) {
                String ip = text(b.path("HostIp"));
                String port = text(b.path("HostPort"));
                list.add(new ContainerRecord.PortBinding(ip == null ? "" : ip, port == null ? "" : port));
                publish.add(publishSpec(ip, port, ctr));
            }
            bindings.put(ctr, list);
            if (!exposed.contains(ctr)) exposed.add(ctr);
        }
        List<String> warnings = new ArrayList<>();
        boolean publishAll = host.path("PublishAllPorts").asBoolean(false);
        if (mode.equals("host") && (!publish.isEmpty() || publishAll)) {
            // Docker's rule: the host's ports are the container's already; -p and -P are dropped with a warning
            // (HostConfig keeps the bindings asked for, as Docker's inspect shows them)
            publish.clear();
            publishAll = false;
            warnings.add("Published ports are discarded when using host network mode");
        }
        Map<String, String> labels = stringMap(body.path("Labels"), "Labels");
        String hostname = text(body.path("Hostname"));
        if (hostname != null && (mode.equals("host") || mode.startsWith("container:")))
            throw new BerthException.InvalidRequest(
                    "Hostname", "conflicting options: hostname and the network mode " + mode);
        if (hostname != null && !HOSTNAME.matcher(hostname).matches())
            throw new BerthException.InvalidRequest("Hostname", "'" + hostname + "' is not a valid hostname");
        List<String> env = strings(body.path("Env"), "Env");
        for (String kv : env)
            if (kv.isEmpty() || kv.startsWith("="))
                throw new BerthException.InvalidRequest("Env", "'" + kv + "' is not NAME=value");
        String stopSignal = text(body.path("StopSignal"));
        if (stopSignal != null) Signals.parse(stopSignal, "StopSignal");
        Integer stopTimeout =
                body.path("StopTimeout").isNumber() ? body.path("StopTimeout").asInt() : null;
        if (stopTimeout != null && stopTimeout < -1)
            throw new BerthException.InvalidRequest("StopTimeout", "must be -1 (wait forever), 0 or more seconds");
        List<String> volumes = new ArrayList<>();
        body.path("Volumes").fieldNames().forEachRemaining(v -> volumes.add(checkTarget(v, "Volumes")));
        List<Integer> console = new ArrayList<>();
        for (JsonNode n : host.path("ConsoleSize")) console.add(n.asInt());
        if (console.stream().allMatch(v -> v == 0)) console.clear();

        Config config = new Config(
                text(body.path("Domainname")),
                text(body.path("User")),
                body.path("Tty").asBoolean(false),
                body.path("OpenStdin").asBoolean(false),
                body.path("StdinOnce").asBoolean(false),
                body.path("AttachStdin").asBoolean(false),
                body.path("AttachStdout").asBoolean(false),
                body.path("AttachStderr").asBoolean(false),
                stopSignal,
                stopTimeout,
                volumes,
                console,
                Healthcheck.read(body.get("Healthcheck"), "Healthcheck"));
        boolean autoRemove = host.path("AutoRemove").asBoolean(false);
        HostSettings hs = hostSettings(host, autoRemove);
        ContainerRecord draft = new ContainerRecord(
                id,
                name,
                text(body.path("Image")) == null ? "" : text(body.path("Image")),
                null,
                entrypoint,
                cmd,
                List.of(),
                env,
                text(body.path("WorkingDir")),
                hostname,
                labels,
                Instant.now(),
                mode,
                networks,
                publish,
                bindings,
                publishAll,
                exposed,
                autoRemove,
                ips(strings(host.path("Dns"), "HostConfig.Dns"), "HostConfig.Dns"),
                config,
                hs,
                null);
        if (draft.image().isEmpty()) throw new BerthException.InvalidRequest("Image", "no image given");
        if (draft.workingDir() != null && !draft.workingDir().startsWith("/"))
            throw new BerthException.InvalidRequest(
                    "WorkingDir", "the working directory '" + draft.workingDir() + "' is invalid: it must be absolute");
        return new ContainerRequest(draft, entrypoint, cmd, List.copyOf(warnings));
    }

    /** Docker's GwPriority of an endpoint (a Go int: any 32-bit integer, negative ones too); absent or null is 0. */
    static int gwPriority(JsonNode gw, String field) {
        if (gw.isMissingNode() || gw.isNull()) return 0;
        if (!gw.isIntegralNumber() || !gw.canConvertToInt())
            throw new BerthException.InvalidRequest(field, "must be an integer, not " + gw);
        return gw.asInt();
    }

    private static Map<String, ContainerRecord.EndpointSettings> endpoints(JsonNode eps) {
        Map<String, ContainerRecord.EndpointSettings> networks = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = eps.fields(); it.hasNext(); ) {
            var e = it.next();
            String field = "NetworkingConfig.EndpointsConfig." + e.getKey();
            refuseOthers(e.getValue(), ENDPOINT_FIELDS, field + ".");
            JsonNode ipam = e.getValue().path("IPAMConfig");
            if (!isZero(ipam.path("LinkLocalIPs")))
                throw new BerthException.InvalidRequest(
                        field + ".IPAMConfig.LinkLocalIPs", "link-local addresses are not supported by Berth");
            String key = e.getKey().equals("default") ? "bridge" : e.getKey();
            int gw = gwPriority(e.getValue().path("GwPriority"), field + ".GwPriority");
            if (networks.containsKey(key))
                throw new BerthException.InvalidRequest(field, "the network " + key + " is given twice");
            networks.put(
                    key,
                    new ContainerRecord.EndpointSettings(
                            text(ipam.path("IPv4Address")),
                            text(ipam.path("IPv6Address")),
                            text(e.getValue().path("MacAddress")),
                            strings(e.getValue().path("Aliases"), field + ".Aliases"),
                            gw));
        }
        return networks;
    }

    private static HostSettings hostSettings(JsonNode host, boolean autoRemove) {
        List<String> binds = strings(host.path("Binds"), "HostConfig.Binds");
        List<MountRequest> mountRequests = new ArrayList<>();
        Map<String, String> tmpfs = stringMap(host.path("Tmpfs"), "HostConfig.Tmpfs");
        List<Mount> resolved = new ArrayList<>();
        for (int i = 0; i < binds.size(); i++) resolved.add(bind(binds.get(i), "HostConfig.Binds[" + i + "]"));
        int i = 0;
        for (JsonNode m : host.path("Mounts")) {
            MountRequest req = mountRequest(m, "HostConfig.Mounts[" + i++ + "]");
            mountRequests.add(req);
            resolved.add(mount(req));
        }
        for (Map.Entry<String, String> t : tmpfs.entrySet()) {
            String target = checkTarget(t.getKey(), "HostConfig.Tmpfs");
            List<String> options =
                    t.getValue().isEmpty() ? List.of() : List.of(t.getValue().split(","));
            boolean ro = options.contains("ro");
            resolved.add(new Mount(
                    "tmpfs",
                    null,
                    "tmpfs",
                    target,
                    ro,
                    false,
                    options.stream()
                            .filter(o -> !o.equals("ro") && !o.equals("rw"))
                            .toList()));
        }
        Set<String> targets = new HashSet<>();
        for (Mount m : resolved)
            if (!targets.add(m.destination()))
                throw new BerthException.InvalidRequest(
                        "HostConfig.Mounts", "Duplicate mount point: " + m.destination());

        List<String> securityOpt = strings(host.path("SecurityOpt"), "HostConfig.SecurityOpt");
        for (String o : securityOpt)
            if (!Set.of(
                            "seccomp=unconfined",
                            "seccomp:unconfined",
                            "no-new-privileges",
                            "no-new-privileges=true",
                            "no-new-privileges:true")
                    .contains(o))
                throw new BerthException.InvalidRequest(
                        "HostConfig.SecurityOpt",
                        "'" + shorten(o)
                                + "' is not supported by Berth (seccomp=unconfined and no-new-privileges are)");
        long memory = host.path("Memory").asLong(0);
        if (memory != 0 && memory < MIN_MEMORY)
            throw new BerthException.InvalidRequest("HostConfig.Memory", "Minimum memory limit allowed is 6MB");
        long swap = host.path("MemorySwap").asLong(0);
        if (swap > 0 && memory == 0)
            throw new BerthException.InvalidRequest(
                    "HostConfig.MemorySwap", "You should always set the Memory limit when using Memoryswap limit");
        if (swap > 0 && swap < memory)
            throw new BerthException.InvalidRequest(
                    "HostConfig.MemorySwap", "Minimum memoryswap limit should be larger than memory limit");
        if (swap < -1)
            throw new BerthException.InvalidRequest("HostConfig.MemorySwap", "must be -1 (unlimited), 0 or a size");
        long swappiness = host.path("MemorySwappiness").asLong(-1);
        if (swappiness != -1 && !host.path("MemorySwappiness").isNull())
            throw new BerthException.InvalidRequest("HostConfig.MemorySwappiness", "not supported by Berth");
        long nanoCpus = host.path("NanoCpus").asLong(0);
        int ncpu = Runtime.getRuntime().availableProcessors();
        if (nanoCpus < 0 || nanoCpus > ncpu * 1_000_000_000L)
            throw new BerthException.InvalidRequest(
                    "HostConfig.NanoCpus",
                    "Range of CPUs is from 0.01 to " + ncpu + ".00, as there are only " + ncpu + " CPUs available");
        long shares = host.path("CpuShares").asLong(0);
        if (shares < 0) throw new BerthException.InvalidRequest("HostConfig.CpuShares", "must not be negative");
        long pids = host.path("PidsLimit").asLong(0);
        if (pids < -1)
            throw new BerthException.InvalidRequest(
                    "HostConfig.PidsLimit", "must be -1 (unlimited), 0 (default) or more");

        List<Ulimit> ulimits = new ArrayList<>();
        for (JsonNode u : host.path("Ulimits")) {
            String n = text(u.path("Name"));
            if (n == null || !ULIMITS.contains(n))
                throw new BerthException.InvalidRequest("HostConfig.Ulimits", "invalid ulimit type: " + n);
            long soft = u.path("Soft").asLong(), hard = u.path("Hard").asLong();
            if (soft > hard)
                throw new BerthException.InvalidRequest(
                        "HostConfig.Ulimits",
                        "ulimit soft limit must be less than or equal to hard limit: " + soft + " > " + hard);
            ulimits.add(new Ulimit(n, soft, hard));
        }
        RestartPolicy restart = restartPolicy(host.path("RestartPolicy"));
        if (autoRemove && !restart.name().equals("no"))
            throw new BerthException.InvalidRequest(
                    "HostConfig.AutoRemove", "can't create 'AutoRemove' container with restart policy");
        List<String> extraHosts = strings(host.path("ExtraHosts"), "HostConfig.ExtraHosts");
        for (String h : extraHosts) extraHost(h);
        List<String> dnsSearch = strings(host.path("DnsSearch"), "HostConfig.DnsSearch");
        for (String d : dnsSearch)
            if (!d.equals(".") && !HOSTNAME.matcher(d).matches())
                throw new BerthException.InvalidRequest("HostConfig.DnsSearch", d + " is not a valid domain");
        return new HostSettings(
                binds,
                mountRequests,
                tmpfs,
                resolved,
                host.path("ReadonlyRootfs").asBoolean(false),
                host.path("Privileged").asBoolean(false),
                capabilities(host.path("CapAdd"), "HostConfig.CapAdd"),
                capabilities(host.path("CapDrop"), "HostConfig.CapDrop"),
                securityOpt,
                memory,
                swap,
                nanoCpus,
                shares,
                pids,
                ulimits,
                restart,
                extraHosts,
                dnsSearch,
                strings(host.path("DnsOptions"), "HostConfig.DnsOptions"),
                logConfig(host.path("LogConfig")));
    }

    /** {@code /host:/ctr[:opts]} (a bind mount) or {@code name:/ctr[:opts]} (a named volume). */
    private static Mount bind(String spec, String field) {
        String[] parts = spec.split(":");
        if (parts.length < 2 || parts.length > 3)
            throw new BerthException.InvalidRequest(field, "invalid volume specification: '" + spec + "'");
        String source = parts[0], target = checkTarget(parts[1], field);
        boolean ro = false;
        if (parts.length == 3)
            for (String o : parts[2].split(",")) {
                if (!BIND_OPTIONS.contains(o)) throw new BerthException.InvalidRequest(field, "invalid mode: " + o);
                if (o.equals("ro")) ro = true;
            }
        if (source.startsWith("/")) return new Mount("bind", null, source, target, ro, false, List.of());
        ContainerNames.checkVolume(source, field);
        return new Mount("volume", source, null, target, ro, false, List.of());
    }

    private static MountRequest mountRequest(JsonNode m, String field) {
        refuseOthers(m, Set.of("Type", "Source", "Target", "ReadOnly", "TmpfsOptions", "Consistency"), field + ".");
        String type = text(m.path("Type"));
        if (type == null || !Set.of("bind", "volume", "tmpfs").contains(type))
            throw new BerthException.InvalidRequest(field + ".Type", "'" + type + "' is not bind, volume or tmpfs");
        String source = text(m.path("Source"));
        String target = checkTarget(text(m.path("Target")), field + ".Target");
        JsonNode t = m.path("TmpfsOptions");
        refuseOthers(t, Set.of("SizeBytes", "Mode"), field + ".TmpfsOptions.");
        if (!type.equals("tmpfs") && !isZero(t))
            throw new BerthException.InvalidRequest(field + ".TmpfsOptions", "only for tmpfs mounts");
        switch (type) {
            case "bind" -> {
                if (source == null || !source.startsWith("/"))
                    throw new BerthException.InvalidRequest(
                            field + ".Source",
                            "invalid mount config for type \"bind\": the source must be an absolute path");
                if (!Files.exists(Path.of(source)))
                    throw new BerthException.InvalidRequest(
                            field + ".Source",
                            "invalid mount config for type \"bind\": bind source path does not exist: " + source);
            }
            case "volume" -> {
                if (source != null) ContainerNames.checkVolume(source, field + ".Source");
            }
            default -> {
                if (source != null)
                    throw new BerthException.InvalidRequest(
                            field + ".Source", "invalid mount config for type \"tmpfs\": source must not be specified");
            }
        }
        return new MountRequest(
                type,
                source,
                target,
                m.path("ReadOnly").asBoolean(false),
                t.path("SizeBytes").isNumber() ? t.path("SizeBytes").asLong() : null,
                t.path("Mode").isNumber() ? t.path("Mode").asInt() : null);
    }

    private static Mount mount(MountRequest r) {
        return switch (r.type()) {
            case "bind" -> new Mount("bind", null, r.source(), r.target(), r.readOnly(), false, List.of());
            case "volume" ->
                new Mount("volume", r.source(), null, r.target(), r.readOnly(), r.source() == null, List.of());
            default -> {
                List<String> options = new ArrayList<>();
                if (r.tmpfsSizeBytes() != null && r.tmpfsSizeBytes() > 0) options.add("size=" + r.tmpfsSizeBytes());
                if (r.tmpfsMode() != null) options.add("mode=" + Integer.toOctalString(r.tmpfsMode()));
                yield new Mount("tmpfs", null, "tmpfs", r.target(), r.readOnly(), false, options);
            }
        };
    }

    private static String checkTarget(String target, String field) {
        if (target == null || !target.startsWith("/"))
            throw new BerthException.InvalidRequest(
                    field, "invalid mount target '" + target + "': it must be an absolute path");
        if (target.equals("/"))
            throw new BerthException.InvalidRequest(field, "invalid specification: destination can't be '/'");
        return target;
    }

    static RestartPolicy restartPolicy(JsonNode n) {
        String name = text(n.path("Name"));
        int max = n.path("MaximumRetryCount").asInt(0);
        if (name == null || name.equals("no")) {
            if (max != 0)
                throw new BerthException.InvalidRequest(
                        "HostConfig.RestartPolicy.MaximumRetryCount",
                        "maximum retry count cannot be used with restart policy 'no'");
            return RestartPolicy.NO;
        }
        if (!Set.of("always", "unless-stopped", "on-failure").contains(name))
            throw new BerthException.InvalidRequest(
                    "HostConfig.RestartPolicy.Name", "invalid restart policy '" + name + "'");
        if (max < 0)
            throw new BerthException.InvalidRequest(
                    "HostConfig.RestartPolicy.MaximumRetryCount", "maximum retry count cannot be negative");
        if (max != 0 && !name.equals("on-failure"))
            throw new BerthException.InvalidRequest(
                    "HostConfig.RestartPolicy.MaximumRetryCount",
                    "maximum retry count cannot be used with restart policy '" + name + "'");
        return new RestartPolicy(name, max);
    }

    private static LogConfig logConfig(JsonNode n) {
        String type = text(n.path("Type"));
        if (type != null && !type.equals("json-file"))
            throw new BerthException.InvalidRequest(
                    "HostConfig.LogConfig.Type",
                    "the log driver '" + type + "' is not supported by Berth (json-file is)");
        Map<String, String> config = stringMap(n.path("Config"), "HostConfig.LogConfig.Config");
        for (Map.Entry<String, String> e : config.entrySet()) {
            switch (e.getKey()) {
                case "max-size" -> LogSizes.parse(e.getValue(), "HostConfig.LogConfig.Config.max-size");
                case "max-file" -> {
                    try {
                        if (Integer.parseInt(e.getValue()) < 1) throw new NumberFormatException();
                    } catch (NumberFormatException x) {
                        throw new BerthException.InvalidRequest(
                                "HostConfig.LogConfig.Config.max-file",
                                "'" + e.getValue() + "' is not a number of files (1 or more)");
                    }
                }
                default ->
                    throw new BerthException.InvalidRequest(
                            "HostConfig.LogConfig.Config." + e.getKey(),
                            "unknown log opt '" + e.getKey()
                                    + "' for json-file log driver (max-size and max-file are supported)");
            }
        }
        return new LogConfig("json-file", config);
    }

    /** Docker's {@code --add-host NAME:IP} (also {@code NAME=IP}); the IP may be {@code host-gateway}. */
    private static void extraHost(String h) {
        int sep = h.indexOf('=') > 0 ? h.indexOf('=') : h.indexOf(':');
        if (sep <= 0)
            throw new BerthException.InvalidRequest(
                    "HostConfig.ExtraHosts", "invalid IP address in add-host: '" + h + "'");
        String ip = h.substring(sep + 1);
        if (ip.startsWith("[") && ip.endsWith("]")) ip = ip.substring(1, ip.length() - 1);
        if (ip.equals("host-gateway")) return;
        try {
            IpPrefix.literal(ip, "HostConfig.ExtraHosts");
        } catch (IllegalArgumentException e) {
            throw new BerthException.InvalidRequest(
                    "HostConfig.ExtraHosts", "invalid IP address in add-host: \"" + ip + "\"");
        }
    }

    private static List<String> capabilities(JsonNode n, String field) {
        List<String> out = new ArrayList<>();
        for (String c : strings(n, field)) {
            String u = c.toUpperCase(Locale.ROOT);
            if (u.startsWith("CAP_")) u = u.substring(4);
            if (!u.equals("ALL") && !CAPABILITIES.contains(u))
                throw new BerthException.InvalidRequest(field, "unknown capability: \"" + c + "\"");
            out.add(u.equals("ALL") ? "ALL" : "CAP_" + u);
        }
        return out;
    }

    private static List<String> ips(List<String> servers, String field) {
        for (String s : servers) {
            try {
                IpPrefix.literal(s, field);
            } catch (IllegalArgumentException e) {
                throw new BerthException.InvalidRequest(field, "'" + s + "' is not an IP address");
            }
        }
        return servers;
    }

    /** A 400 for the first field outside {@code known} whose value is not the zero value. */
    static void refuseOthers(JsonNode object, Set<String> known, String prefix) {
        if (!object.isObject()) return;
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            var e = it.next();
            if (known.contains(e.getKey()) || isZero(e.getValue())) continue;
            throw new BerthException.InvalidRequest(prefix + e.getKey(), "not supported by Berth (leave it unset)");
        }
    }

    /** Docker's zero values: null, false, 0, "", [] and {} (also nested: {"Type": "", "Config": {}}). */
    static boolean isZero(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) return true;
        if (n.isBoolean()) return !n.asBoolean();
        if (n.isNumber()) return n.asDouble() == 0;
        if (n.isTextual()) return n.asText().isEmpty();
        for (JsonNode v : n) if (!isZero(v)) return false;
        return true;
    }

    /** {@code [ip:][hostPort]:containerPort/proto}, the engine's -p syntax; an empty host port means any. */
    private static String publishSpec(String ip, String hostPort, String ctr) {
        String port = hostPort == null ? "" : hostPort;
        if (ip == null || ip.isEmpty()) return port.isEmpty() ? ctr : port + ":" + ctr;
        String host = ip.contains(":") ? "[" + ip + "]" : ip;
        return host + ":" + port + ":" + ctr;
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    static String text(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) return null;
        String t = n.asText();
        return t.isEmpty() ? null : t;
    }

    /** A list of strings, or null when the field is absent or null (the image's value applies). */
    static List<String> optionalStrings(JsonNode n, String field) {
        if (n == null || n.isMissingNode() || n.isNull()) return null;
        return strings(n, field);
    }

    static List<String> strings(JsonNode n, String field) {
        List<String> out = new ArrayList<>();
        if (n == null || n.isMissingNode() || n.isNull()) return out;
        if (n.isTextual()) {
            out.add(n.asText());
            return out;
        }
        if (!n.isArray()) throw new BerthException.InvalidRequest(field, "must be a list of strings");
        for (JsonNode v : n) {
            if (!v.isTextual()) throw new BerthException.InvalidRequest(field, "must be a list of strings");
            out.add(v.asText());
        }
        return out;
    }

    static Map<String, String> stringMap(JsonNode n, String field) {
        Map<String, String> out = new LinkedHashMap<>();
        if (n == null || n.isMissingNode() || n.isNull()) return out;
        if (!n.isObject()) throw new BerthException.InvalidRequest(field, "must be an object of strings");
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isTextual())
                throw new BerthException.InvalidRequest(field + "." + e.getKey(), "must be a string");
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }
}
