package dev.berth.netlink;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.model.net.IpPrefix;
import dev.berth.model.net.MacAddress;
import dev.berth.netlink.route.AddrGenMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The EUI-64 link-local address Berth derives is the one the kernel gives the link. */
@ExtendWith(LabExtension.class)
class AddrGenModeTest {
    @Test
    void eui64LinkLocalIsTheKernels(Lab lab) {
        LabHost h = lab.host("h");
        String mac = "02:42:ac:11:00:02";
        h.ip("link", "add", "v0", "address", mac, "type", "veth", "peer", "name", "v1");
        h.ip("link", "set", "v1", "up");
        h.ip("link", "set", "v0", "up");
        String expected = IpPrefix.format(AddrGenMode.eui64LinkLocal(MacAddress.parse(mac)));
        assertEquals("fe80::42:acff:fe11:2", expected);
        String shown = h.ip("-6", "addr", "show", "dev", "v0", "scope", "link").stdout();
        assertTrue(shown.contains("inet6 " + expected + "/64"), shown);
    }
}
