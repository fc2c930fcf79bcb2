package dev.berth.netlink.nft;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.model.MacAddress;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Set elements written by {@link NftBatch} are the ones nft writes: the kernel takes the batch, nft lists what
 * it stored as the element it would have written itself, and an element added by one of the two is removed
 * by the other (the kernel matches keys byte for byte). A batch with one bad message changes nothing.
 */
@ExtendWith(LabExtension.class)
class NfTablesTest {
    private static final MacAddress MAC = MacAddress.parse("02:42:ac:11:00:02");

    private static LabHost withSets(Lab lab) {
        LabHost h = lab.host("h");
        h.run(
                "nft",
                "add table bridge t; add set bridge t ports { type ifname; };"
                        + " add set bridge t macs { type ifname . ether_addr; };"
                        + " add set bridge t v4 { type ifname . ipv4_addr; };"
                        + " add set bridge t v6 { type ifname . ipv6_addr; }");
        return h;
    }

    private static String set(LabHost h, String name) {
        return h.run("nft", "list", "set", "bridge", "t", name).stdout();
    }

    private static NftBatch add(SetKey port, InetAddress v4, InetAddress v6) {
        return new NftBatch()
                .addElements(NftFamily.BRIDGE, "t", "ports", List.of(port), "test")
                .addElements(NftFamily.BRIDGE, "t", "macs", List.of(port.thenMac(MAC)), "test")
                .addElements(NftFamily.BRIDGE, "t", "v4", List.of(port.thenAddress(v4)), "test")
                .addElements(NftFamily.BRIDGE, "t", "v6", List.of(port.thenAddress(v6)), "test");
    }

    @Test
    void theKernelStoresTheElementsNftWouldWrite(Lab lab) throws Exception {
        LabHost h = withSets(lab);
        SetKey port = SetKey.ifname("veth1a2b3c4");
        InetAddress v4 = InetAddress.getByName("172.18.0.2");
        InetAddress v6 = InetAddress.getByName("fd00:1::2");
        try (NetnsHandle ns = Netns.open(h.name());
                NfTables nf = Netns.call(ns, NfTables::open)) {
            nf.commit(add(port, v4, v6));
            nf.commit(add(port, v4, v6)); // adding what is there is no change
            assertTrue(set(h, "ports").contains("\"veth1a2b3c4\""), set(h, "ports"));
            assertTrue(set(h, "macs").contains("\"veth1a2b3c4\" . 02:42:ac:11:00:02"), set(h, "macs"));
            assertTrue(set(h, "v4").contains("\"veth1a2b3c4\" . 172.18.0.2"), set(h, "v4"));
            assertTrue(set(h, "v6").contains("\"veth1a2b3c4\" . fd00:1::2"), set(h, "v6"));

            // nft finds Berth's keys: same bytes
            h.run("nft", "delete element bridge t macs { \"veth1a2b3c4\" . 02:42:ac:11:00:02 }");
            h.run("nft", "delete element bridge t v6 { \"veth1a2b3c4\" . fd00:1::2 }");
            // Berth finds nft's keys
            h.run("nft", "add element bridge t macs { \"veth9\" . 02:42:ac:11:00:02 }");
            nf.commit(new NftBatch()
                    .deleteElements(
                            NftFamily.BRIDGE,
                            "t",
                            "macs",
                            List.of(SetKey.ifname("veth9").thenMac(MAC)),
                            "test")
                    .deleteElements(NftFamily.BRIDGE, "t", "ports", List.of(port), "test")
                    .deleteElements(NftFamily.BRIDGE, "t", "v4", List.of(port.thenAddress(v4)), "test"));
            for (String s : List.of("ports", "macs", "v4", "v6"))
                assertFalse(set(h, s).contains("veth"), s + " is empty again: " + set(h, s));
        }
    }

