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
import dev.berth.netlink.route.LinkType;
import dev.berth.netlink.route.Neighbour;
import dev.berth.netlink.route.NewLink;
import dev.berth.netlink.route.Rt;
import dev.berth.netlink.route.Rtnl;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The three per-peer entries the VXLAN backend programs: neighbour, FDB, onlink route. */
@ExtendWith(LabExtension.class)
class NeighboursTest {

    @Test
    void permanentNeighbourAndVxlanFdbEntry(Lab lab) {
        LabHost h = lab.host("h");
        h.ip("link", "add", "under0", "type", "veth", "peer", "name", "under1");
        h.ip("addr", "add", "192.0.2.10/24", "dev", "under0");
        h.ip("link", "set", "under0", "up");
        try (NetnsHandle ns = Netns.open(h.name());
                Rtnl rt = Netns.rtnl(ns)) {
            int under = rt.links().get("under0").index();
            int vx = rt.links()
                    .create(NewLink.of(
                                    "berth.1",
                                    new LinkType.Vxlan(1, 8472, IpPrefix.literal("192.0.2.10", "l"), under, false))
                            .withUp())
                    .index();
            MacAddress peerMac = MacAddress.parse("0e:11:22:33:44:55");
            var peerVtep = IpPrefix.literal("10.244.7.0", "vtep");
            var peerUnderlay = IpPrefix.literal("192.0.2.20", "underlay");

            rt.neighbours().replace(vx, peerVtep, peerMac);
            rt.neighbours().replace(vx, peerVtep, peerMac); // replace is idempotent
            JsonNode neigh = Oracle.ip(h, "neigh", "show", "dev", "berth.1");
            assertEquals(1, neigh.size(), neigh.toString());
            assertEquals("10.244.7.0", neigh.get(0).get("dst").asText());
            assertEquals("0e:11:22:33:44:55", neigh.get(0).get("lladdr").asText());
            assertTrue(neigh.get(0).get("state").toString().contains("PERMANENT"));
            List<Neighbour> mine = rt.neighbours().list();
            assertTrue(mine.stream()
                    .anyMatch(n -> n.index() == vx && peerMac.equals(n.mac()) && (n.state() & Rt.NUD_PERMANENT) != 0));

            rt.neighbours().replaceFdb(vx, peerMac, peerUnderlay);
            JsonNode fdb = Oracle.bridge(h, "fdb", "show", "dev", "berth.1");
            JsonNode entry = null;
            for (JsonNode f : fdb) if (f.get("mac").asText().equals("0e:11:22:33:44:55")) entry = f;
            assertNotNull(entry, fdb.toString());
            assertEquals("192.0.2.20", entry.get("dst").asText());
            assertTrue(entry.toString().contains("permanent"), entry.toString());
            assertTrue(rt.neighbours().listFdb().stream()
                    .anyMatch(n -> n.index() == vx && peerMac.equals(n.mac()) && peerUnderlay.equals(n.destination())));

            rt.neighbours().deleteFdb(vx, peerMac, peerUnderlay);
            rt.neighbours().delete(vx, peerVtep);
            assertEquals(0, Oracle.ip(h, "neigh", "show", "dev", "berth.1").size());
            for (JsonNode f : Oracle.bridge(h, "fdb", "show", "dev", "berth.1"))
                assertNotEquals("0e:11:22:33:44:55", f.get("mac").asText());
        }
    }
}
