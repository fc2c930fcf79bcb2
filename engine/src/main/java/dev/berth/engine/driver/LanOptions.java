package dev.berth.engine.driver;

import dev.berth.engine.BerthException;
import dev.berth.engine.model.Network;
import dev.berth.netlink.route.LinkType;
import dev.berth.netlink.route.LinkType.IpvlanFlag;
import dev.berth.netlink.route.LinkType.IpvlanMode;
import dev.berth.netlink.route.LinkType.MacvlanMode;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The options of macvlan and ipvlan networks, with Docker's keys and defaults:
 * {@code -o parent=eth0.20}, {@code -o macvlan_mode=bridge|private|vepa|passthru} (bridge),
 * {@code -o ipvlan_mode=l2|l3|l3s} (l2), {@code -o ipvlan_flag=bridge|private|vepa} (bridge).
 */
public final class LanOptions {
    public static final String PARENT = "parent";
    public static final String MACVLAN_MODE = "macvlan_mode";
    public static final String IPVLAN_MODE = "ipvlan_mode";
    public static final String IPVLAN_FLAG = "ipvlan_flag";
    public static final String MTU = "com.docker.network.driver.mtu";

    private LanOptions() {}

    /** True for the drivers whose endpoints are sub-interfaces of a host link. */
    public static boolean isLan(String driver) {
        return driver.equals("macvlan") || driver.equals("ipvlan");
    }

    /** Refuses unknown keys and bad values, naming the option and what is allowed. */
    public static void check(String driver, Map<String, String> options) {
        Set<String> known = new TreeSet<>(driver.equals("macvlan") ? List.of(PARENT, MACVLAN_MODE, MTU)
                : List.of(PARENT, IPVLAN_MODE, IPVLAN_FLAG, MTU));
        for (String k : options.keySet())
            if (!known.contains(k))
                throw new BerthException.InvalidRequest("Options." + k, "unknown option for the " + driver + " driver; known: " + String.join(", ", known));
        linkType(driver, options);
    }

    /** The link type every endpoint of such a network gets. */
    public static LinkType linkType(String driver, Map<String, String> options) {
        if (driver.equals("macvlan"))
            return new LinkType.Macvlan(value(options, MACVLAN_MODE, MacvlanMode.class, MacvlanMode.BRIDGE));
        return new LinkType.Ipvlan(value(options, IPVLAN_MODE, IpvlanMode.class, IpvlanMode.L2),
                value(options, IPVLAN_FLAG, IpvlanFlag.class, IpvlanFlag.BRIDGE));
    }

    public static LinkType linkType(Network n) {
        return linkType(n.driver(), n.options());
    }

    /** A macvlan network in passthru mode: the parent serves one endpoint and nothing else. */
    public static boolean isPassthru(Network n) {
        return linkType(n) instanceof LinkType.Macvlan m && m.mode() == MacvlanMode.PASSTHRU;
    }

    /** An ipvlan network in L3 or L3S mode: routed by the parent, no gateway, no broadcast. */
    public static boolean isRouted(String driver, Map<String, String> options) {
        return linkType(driver, options) instanceof LinkType.Ipvlan i && i.mode() != IpvlanMode.L2;
    }

    public static boolean isRouted(Network n) {
        return isRouted(n.driver(), n.options());
    }

    /** Endpoints that carry the parent's MAC address (ipvlan, macvlan passthru) rather than their own. */
    public static boolean sharesParentMac(Network n) {
        return n.driver().equals("ipvlan") || isPassthru(n);
    }

    private static <E extends Enum<E>> E value(Map<String, String> options, String key, Class<E> type, E fallback) {
        String v = options.get(key);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Enum.valueOf(type, v.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            String allowed = String.join(", ", Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).sorted().toList());
            throw new BerthException.InvalidRequest("Options." + key, "'" + v + "' is not a valid " + key + "; use one of: " + allowed);
        }
    }
}
