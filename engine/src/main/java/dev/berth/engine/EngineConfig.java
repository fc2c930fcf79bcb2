package dev.berth.engine;

import dev.berth.engine.firewall.Firewall;
import dev.berth.engine.request.SandboxChecks;
import dev.berth.engine.tx.Faults;
import dev.berth.netlink.ns.NetnsHandle;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * How an engine is set up.
 *
 * @param hostNetns       the namespace that plays the host (the daemon's own; a lab namespace in tests)
 * @param netnsPrefix     sandbox namespaces are /run/netns/PREFIX + name ("berth-" by default)
 * @param firewall        makes the firewall driver for the host namespace
 * @param bip             the default bridge's gateway and subnet ({@code --bip 10.0.128.1/24}), or null
 * @param existingBridge  use this existing bridge and its address as the default bridge ({@code -b}), or null
 * @param defaultBridge   the default bridge's device name when Berth creates it
 * @param durableState    fsync every state write (survives power loss, not just a crash)
 * @param hostId          seeds the IPv6 ULA prefix so each host gets its own
 * @param clusterNetwork  the multi-host cluster network ({@code 10.5.0.0/16}), or null: traffic from a network
 *                        inside it to the rest of it keeps its source address (no masquerade) and may enter
 *                        the bridge, as flannel's FLANNEL_NETWORK; traffic leaving it is still masqueraded
 * @param mtu             the default bridge's MTU ({@code --mtu}; lower under an overlay), or null for 1500
 * @param networkDefaults dockerd's daemon-wide network settings (default bridge options, address pools)
 */
public record EngineConfig(
        Path stateDir,
        NetnsHandle hostNetns,
        String netnsPrefix,
        Function<NetnsHandle, Firewall> firewall,
        String bip,
        String existingBridge,
        String defaultBridge,
        boolean durableState,
        Faults faults,
        String hostId,
        String clusterNetwork,
        Integer mtu,
        NetworkDefaults networkDefaults) {

    public EngineConfig {
        if (netnsPrefix == null || netnsPrefix.length() > SandboxChecks.MAX_PREFIX || netnsPrefix.contains("/"))
            throw new IllegalArgumentException("netns prefix '" + netnsPrefix + "': at most " + SandboxChecks.MAX_PREFIX
                    + " characters and no '/' (a sandbox's namespace file is PREFIX + its name, of up to "
                    + SandboxChecks.MAX_NAME + ")");
    }

    public static EngineConfig of(Path stateDir, NetnsHandle hostNetns, Function<NetnsHandle, Firewall> firewall) {
        return new EngineConfig(
                stateDir,
                hostNetns,
                "berth-",
                firewall,
                null,
                null,
                "berth0",
                false,
                Faults.NONE,
                "berth",
                null,
                null,
                NetworkDefaults.DOCKER);
    }

    public EngineConfig withNetnsPrefix(String p) {
        return new EngineConfig(
                stateDir,
                hostNetns,
                p,
                firewall,
                bip,
                existingBridge,
                defaultBridge,
                durableState,
                faults,
                hostId,
                clusterNetwork,
                mtu,
                networkDefaults);
    }

    public EngineConfig withFaults(Faults f) {
        return new EngineConfig(
                stateDir,
                hostNetns,
                netnsPrefix,
                firewall,
                bip,
                existingBridge,
                defaultBridge,
                durableState,
                f,
                hostId,
                clusterNetwork,
                mtu,
                networkDefaults);
    }

    public EngineConfig withBip(String b) {
        return new EngineConfig(
                stateDir,
                hostNetns,
                netnsPrefix,
                firewall,
                b,
                existingBridge,
                defaultBridge,
                durableState,
                faults,
                hostId,
                clusterNetwork,
                mtu,
                networkDefaults);
    }

    public EngineConfig withExistingBridge(String b) {
        return new EngineConfig(
                stateDir,
                hostNetns,
                netnsPrefix,
                firewall,
                bip,
                b,
                defaultBridge,
                durableState,
                faults,
                hostId,
                clusterNetwork,
                mtu,
                networkDefaults);
    }

    /** The cluster network whose traffic between hosts keeps container source addresses (see {@code clusterNetwork}). */
    public EngineConfig withClusterNetwork(String cidr) {
        return new EngineConfig(
                stateDir,
                hostNetns,
                netnsPrefix,
                firewall,
                bip,
                existingBridge,
                defaultBridge,
                durableState,
                faults,
                hostId,
                cidr,
                mtu,
                networkDefaults);
    }

    /** The default bridge's MTU, as {@code dockerd --mtu}. */
    public EngineConfig withMtu(Integer m) {
        return new EngineConfig(
                stateDir,
                hostNetns,
                netnsPrefix,
                firewall,
                bip,
                existingBridge,
                defaultBridge,
                durableState,
                faults,
                hostId,
                clusterNetwork,
                m,
                networkDefaults);
    }

    /** dockerd's network settings ({@code --icc}, {@code --ip-masq}, {@code --ip}, ...). */
    public EngineConfig withNetworkDefaults(NetworkDefaults d) {
        return new EngineConfig(
                stateDir,
                hostNetns,
                netnsPrefix,
                firewall,
                bip,
                existingBridge,
                defaultBridge,
                durableState,
                faults,
                hostId,
                clusterNetwork,
                mtu,
                d);
    }
}
