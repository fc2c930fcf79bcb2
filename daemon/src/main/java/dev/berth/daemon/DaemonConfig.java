package dev.berth.daemon;

import dev.berth.daemon.http.ApiLimits;
import dev.berth.model.log.Log;
import java.nio.file.Path;
import java.util.List;

/**
 * How berthd runs: where it listens, keeps state and runtime files, which firewall it programs, and the
 * default bridge's addressing. Flags override the config file; the file overrides the defaults.
 *
 * @param netnsPrefix sandbox namespaces are /run/netns/PREFIX + container name ("berth-")
 * @param bip         the default bridge's address and subnet, e.g. 10.0.128.1/24, or null for 172.17.0.1/16
 * @param bridge      an existing bridge to use as the default bridge ({@code -b}), or null
 * @param dns         upstream resolvers for the embedded DNS (empty: the host's resolv.conf)
 * @param embeddedDns serve names on 127.0.0.11 in every sandbox (default); off: containers get the host's resolv.conf
 * @param cluster     multi-host settings, or null for a single host
 * @param containerd  the socket of a running containerd to use, or null: berthd starts and supervises its own
 * @param cgroupParent the cgroup under which every container gets its own ({@code /berth/<id>})
 * @param dockerPlugin the socket where berthd serves Docker's remote network driver protocol (e.g.
 *                    /run/docker/plugins/berth.sock, making the driver {@code berth}), or null for none
 * @param api         limits of the API server: connections, request sizes, request timeout
 * @param dockerd     dockerd's own options berthd takes too (insecure registries, default bridge settings)
 */
public record DaemonConfig(
        Path socket,
        Path stateDir,
        Path runDir,
        String firewall,
        Log.Level logLevel,
        String netnsPrefix,
        String bip,
        String bridge,
        List<String> dns,
        boolean embeddedDns,
        Cluster cluster,
        Path containerd,
        String cgroupParent,
        Path dockerPlugin,
        ApiLimits api,
        DockerdSettings dockerd) {

    /**
     * {@code --cluster-store etcd://H:P[,H:P]} or {@code --cluster-static FILE}, with flannel's key
     * prefix, and the underlay address or interface peers reach this host by.
     */
    public record Cluster(String store, Path staticFile, String prefix, String publicIp, String iface) {}

    /** The same with the API socket at {@code s} (the one systemd passed, under socket activation). */
    public DaemonConfig withSocket(Path s) {
        return new DaemonConfig(
                s,
                stateDir,
                runDir,
                firewall,
                logLevel,
                netnsPrefix,
                bip,
                bridge,
                dns,
                embeddedDns,
                cluster,
                containerd,
                cgroupParent,
                dockerPlugin,
                api,
                dockerd);
    }

    public static final Path DEFAULT_SOCKET = Path.of("/run/berth/berth.sock");

    public static DaemonConfig defaults() {
        return new DaemonConfig(
                DEFAULT_SOCKET,
                Path.of("/var/lib/berth"),
                Path.of("/run/berth"),
                "nftables",
                Log.Level.INFO,
                "berth-",
                null,
                null,
                List.of(),
                true,
                null,
                null,
                "/berth",
                null,
                ApiLimits.DEFAULTS,
                DockerdSettings.DEFAULTS);
    }
}
