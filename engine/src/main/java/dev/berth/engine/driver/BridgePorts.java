package dev.berth.engine.driver;

import dev.berth.engine.model.Network;
import dev.berth.model.BerthException;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.route.LinkType;
import dev.berth.netlink.sys.Errno;

/**
 * How many endpoints a bridge network takes: a Linux bridge takes at most {@link LinkType.Bridge#MAX_PORTS}
 * ports and refuses the next with EXFULL. Each endpoint is one port (its host-side veth). The engine
 * refuses the endpoint past the limit before anything is allocated; a bridge that holds other ports too (an
 * existing bridge given to berthd, a race of two connects) is caught by the kernel's EXFULL, turned into the
 * same refusal.
 */
public final class BridgePorts {
    /** Ports a Linux bridge takes. */
    public static final int MAX = LinkType.Bridge.MAX_PORTS;

    private BridgePorts() {}

    /** Refuses one more endpoint on {@code n} when it already has {@code endpoints}. */
    public static void checkRoom(Network n, int endpoints) {
        if (endpoints >= MAX) throw full(n);
    }

    /** The kernel's EXFULL on enslaving a veth to {@code n}'s bridge, as the engine's refusal; other errors as they are. */
    public static RuntimeException translate(Network n, RuntimeException e) {
        return e instanceof NetlinkException x && x.errno() == Errno.EXFULL ? full(n) : e;
    }

    private static BerthException.Conflict full(Network n) {
        return new BerthException.Conflict("network " + n.name() + " is full: its bridge " + n.device() + " has " + MAX
                + " ports, the most a Linux bridge takes (BR_MAX_PORTS 1024, port 0 reserved); disconnect a container from it"
                + " or use another network");
    }
}
