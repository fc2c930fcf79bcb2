package dev.berth.model.net;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.model.BerthException;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Cidr's arithmetic, whose IPv4 and IPv6 paths use 128-bit longs instead of BigInteger. */
class CidrTest {

    @Test
    void ofClearsHostBitsInBothFamilies() {
        assertEquals(cidr("172.17.0.0/16"), Cidr.of(ip("172.17.5.1"), 16));
        assertEquals(cidr("10.0.0.0/8"), Cidr.of(ip("10.255.255.255"), 8));
        assertEquals(cidr("0.0.0.0/0"), Cidr.of(ip("192.0.2.1"), 0));
        assertEquals(cidr("fd12:3456:789a:1::/64"), Cidr.of(ip("fd12:3456:789a:1:ffff::1"), 64));
        assertEquals(cidr("fd00::/8"), Cidr.of(ip("fdff::1"), 8));
        assertEquals(cidr("2001:db8::1/128"), Cidr.of(ip("2001:db8::1"), 128));
        assertEquals(cidr("2001:db8::/65"), Cidr.of(ip("2001:db8::7fff:ffff:ffff:ffff"), 65));
    }

    @Test
    void containsAndOverlaps() {
        Cidr c = cidr("172.18.0.0/16");
        assertTrue(c.contains(ip("172.18.0.0")));
        assertTrue(c.contains(ip("172.18.255.255")));
        assertFalse(c.contains(ip("172.19.0.0")));
        assertFalse(c.contains(ip("::ffff:0:0")), "another family is never contained");
        assertTrue(cidr("172.16.0.0/12").overlaps(c));
        assertTrue(c.overlaps(cidr("172.16.0.0/12")));
        assertFalse(c.overlaps(cidr("172.17.0.0/16")));
        assertFalse(cidr("0.0.0.0/0").overlaps(cidr("::/0")));
        Cidr v6 = cidr("fd00:1::/64");
        assertTrue(v6.contains(ip("fd00:1::ffff:ffff:ffff:ffff")));
        assertFalse(v6.contains(ip("fd00:1:0:1::")));
        assertTrue(cidr("::/0").contains(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
    }

    @Test
    void addressesOffsetsAndLast() {
        Cidr c = cidr("10.1.0.0/16");
        assertEquals(ip("10.1.1.2"), c.address(258));
        assertEquals(ip("10.1.1.2"), c.address(BigInteger.valueOf(258)));
        assertEquals(BigInteger.valueOf(258), c.offsetOf(ip("10.1.1.2")));
        assertEquals(ip("10.1.255.255"), c.last());
        assertThrows(IllegalArgumentException.class, () -> c.address(65536));
        assertThrows(IllegalArgumentException.class, () -> c.address(-1));

        Cidr v6 = cidr("fd00::/64");
        assertEquals(ip("fd00::1:0:0:5"), v6.address((1L << 48) + 5));
        assertEquals(ip("fd00::ffff:ffff:ffff:ffff"), v6.last());
        assertEquals(
                ip("fd00::ffff:ffff:ffff:ffff"),
                v6.address(BigInteger.TWO.pow(64).subtract(BigInteger.ONE)));
        assertThrows(IllegalArgumentException.class, () -> v6.address(BigInteger.TWO.pow(64)));
        Cidr big = cidr("fd00::/48");
        assertEquals(ip("fd00:0:0:1::"), big.address(BigInteger.TWO.pow(64)), "carries into the high word");
        assertEquals(cidr("0.0.0.0/0").last(), ip("255.255.255.255"));
    }

    @Test
    void ipv4MappedRangeStaysIpv6() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = mapped[11] = (byte) 0xff; // ::ffff:0.0.0.0, which InetAddress.getByAddress would make IPv4
        Cidr c = Cidr.of(Inet6Address.getByAddress(null, mapped, -1), 96);
        assertInstanceOf(Inet6Address.class, c.network());
        assertInstanceOf(Inet6Address.class, c.last());
        assertInstanceOf(Inet6Address.class, c.address(5));
    }

    @Test
    void parseRejectsHostBitsAndGarbage() {
        var e = assertThrows(
                BerthException.InvalidRequest.class, () -> Cidr.parse("172.17.0.1/16", "IPAM.Config[0].Subnet"));
        assertEquals("IPAM.Config[0].Subnet", e.field());
        assertTrue(e.getMessage().contains("172.17.0.0/16"), e.getMessage());
        assertThrows(BerthException.InvalidRequest.class, () -> Cidr.parse("172.17.0.0", "f"));
        assertThrows(BerthException.InvalidRequest.class, () -> Cidr.parse("172.17.0.0/33", "f"));
    }

    private static InetAddress ip(String text) {
        return IpPrefix.literal(text, text);
    }

    private static Cidr cidr(String text) {
        return Cidr.parse(text, "test");
    }

    private static String text(InetAddress a) {
        return IpPrefix.format(a);
    }
}