    @Test
    void aBatchWithOneBadMessageChangesNothing(Lab lab) throws Exception {
        LabHost h = withSets(lab);
        SetKey port = SetKey.ifname("veth1");
        try (NetnsHandle ns = Netns.open(h.name());
                NfTables nf = Netns.call(ns, NfTables::open)) {
            NftBatch b = new NftBatch()
                    .addElements(NftFamily.BRIDGE, "t", "ports", List.of(port), "ports")
                    .addElements(NftFamily.BRIDGE, "t", "nosuch", List.of(port), "a set that is not there");
            NetlinkException e = assertThrows(NetlinkException.NotFound.class, () -> nf.commit(b));
            assertTrue(e.getMessage().contains("a set that is not there"), e.getMessage());
            assertTrue(e.getMessage().contains("bridge t nosuch"), e.getMessage());
            assertFalse(set(h, "ports").contains("veth1"), "the batch was one transaction: " + set(h, "ports"));

            // removing a missing element fails the batch; added first in the same batch, it does not
            assertThrows(
                    NetlinkException.NotFound.class,
                    () -> nf.commit(new NftBatch().deleteElements(NftFamily.BRIDGE, "t", "ports", List.of(port), "x")));
            nf.commit(new NftBatch()
                    .addElements(NftFamily.BRIDGE, "t", "ports", List.of(port), "x")
                    .deleteElements(NftFamily.BRIDGE, "t", "ports", List.of(port), "x"));
            assertFalse(set(h, "ports").contains("veth1"), set(h, "ports"));
            nf.commit(new NftBatch()); // nothing to send
        }
    }

    /**
     * 10,000 map elements in one transaction: more than one message holds (its element list has a 16-bit
     * length) and more than the socket's default send buffer takes; a key taken fails all of it.
     */
    @Test
    void tenThousandMapElementsGoInOneTransaction(Lab lab) throws Exception {
        LabHost h = lab.host("h");
        h.run(
                "nft",
                "add table inet t; add map inet t ports4 { type inet_proto . inet_service : ipv4_addr . inet_service; }");
        InetAddress to = InetAddress.getByName("10.88.0.3");
        List<SetElement> all = new ArrayList<>();
        for (int p = 20000; p < 30000; p++)
            all.add(SetElement.mapping(
                    SetKey.protocol(6).thenPort(p), SetKey.address(to).thenPort(p)));
        try (NetnsHandle ns = Netns.open(h.name());
                NfTables nf = Netns.call(ns, NfTables::open)) {
            nf.commit(new NftBatch().create(NftFamily.INET, "t", "ports4", all, "bulk"));
            assertEquals(10_000, elements(h));
            String one =
                    h.run("nft", "get element inet t ports4 { tcp . 29999 }").stdout();
            assertTrue(one.contains("tcp . 29999 : 10.88.0.3 . 29999"), one);

            List<SetElement> clash = List.of(
                    SetElement.mapping(
                            SetKey.protocol(6).thenPort(8080),
                            SetKey.address(to).thenPort(80)),
                    all.get(5000));
            assertThrows(
                    NetlinkException.Exists.class,
                    () -> nf.commit(new NftBatch().create(NftFamily.INET, "t", "ports4", clash, "clash")));
            assertEquals(10_000, elements(h), "the failed transaction added nothing");

            nf.commit(new NftBatch().delete(NftFamily.INET, "t", "ports4", all, "bulk"));
            assertEquals(0, elements(h));
        }
    }

    private static int elements(LabHost h) {
        String out = h.run("nft", "-j", "list", "map", "inet", "t", "ports4").stdout();
        int n = 0;
        for (int i = out.indexOf("\"elem\""); i >= 0 && (i = out.indexOf("\"concat\"", i + 1)) >= 0; ) n++;
        return n / 2; // each element is a concatenated key and a concatenated value
    }

    @Test
    void keysArePaddedToTheRegisterWidth() throws Exception {
        SetKey k = SetKey.ifname("eth0").thenMac(MAC).thenAddress(InetAddress.getByName("10.0.0.1"));
        assertEquals(
                "65746830000000000000000000000000" // "eth0", zero-filled to IFNAMSIZ
                        + "0242ac1100020000" // 6 bytes of MAC, 2 of padding
                        + "0a000001",
                k.toString());
        assertThrows(IllegalArgumentException.class, () -> SetKey.ifname("a-name-too-long-for-a-link"));
    }
}
