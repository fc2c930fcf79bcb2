package dev.berth.engine.model;

import dev.berth.model.BerthException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A network's driver options ({@code docker network create -o KEY=VALUE}), parsed and checked once, when
 * the network is created, and kept on the {@link Network}; the engine, reconcile and explain read these
 * records, never the strings. The strings stay on the network too: inspect shows them as given.
 */
public sealed interface NetworkOptions permits BridgeOptions, LanOptions, NetworkOptions.None {
    /** The MTU of a network's links, for every driver that takes one: {@code com.docker.network.driver.mtu}. */
    String MTU = "com.docker.network.driver.mtu";

    /** The host and null drivers: no options. */
    record None() implements NetworkOptions {}

    /** The options of a network of {@code driver}; a bad key or value is an InvalidRequest naming {@code Options.KEY}. */
    static NetworkOptions parse(DriverKind driver, Map<String, String> options) {
        return switch (driver) {
            case BRIDGE -> BridgeOptions.parse(options);
            case MACVLAN, IPVLAN -> LanOptions.parse(driver, options);
            case HOST, NULL -> new None();
        };
    }

    /** Refuses a key the driver does not know, listing those it does. */
    static void checkKeys(String driver, Map<String, String> options, Set<String> known) {
        for (String k : options.keySet())
            if (!known.contains(k))
                throw new BerthException.InvalidRequest(
                        "Options." + k,
                        "unknown option for the " + driver + " driver; known: "
                                + String.join(", ", new TreeSet<>(known)));
    }

    /** An MTU option between 68 and 65535, or 0 when it is not given. */
    static int mtu(Map<String, String> options) {
        String v = options.get(MTU);
        if (v == null) return 0;
        try {
            int m = Integer.parseInt(v.strip());
            if (m >= 68 && m <= 65535) return m;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new BerthException.InvalidRequest("Options." + MTU, "'" + v + "' is not an MTU between 68 and 65535");
    }
}
