/** Every kernel byte Berth writes or reads: rtnetlink, nftables, namespaces, TUN, batched UDP, system calls. */
module dev.berth.netlink {
    requires transitive dev.berth.model;

    exports dev.berth.netlink;
    exports dev.berth.netlink.nft;
    exports dev.berth.netlink.ns;
    exports dev.berth.netlink.route;
    exports dev.berth.netlink.sys;
    exports dev.berth.netlink.tun;
    exports dev.berth.netlink.udp;
}
