package dev.berth.netlink;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.model.net.IpPrefix;
import dev.berth.model.net.MacAddress;
import dev.berth.netlink.route.LinkNames;
import dev.berth.netlink.sys.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The message codec and the value types, which need no kernel. */
class CodecTest {

    @Test
    void attributesArePaddedNestedAndReadBack() {
        MessageWriter w = new MessageWriter(16, Nl.NLM_F_CREATE).u32(7);
        w.attrString(3, "eth0");
        int nest = w.begin(18);
        w.attr(1, "veth".getBytes());
        w.attrU16(2, 0xbeef);
        w.end(nest);
        w.attrBe16(15, 8472);
        byte[] b = w.toBytes(42, 0);

        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        assertEquals(b.length, buf.getInt(0));
        assertEquals(0, b.length % 4, "messages are 4-byte aligned");
        assertEquals(16, buf.getShort(4));
        assertEquals(42, buf.getInt(8));
        buf.position(Nl.HEADER_SIZE + 4);
        Attributes a = Attributes.parse(buf);
        assertEquals("eth0", a.string(3));
        Attributes inner = a.nested(18);
        assertEquals("veth", inner.string(1));
        assertEquals(0xbeef, inner.u16(2));
        assertEquals(
                8472,
                Short.toUnsignedInt(a.raw(15).order(ByteOrder.BIG_ENDIAN).getShort(0)),
                "ports go in network order");
        assertNull(a.raw(99));
    }

    @Test
    void truncatedAttributesAreIgnoredNotOverread() {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
        b.putShort((short) 8).putShort((short) 1).putInt(5);
        b.putShort((short) 40).putShort((short) 2); // claims 40 bytes, has 0
        b.flip();
        Attributes a = Attributes.parse(b);
        assertEquals(5, a.u32(1));
        assertFalse(a.has(2));
    }

    @Test
    void macAddressesParseFormatAndRandomOnesAreLocalUnicast() {
        assertEquals("02:42:ac:11:00:02", MacAddress.parse("02:42:AC:11:00:02").toString());
        for (int i = 0; i < 100; i++) {
            byte first = MacAddress.randomLocal().bytes()[0];
            assertEquals(0x02, first & 0x03, "locally administered, unicast");
        }
        var e = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02:42:ac:11:00"));
        assertTrue(e.getMessage().contains("02:42:ac:11:00"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02:42:ac:11:00:zz"));
    }

    @Test
    void prefixesParseLiteralsOnlyAndNameTheBadInput() {
        assertEquals("10.0.0.2/24", IpPrefix.parse("10.0.0.2/24").toString());
        assertEquals(32, IpPrefix.parse("10.0.0.2").length());
        assertEquals("fd00::1/64", IpPrefix.parse("fd00:0:0::1/64").toString());
        assertEquals(
                "2001:db8::1:0:0:1/128",
                IpPrefix.parse("2001:db8:0:0:1:0:0:1").toString(),
                "the first longest zero run is compressed");
        assertEquals("::/0", IpPrefix.parse("::/0").toString());
        for (String bad :
                new String[] {"10.0.0.256/24", "10.0.0.2/33", "example.com", "10.0.0/8", "fd00::1/129", "10.0.0.1/x"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), "the error quotes the input: " + e.getMessage());
        }
    }

    @Test
    void interfaceNamesFollowTheKernelsRules() {
        assertEquals("veth1234567", LinkNames.check("veth1234567"));
        var tooLong = assertThrows(IllegalArgumentException.class, () -> LinkNames.check("a-very-long-name0"));
        assertTrue(tooLong.getMessage().contains("at most 15"), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LinkNames.check("eth0:1"));
        assertThrows(IllegalArgumentException.class, () -> LinkNames.check("a/b"));
        assertThrows(IllegalArgumentException.class, () -> LinkNames.check(""));
    }

    @Test
    void errnoValuesMapToTypedExceptionsWithReadableMessages() {
        NetlinkException e = NetlinkException.of("create link x (veth)", Errno.EEXIST, null);
        assertInstanceOf(NetlinkException.Exists.class, e);
        assertEquals("create link x (veth): EEXIST (File exists)", e.getMessage());
        assertInstanceOf(NetlinkException.NotFound.class, NetlinkException.of("op", Errno.ENODEV, null));
        assertInstanceOf(NetlinkException.NotSupported.class, NetlinkException.of("op", Errno.EOPNOTSUPP, null));
        assertInstanceOf(NetlinkException.Busy.class, NetlinkException.of("op", Errno.EBUSY, null));
        assertInstanceOf(NetlinkException.PermissionDenied.class, NetlinkException.of("op", Errno.EPERM, null));
        NetlinkException inv = NetlinkException.of("op", Errno.EINVAL, "Nexthop has invalid gateway");
        assertInstanceOf(NetlinkException.Invalid.class, inv);
        assertTrue(inv.getMessage().endsWith(": Nexthop has invalid gateway"));
        assertInstanceOf(NetlinkException.Other.class, NetlinkException.of("op", 200, null));
    }
}
