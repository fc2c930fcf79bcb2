package dev.berth.engine.driver;

import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.Rtnl;

/** A sandbox's namespace, held open with an rtnetlink socket bound in it, for the sandbox's life. */
public final class SandboxKernel implements AutoCloseable {
    private final NetnsHandle netns;
    private final Rtnl rtnl;

    public SandboxKernel(NetnsHandle netns) {
        this.netns = netns;
        this.rtnl = Netns.rtnl(netns);
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
