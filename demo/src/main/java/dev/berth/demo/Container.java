package dev.berth.demo;

import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.IpPrefix;
import dev.berth.netlink.route.Link;
import dev.berth.netlink.route.Rtnl;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A container as Berth wires it: its own network namespace, {@code eth0} with an address inside, and
 * the host end of its veth pair ({@code veth} and 7 hex digits, as Docker names them) on the bridge.
 */
final class Container implements AutoCloseable {
    final String name;
    final Ns ns;
    final IpPrefix address;
    final String hostVethName;
    NetnsHandle handle;
    Rtnl rtnl;
    Link hostVeth;
    Link eth0;

    Container(String name, String address, String namespacePrefix) {
        this.name = name;
        this.ns = new Ns(name, namespacePrefix + name);
        this.address = IpPrefix.parse(address);
        this.hostVethName = "veth" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(1);
    }

    String ip() {
        return address.address().getHostAddress();
    }

    /** Berth's part of {@code docker rm}: lets go of the namespace and deletes it; the veth pair goes with it. */
    @Override
    public void close() {
        try {
            if (rtnl != null) rtnl.close();
        } finally {
            try {
                if (handle != null) handle.close();
            } finally {
                if (handle != null) Netns.delete(ns.netns());
            }
        }
    }
}
