package dev.berth.model.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address with a prefix length, as netlink carries it: {@code 10.0.0.2/24} (the host bits are kept). */
public record IpPrefix(InetAddress address, int length) {
    public IpPrefix {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (length < 0 || length > max)
            throw new IllegalArgumentException(
                    "prefix length " + length + " of " + format(address) + " is outside 0.." + max);
    }

    /** Parses {@code 10.0.0.2/24} or {@code fd00::1/64}; a bare address gets the full length. */
    public static IpPrefix parse(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        InetAddress a = literal(addr, text);
        int max = a instanceof Inet4Address ? 32 : 128;
        if (slash < 0) return new IpPrefix(a, max);
        int length;
        try {
            length = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "'" + text + "': the prefix length after '/' must be a number 0.." + max);
        }
        if (length < 0 || length > max)
            throw new IllegalArgumentException("'" + text + "': prefix length " + length + " is outside 0.." + max);
        return new IpPrefix(a, length);
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
                    if (octet > 255)
                        throw new IllegalArgumentException("'" + context + "': " + octet + " is not an octet (0..255)");
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
        return format(address) + "/" + length;
    }

    /** The address in its usual text form; IPv6 compressed as RFC 5952 says ({@code fd00::1}, not {@code fd00:0:0:0:0:0:0:1}). */
    public static String format(InetAddress a) {
        if (a instanceof Inet4Address) return a.getHostAddress();
        byte[] b = a.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        int bestStart = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') s.append(':');
            s.append(Integer.toHexString(groups[i]));
        }
        return s.toString();
    }
}
