package dev.berth.engine.model;

import dev.berth.model.BerthException;
import dev.berth.netlink.route.LinkType;
import dev.berth.netlink.route.LinkType.IpvlanFlag;
import dev.berth.netlink.route.LinkType.IpvlanMode;
import dev.berth.netlink.route.LinkType.MacvlanMode;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The options of macvlan and ipvlan networks, with Docker's keys and defaults:
 * {@code -o parent=eth0.20}, {@code -o macvlan_mode=bridge|private|vepa|passthru} (bridge),
 * {@code -o ipvlan_mode=l2|l3|l3s} (l2), {@code -o ipvlan_flag=bridge|private|vepa} (bridge).
 *
 * @param parent   the parent link as given (stripped), or null: the engine makes a dummy parent
 * @param linkType the link every endpoint of the network gets (mode and flag included)
 * @param mtu      {@code com.docker.network.driver.mtu}, or 0 when not given (the parent's)
 */
public record LanOptions(String parent, LinkType linkType, int mtu) implements NetworkOptions {
    public static final String PARENT = "parent";
    public static final String MACVLAN_MODE = "macvlan_mode";
    public static final String IPVLAN_MODE = "ipvlan_mode";
    public static final String IPVLAN_FLAG = "ipvlan_flag";

    /** Checks every option, naming the one at fault and what is allowed. */
    public static LanOptions parse(DriverKind driver, Map<String, String> options) {
        boolean macvlan = driver == DriverKind.MACVLAN;
        NetworkOptions.checkKeys(
                driver.id(),
                options,
                macvlan ? Set.of(PARENT, MACVLAN_MODE, MTU) : Set.of(PARENT, IPVLAN_MODE, IPVLAN_FLAG, MTU));
        LinkType type = macvlan
                ? new LinkType.Macvlan(value(options, MACVLAN_MODE, MacvlanMode.class, MacvlanMode.BRIDGE))
                : new LinkType.Ipvlan(
                        value(options, IPVLAN_MODE, IpvlanMode.class, IpvlanMode.L2),
                        value(options, IPVLAN_FLAG, IpvlanFlag.class, IpvlanFlag.BRIDGE));
        String p = options.get(PARENT);
        return new LanOptions(p == null || p.isBlank() ? null : p.strip(), type, NetworkOptions.mtu(options));
    }

    /** A macvlan network in passthru mode: the parent serves one endpoint and nothing else. */
    public boolean isPassthru() {
        return linkType instanceof LinkType.Macvlan m && m.mode() == MacvlanMode.PASSTHRU;
    }

    /** An ipvlan network in L3 or L3S mode: routed by the parent, no gateway, no broadcast. */
    public boolean isRouted() {
        return linkType instanceof LinkType.Ipvlan i && i.mode() != IpvlanMode.L2;
    }

    /** Endpoints that carry the parent's MAC address (ipvlan, macvlan passthru) rather than their own. */
    public boolean sharesParentMac() {
        return linkType instanceof LinkType.Ipvlan || isPassthru();
    }

    private static <E extends Enum<E>> E value(Map<String, String> options, String key, Class<E> type, E fallback) {
        String v = options.get(key);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Enum.valueOf(type, v.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            String allowed = String.join(
                    ", ",
                    Arrays.stream(type.getEnumConstants())
                            .map(c -> c.name().toLowerCase(Locale.ROOT))
                            .sorted()
                            .toList());
            throw new BerthException.InvalidRequest(
                    "Options." + key, "'" + v + "' is not a valid " + key + "; use one of: " + allowed);
        }
    }
}
