package dev.berth.engine.driver;

import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.Rtnl;

/** A sandbox's namespace, held open with an rtnetlink socket bound in it, for the sandbox's life. */
public final class SandboxKernel implements AutoCloseable {
    private final NetnsHandle netns;
    private final Rtnl rtnl;

    /** Takes {@code netns} over: it is closed here if no socket can be opened in it. */
    public SandboxKernel(NetnsHandle netns) {
        this(netns, rtnlOrClose(netns));
    }

    private static Rtnl rtnlOrClose(NetnsHandle netns) {
        try {
            return Netns.rtnl(netns);
        } catch (RuntimeException | Error e) {
            netns.close();
            throw e;
        }
    }

    public SandboxKernel(NetnsHandle netns, Rtnl rtnl) {
        this.netns = netns;
        this.rtnl = rtnl;
    }

    /** Creates the named namespace and its socket in one trip to a namespace thread. */
    public static SandboxKernel create(String name) {
        Netns.Created c = Netns.createWithRtnl(name);
        return new SandboxKernel(c.handle(), c.rtnl());
    }

    public NetnsHandle netns() {
        return netns;
    }

    public Rtnl rtnl() {
        return rtnl;
    }

    @Override
    public void close() {
        rtnl.close();
        netns.close();
    }
}
