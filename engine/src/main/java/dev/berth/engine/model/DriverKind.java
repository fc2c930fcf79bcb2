package dev.berth.engine.model;

import java.util.Locale;

/**
 * The driver of a network, by Docker's name. The engine picks the network's {@code NetworkDriver} from it
 * once; nothing else branches on driver names. Stored and shown as Docker's name ({@link #id()}).
 */
public enum DriverKind {
    /** A Linux bridge per network, veth endpoints, NAT and published ports through the host's firewall. */
    BRIDGE,
    /** Endpoints are macvlan links on a parent: straight on its LAN. */
    MACVLAN,
    /** Endpoints are ipvlan links on a parent (L2, or routed L3/L3S). */
    IPVLAN,
    /** Docker's predefined {@code host} network: the host's own namespace, no endpoints. */
    HOST,
    /** Docker's predefined {@code none} network: only loopback, no endpoints. */
    NULL;

    /** Docker's name of the driver: {@code bridge}, {@code macvlan}, {@code ipvlan}, {@code host}, {@code null}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind Docker calls {@code id}; IllegalArgumentException when there is none. */
    public static DriverKind of(String id) {
        for (DriverKind k : values()) if (k.id().equals(id)) return k;
        throw new IllegalArgumentException("unknown driver '" + id + "'");
    }

    /** macvlan or ipvlan: endpoints are sub-interfaces of a parent link. */
    public boolean isLan() {
        return this == MACVLAN || this == IPVLAN;
    }

    @Override
    public String toString() {
        return id();
    }
}
