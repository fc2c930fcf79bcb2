package dev.berth.engine.model;

import dev.berth.model.BerthException;
import dev.berth.model.IpPrefix;
import dev.berth.netlink.route.LinkNames;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The options of a bridge network, with Docker's keys and defaults.
 *
 * @param bridgeName    {@code com.docker.network.bridge.name}, or null: the engine names the bridge {@code br-<12 hex>}
 * @param mtu           {@code com.docker.network.driver.mtu}, or 0 when not given (1500)
 * @param icc           {@code com.docker.network.bridge.enable_icc}: containers of the network reach each other (true)
 * @param masquerade    {@code com.docker.network.bridge.enable_ip_masquerade}: outgoing traffic is masqueraded (true)
 * @param hostBinding   {@code com.docker.network.bridge.host_binding_ipv4}: where published ports bind by default, or null
 * @param antiSpoofing  Berth's {@code berth.anti_spoofing}: frames whose source is not their endpoint's are dropped (true)
 */
public record BridgeOptions(
        String bridgeName, int mtu, boolean icc, boolean masquerade, InetAddress hostBinding, boolean antiSpoofing)
        implements NetworkOptions {
    public static final String BRIDGE_NAME = "com.docker.network.bridge.name";
    public static final String ICC = "com.docker.network.bridge.enable_icc";
    public static final String MASQUERADE = "com.docker.network.bridge.enable_ip_masquerade";
    public static final String HOST_BINDING = "com.docker.network.bridge.host_binding_ipv4";
    /** Docker's mark of its default network, accepted and shown, not read. */
    public static final String DEFAULT_BRIDGE = "com.docker.network.bridge.default_bridge";
    /**
     * Docker's auxiliary address naming the containers' default gateway when it is not the bridge
     * ({@code dockerd --default-gateway}, or {@code --aux-address DefaultGatewayIPv4=...}).
     */
    public static final String DEFAULT_GATEWAY_AUX = "DefaultGatewayIPv4";

    /** Berth's own: drop frames whose source MAC or address is not their endpoint's (on unless false). */
    public static final String ANTI_SPOOFING = "berth.anti_spoofing";

    private static final Set<String> KEYS =
            Set.of(BRIDGE_NAME, ICC, MASQUERADE, HOST_BINDING, MTU, DEFAULT_BRIDGE, ANTI_SPOOFING);

    /** Checks every option, naming the one at fault ({@code Options.KEY}). */
    public static BridgeOptions parse(Map<String, String> options) {
        NetworkOptions.checkKeys("bridge", options, KEYS);
        int mtu = NetworkOptions.mtu(options);
        boolean icc = bool(options, ICC, true),
                masquerade = bool(options, MASQUERADE, true),
                antiSpoofing = bool(options, ANTI_SPOOFING, true);
        InetAddress binding = null;
        String b = options.get(HOST_BINDING);
        if (b != null) {
            try {
                binding = IpPrefix.literal(b.strip(), b);
            } catch (IllegalArgumentException e) {
                throw new BerthException.InvalidRequest("Options." + HOST_BINDING, e.getMessage());
            }
        }
        String name = options.get(BRIDGE_NAME);
        if (name != null) {
            try {
                LinkNames.check(name);
            } catch (IllegalArgumentException e) {
                throw new BerthException.InvalidRequest("Options." + BRIDGE_NAME, e.getMessage());
            }
        }
        return new BridgeOptions(name, mtu, icc, masquerade, binding, antiSpoofing);
    }

    /** The address a published port binds to when {@code -p} names none: null for every address. */
    public InetAddress defaultHostIp() {
        return hostBinding == null || hostBinding.isAnyLocalAddress() ? null : hostBinding;
    }

    private static boolean bool(Map<String, String> options, String key, boolean fallback) {
        String v = options.get(key);
        if (v == null) return fallback;
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default ->
                throw new BerthException.InvalidRequest(
                        "Options." + key, "'" + v + "' is not a boolean (true or false)");
        };
    }
}
