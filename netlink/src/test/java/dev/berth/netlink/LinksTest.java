package dev.berth.netlink;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.model.net.IpPrefix;
import dev.berth.model.net.MacAddress;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.AddrGenMode;
import dev.berth.netlink.route.Link;
import dev.berth.netlink.route.LinkType;
import dev.berth.netlink.route.Links;
import dev.berth.netlink.route.NewLink;
import dev.berth.netlink.route.Rtnl;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LabExtension.class)
class LinksTest {

    @Test
    void vethPeerIsCreatedDirectlyInAnotherNamespaceAndPairsByIndex(Lab lab) {
        LabHost host = lab.host("host");
        LabHost ctr = lab.host("ctr");
        try (NetnsHandle hns = Netns.open(host.name());
                NetnsHandle cns = Netns.open(ctr.name());
                Rtnl h = Netns.rtnl(hns);
                Rtnl c = Netns.rtnl(cns)) {
            MacAddress mac = MacAddress.parse("02:42:ac:11:00:02");
            Link created = h.links()
                    .create(NewLink.of("veth1a2b3c4", new LinkType.Veth("eth0", cns.fd(), 1400, mac))
                            .withMtu(1400)
                            .withUp());

            assertEquals("veth", created.kind());
            assertTrue(created.isUp());
            Link eth0 = c.links().get("eth0");
            assertEquals(created.linkIndex(), eth0.index(), "host side names its peer's index");
            assertEquals(created.index(), eth0.linkIndex(), "and the peer names the host side's");
            assertNotNull(created.linkNetnsId(), "the peer lives in another namespace");

            JsonNode hostSide = Oracle.link(host, "veth1a2b3c4");
            assertEquals("veth", hostSide.at("/linkinfo/info_kind").asText());
            assertEquals(1400, hostSide.get("mtu").asInt());
            assertEquals(eth0.index(), hostSide.get("link_index").asInt());
            JsonNode ctrSide = Oracle.link(ctr, "eth0");
            assertEquals("02:42:ac:11:00:02", ctrSide.get("address").asText());
            assertEquals(1400, ctrSide.get("mtu").asInt());
            assertFalse(Oracle.hasLink(host, "eth0"), "the peer was never in the host namespace");
        }
    }

    @Test
    void bridgeWithStpOffAgeingMtuAndPorts(Lab lab) {
        LabHost host = lab.host("host");
        try (NetnsHandle ns = Netns.open(host.name());
                Rtnl rt = Netns.rtnl(ns)) {
            Link br = rt.links()
                    .create(NewLink.of("br-test", new LinkType.Bridge(false, 20000))
                            .withMtu(1450)
                            .withUp());
            assertEquals("bridge", br.kind());
            JsonNode j = Oracle.link(host, "br-test");
            assertEquals(0, j.at("/linkinfo/info_data/stp_state").asInt());
            assertEquals(20000, j.at("/linkinfo/info_data/ageing_time").asInt());
            assertEquals(1450, j.get("mtu").asInt());

            Link port = rt.links()
                    .create(NewLink.of("vethp0", new LinkType.Veth("vethp1"))
                            .withMaster(br.index())
                            .withUp());
            assertEquals(br.index(), port.masterIndex());
            Link fetched = rt.links().get("vethp0");
            assertEquals(fetched.index(), port.index(), "the link echoed at creation is the link");
            assertEquals(fetched.masterIndex(), port.masterIndex());
            assertEquals(fetched.mac(), port.mac());

            rt.links().setAlias(br.index(), "berth:network:1234");
            assertEquals("berth:network:1234", rt.links().get("br-test").alias());
            assertEquals(
                    "berth:network:1234",
                    Oracle.link(host, "br-test").get("ifalias").asText());
            assertEquals("br-test", Oracle.link(host, "vethp0").get("master").asText());
            assertEquals("bridge", rt.links().get("vethp0").slaveKind());

            rt.links().setHairpin(port.index(), true);
            assertTrue(Oracle.link(host, "vethp0")
                    .at("/linkinfo/info_slave_data/hairpin")
                    .asBoolean());
            rt.links().setHairpin(port.index(), false);
            assertFalse(Oracle.link(host, "vethp0")
                    .at("/linkinfo/info_slave_data/hairpin")
                    .asBoolean());

            rt.links().setNoMaster(port.index());
            assertFalse(Oracle.link(host, "vethp0").has("master"));
        }
    }

    @Test
    void vxlanWithVniPortLocalUnderlayAndNoLearning(Lab lab) {
        LabHost host = lab.host("host");
        host.ip("link", "add", "under0", "type", "veth", "peer", "name", "under1");
        host.ip("addr", "add", "192.0.2.10/24", "dev", "under0");
        try (NetnsHandle ns = Netns.open(host.name());
                Rtnl rt = Netns.rtnl(ns)) {
            int under = rt.links().get("under0").index();
            Link vx = rt.links()
                    .create(NewLink.of(
                                    "berth.1",
                                    new LinkType.Vxlan(1, 8472, IpPrefix.literal("192.0.2.10", "local"), under, false))
                            .withMtu(1450));
            assertEquals("vxlan", vx.kind());
            JsonNode d = Oracle.link(host, "berth.1").at("/linkinfo/info_data");
            assertEquals(1, d.get("id").asInt());
            assertEquals(8472, d.get("port").asInt());
            assertEquals("192.0.2.10", d.get("local").asText());
            assertEquals("under0", d.get("link").asText());
            assertFalse(d.get("learning").asBoolean());
        }
    }

