package dev.berth.netlink;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.model.net.IpPrefix;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.Link;
import dev.berth.netlink.route.LinkType;
import dev.berth.netlink.route.NewLink;
import dev.berth.netlink.route.Route;
import dev.berth.netlink.route.Rtnl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The seeds' first picture, built by Berth: two containers on a bridge, pinging each other and the gateway. */
@ExtendWith(LabExtension.class)
class BridgePingTest {

    @Test
    void twoContainersOnABerthBridgePingEachOther(Lab lab) {
        LabHost host = lab.host("host");
        LabHost milk = lab.host("milk");
        LabHost bread = lab.host("bread");
        try (NetnsHandle hns = Netns.open(host.name());
                Rtnl h = Netns.rtnl(hns)) {
            Link bridge =
                    h.links().create(NewLink.of("berth0", new LinkType.Bridge()).withUp());
            h.addresses().add(bridge.index(), IpPrefix.parse("172.17.0.1/16"));
            attach(h, bridge, milk, "veth0000001", "172.17.0.2/16");
            attach(h, bridge, bread, "veth0000002", "172.17.0.3/16");
        }
        assertTrue(milk.ping("172.17.0.3"), "milk reaches bread through the bridge");
        assertTrue(bread.ping("172.17.0.2"), "bread reaches milk");
        assertTrue(milk.ping("172.17.0.1"), "milk reaches its gateway, the bridge");
        assertEquals(2, Oracle.ip(host, "link", "show", "master", "berth0").size());
    }

    private static void attach(Rtnl h, Link bridge, LabHost ctr, String hostSide, String cidr) {
        try (NetnsHandle cns = Netns.open(ctr.name());
                Rtnl c = Netns.rtnl(cns)) {
            h.links()
                    .create(NewLink.of(hostSide, new LinkType.Veth("eth0").inNetns(cns.fd()))
                            .withMaster(bridge.index())
                            .withUp());
            int eth0 = c.links().get("eth0").index();
            c.links().setUp(c.links().get("lo").index());
            c.addresses().add(eth0, IpPrefix.parse(cidr));
            c.links().setUp(eth0);
            c.routes().add(Route.defaultVia(IpPrefix.literal("172.17.0.1", "gateway"), eth0));
        }
    }
}
