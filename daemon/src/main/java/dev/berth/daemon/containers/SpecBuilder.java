package dev.berth.daemon.containers;

import dev.berth.runtime.oci.ContainerMount;
import dev.berth.runtime.oci.OciSpec;
import dev.berth.runtime.oci.ProcessRequest;
import dev.berth.runtime.oci.ProcessUser;
import dev.berth.runtime.oci.SeccompMode;
import dev.berth.runtime.oci.SpecRequest;
import dev.berth.runtime.oci.Ulimit;
import dev.berth.runtime.oci.UserResolver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A container record turned into the OCI spec containerd runs: its process, its isolation (Docker's
 * defaults, with the record's capabilities, seccomp mode, limits), its mounts (binds, volumes, tmpfs and
 * the /etc files Berth keeps) and the network namespace of its sandbox. Built at create (which checks
 * every field before anything exists) and again at every start (the sandbox's namespace is new).
 */
public final class SpecBuilder {
    private static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final String cgroupParent;
    private final ContainerFiles files;
    private final Images images;

    SpecBuilder(String cgroupParent, ContainerFiles files, Images images) {
        this.cgroupParent =
                cgroupParent.endsWith("/") ? cgroupParent.substring(0, cgroupParent.length() - 1) : cgroupParent;
        this.files = files;
        this.images = images;
    }

    /**
     * The container's config.json. {@code atCreate}: before its first start, without the /etc files
     * (they are written at start) and with a namespace of its own.
     */
    public String json(ContainerRecord r, Path netns, String hostname, boolean atCreate) {
        return new String(OciSpec.toJson(request(r, netns, hostname, atCreate)), StandardCharsets.UTF_8);
    }

    SpecRequest request(ContainerRecord r, Path netns, String hostname, boolean atCreate) {
        ContainerRecord.HostSettings h = r.host();
        List<ContainerMount> mounts = new ArrayList<>();
        for (ContainerRecord.Mount m : h.resolved()) {
            if (m.type().equals("tmpfs")) {
                List<String> options = new ArrayList<>(m.options());
                if (m.readOnly()) options.add("ro");
                mounts.add(new ContainerMount.Tmpfs(m.destination(), String.join(",", options)));
            } else if (m.source() != null) {
                mounts.add(new ContainerMount.Bind(Path.of(m.source()), m.destination(), m.readOnly(), null));
            }
        }
        if (!atCreate) {
            mounts.add(new ContainerMount.EtcFile(
                    ContainerMount.EtcFile.Kind.HOSTS, files.path(r.id(), ContainerFiles.HOSTS)));
            mounts.add(new ContainerMount.EtcFile(
                    ContainerMount.EtcFile.Kind.RESOLV_CONF, files.path(r.id(), ContainerFiles.RESOLV_CONF)));
            mounts.add(new ContainerMount.EtcFile(
                    ContainerMount.EtcFile.Kind.HOSTNAME, files.path(r.id(), ContainerFiles.HOSTNAME)));
        }
        List<Ulimit> ulimits = new ArrayList<>();
        for (ContainerRecord.Ulimit u : h.ulimits()) ulimits.add(new Ulimit(u.name(), u.soft(), u.hard()));
        UserResolver.Resolved user = user(r, r.config().user());
        return SpecRequest.builder(r.command(), cgroupParent + "/" + r.id())
                .env(withDefaults(r.env(), user.home()))
                .cwd(r.workingDir())
                .user(user.user())
                .terminal(r.config().tty())
                .hostname(hostname)
                .netns(atCreate ? null : netns)
                .readonlyRootfs(h.readonlyRootfs())
                .privileged(h.privileged())
                .capAdd(h.capAdd())
                .capDrop(h.capDrop())
                .seccomp(h.seccompUnconfined() ? SeccompMode.UNCONFINED : SeccompMode.DEFAULT)
                .mounts(mounts)
                .memory(h.memory())
                .memorySwap(h.memorySwap())
                .nanoCpus(h.nanoCpus())
                .cpuShares(h.cpuShares())
                .pidsLimit(h.pidsLimit())
                .ulimits(ulimits)
                .noNewPrivileges(h.noNewPrivileges())
                .build();
    }

    /** An exec's process: the container's capabilities and limits, the exec's command, user and environment. */
    public String execJson(
            ContainerRecord r,
            List<String> cmd,
            List<String> env,
            String workingDir,
            String user,
            boolean tty,
            boolean privileged) {
        SpecRequest container = request(r, null, r.hostname() == null ? r.shortId() : r.hostname(), true);
        ProcessUser u = container.user();
        List<String> fullEnv = ImageDefaults.env(container.env(), env);
        if (user != null && !user.isEmpty()) {
            UserResolver.Resolved resolved = user(r, user);
            u = resolved.user();
            fullEnv = withDefaults(ImageDefaults.env(r.env(), env), resolved.home());
        }
        String cwd = workingDir == null || workingDir.isEmpty() ? container.cwd() : workingDir;
        return new String(
                OciSpec.processJson(ProcessRequest.exec(container, cmd, fullEnv, cwd, u, tty, privileged)),
                StandardCharsets.UTF_8);
    }

    private UserResolver.Resolved user(ContainerRecord r, String user) {
        return new UserResolver(path -> images.file(r.imageId(), path)).resolve(user, List.of());
    }

    /** Docker's additions: a PATH when the image and the client gave none, HOME from the user's passwd entry. */
    static List<String> withDefaults(List<String> env, String home) {
        List<String> out = new ArrayList<>(env);
        if (out.stream().noneMatch(e -> e.startsWith("PATH="))) out.add(DEFAULT_PATH);
        if (out.stream().noneMatch(e -> e.startsWith("HOME="))) out.add("HOME=" + home);
        return out;
    }
}
