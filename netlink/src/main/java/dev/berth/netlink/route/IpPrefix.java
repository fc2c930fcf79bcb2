package dev.berth.netlink.route;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address with a prefix length, as netlink carries it: {@code 10.0.0.2/24} (the host bits are kept). */
public record IpPrefix(InetAddress address, int length) {
    public IpPrefix {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (length < 0 || length > max)
            throw new IllegalArgumentException("prefix length " + length + " of " + address.getHostAddress() + " is outside 0.." + max);
    }

    /** Parses {@code 10.0.0.2/24} or {@code fd00::1/64}; a bare address gets the full length. */
    public static IpPrefix parse(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        InetAddress a = literal(addr, text);
        int max = a instanceof Inet4Address ? 32 : 128;
        if (slash < 0) return new IpPrefix(a, max);
        try {
            return new IpPrefix(a, Integer.parseInt(text.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': the prefix length after '/' must be a number 0.." + max);
        }
    }

    /** Parses an IP literal without ever consulting DNS. */
    public static InetAddress literal(String addr, String context) {
        boolean v4 = addr.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = addr.contains(":") && addr.matches("[0-9a-fA-F:.]+");
        if (!v4 && !v6) throw new IllegalArgumentException("'" + context + "' is not an IPv4 or IPv6 address");
        try {
            if (v4) {
                byte[] b = new byte[4];
                String[] parts = addr.split("\\.");
                for (int i = 0; i < 4; i++) {
                    int octet = Integer.parseInt(parts[i]);
                    if (octet > 255) throw new IllegalArgumentException("'" + context + "': " + octet + " is not an octet (0..255)");
                    b[i] = (byte) octet;
                }
                return InetAddress.getByAddress(b);
            }
            return InetAddress.getByName(addr);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + context + "' is not an IP address: " + e.getMessage());
        }
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + length;
    }
}