    @Test
    void macvlanModesOnAParent(Lab lab) {
        LabHost host = lab.host("host");
        host.ip("link", "add", "lan0", "type", "veth", "peer", "name", "lan1");
        try (NetnsHandle ns = Netns.open(host.name());
                Rtnl rt = Netns.rtnl(ns)) {
            int parent = rt.links().get("lan0").index();
            for (LinkType.MacvlanMode mode :
                    List.of(LinkType.MacvlanMode.BRIDGE, LinkType.MacvlanMode.PRIVATE, LinkType.MacvlanMode.VEPA)) {
                String name = "mv-" + mode.name().toLowerCase();
                Link mv = rt.links()
                        .create(NewLink.of(name, new LinkType.Macvlan(mode)).withParent(parent));
                assertEquals("macvlan", mv.kind());
                assertEquals(parent, mv.linkIndex());
                JsonNode j = Oracle.link(host, name);
                assertEquals(
                        mode.name().toLowerCase(),
                        j.at("/linkinfo/info_data/mode").asText());
                assertEquals("lan0", j.get("link").asText());
            }
        }
    }

    @Test
    void setUpDownRenameMtuMacMoveAndDelete(Lab lab) {
        LabHost a = lab.host("a");
        LabHost b = lab.host("b");
        try (NetnsHandle ans = Netns.open(a.name());
                NetnsHandle bns = Netns.open(b.name());
                Rtnl rt = Netns.rtnl(ans);
                Rtnl rb = Netns.rtnl(bns)) {
            Link v = rt.links().create(NewLink.of("va", new LinkType.Veth("vb")));
            assertFalse(v.isUp());
            rt.links().setUp(v.index());
            assertTrue(Oracle.link(a, "va").get("flags").toString().contains("\"UP\""));
            rt.links().setDown(v.index());
            assertFalse(Oracle.link(a, "va").get("flags").toString().contains("\"UP\""));

            rt.links().rename(v.index(), "va-renamed");
            assertTrue(Oracle.hasLink(a, "va-renamed"));
            rt.links().setMtu(v.index(), 1280);
            assertEquals(1280, Oracle.link(a, "va-renamed").get("mtu").asInt());
            rt.links().setMac(v.index(), MacAddress.parse("02:00:00:00:00:aa"));
            assertEquals(
                    "02:00:00:00:00:aa",
                    Oracle.link(a, "va-renamed").get("address").asText());
            assertEquals(v.index(), rt.links().get(v.index()).index());

            rt.links().setNetns(v.index(), bns.fd());
            assertFalse(Oracle.hasLink(a, "va-renamed"));
            assertTrue(Oracle.hasLink(b, "va-renamed"));
            assertTrue(rb.links().find("va-renamed").isPresent());

            rb.links().delete("va-renamed");
            assertFalse(Oracle.hasLink(b, "va-renamed"));
            assertFalse(Oracle.hasLink(a, "vb"), "deleting one end of a veth removes its peer");
        }
    }

    @Test
    void dumpListsEveryLinkWithKindAndPeer(Lab lab) {
        LabHost host = lab.host("host");
        host.ip("link", "add", "d0", "type", "veth", "peer", "name", "d1");
        host.ip("link", "add", "dbr", "type", "bridge");
        try (NetnsHandle ns = Netns.open(host.name());
                Rtnl rt = Netns.rtnl(ns)) {
            List<Link> links = rt.links().list();
            JsonNode oracle = Oracle.ip(host, "link", "show");
            assertEquals(oracle.size(), links.size());
            for (JsonNode o : oracle) {
                Link l = links.stream()
                        .filter(x -> x.index() == o.get("ifindex").asInt())
                        .findFirst()
                        .orElseThrow();
                assertEquals(o.get("ifname").asText(), l.name());
            }
            Link d0 = rt.links().get("d0");
            assertEquals("veth", d0.kind());
            assertEquals(rt.links().get("d1").index(), d0.linkIndex());
            assertEquals("bridge", rt.links().get("dbr").kind());
            assertNull(rt.links().get("lo").kind());
        }
    }

    @Test
    void typedSettingsMatchWhatIpReports(Lab lab) {
        LabHost host = lab.host("host");
        LabHost ctr = lab.host("ctr");
        try (NetnsHandle hns = Netns.open(host.name());
                NetnsHandle cns = Netns.open(ctr.name());
                Rtnl rt = Netns.rtnl(hns)) {
            Link br = rt.links().create(NewLink.of("br-set", new LinkType.Bridge()));
            Link port = rt.links()
                    .create(NewLink.of("vethset", new LinkType.Veth("eth0", cns.fd(), null, null))
                            .withMaster(br.index()));
            rt.links().setHairpin(port.index(), true);
            rt.links().setAddrGenMode(port.index(), AddrGenMode.NONE);
            rt.links().setGsoMaxSize(port.index(), 65000);
            JsonNode j = Oracle.link(host, "vethset");
            assertTrue(j.at("/linkinfo/info_slave_data/hairpin").asBoolean(), j.toString());
            assertEquals("none", j.get("inet6_addr_gen_mode").asText());
            assertEquals(65000, j.get("gso_max_size").asInt());
            rt.links().setHairpin(port.index(), false);
            assertFalse(Oracle.link(host, "vethset")
                    .at("/linkinfo/info_slave_data/hairpin")
                    .asBoolean());

            assertEquals(
                    rt.links().get("vethset").linkNetnsId().intValue(),
                    rt.nsidOf(cns.fd()),
                    "the id links give the peer's namespace");
            rt.socket().request(Links.renameMessage(port.index(), "vethren"), "rename");
            assertTrue(Oracle.hasLink(host, "vethren"));
        }
    }
}
