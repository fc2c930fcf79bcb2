package dev.berth.bench;

import dev.berth.model.net.IpPrefix;
import dev.berth.netlink.MessageWriter;
import dev.berth.netlink.NetlinkSocket;
import dev.berth.netlink.route.Addresses;
import dev.berth.netlink.route.LinkType;
import dev.berth.netlink.route.Links;
import dev.berth.netlink.route.NewLink;
import dev.berth.netlink.route.Route;
import dev.berth.netlink.route.Routes;
import java.net.InetAddress;
import java.util.List;

/** The netlink requests that make one endpoint, built from the library's public message builders. */
final class EndpointMessages {
    /** The kernel gives every namespace's loopback ifindex 1 (LOOPBACK_IFINDEX). */
    static final int LO_INDEX = 1;

    private EndpointMessages() {}

    /**
     * RTM_NEWLINK for a veth {@code hostName} enslaved to {@code bridgeIndex} and up, whose peer
     * {@code eth0} is created directly in the namespace {@code containerNsFd} refers to.
     */
    static MessageWriter vethIntoContainer(String hostName, int containerNsFd, int bridgeIndex) {
        return Links.createMessage(NewLink.of(hostName, new LinkType.Veth("eth0").inNetns(containerNsFd))
                .withMaster(bridgeIndex)
                .withUp());
    }

    /** RTM_NEWLINK that sets link {@code index} up. */
    static MessageWriter linkUp(int index) {
        return Links.upMessage(index);
    }

    /** The container's four configuration requests, to send as one datagram: lo up, address, eth0 up, default route. */
    static List<NetlinkSocket.Request> containerConfig(int eth0Index, IpPrefix address, InetAddress gateway) {
        return List.of(
                new NetlinkSocket.Request(linkUp(LO_INDEX), "set lo up"),
                new NetlinkSocket.Request(
                        Addresses.addMessage(eth0Index, address), "add address " + address + " to eth0"),
                new NetlinkSocket.Request(linkUp(eth0Index), "set eth0 up"),
                new NetlinkSocket.Request(
                        Routes.addMessage(Route.defaultVia(gateway, eth0Index)),
                        "add default route via " + gateway.getHostAddress()));
    }
}
