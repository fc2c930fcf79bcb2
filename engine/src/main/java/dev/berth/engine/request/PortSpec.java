package dev.berth.engine.request;

import dev.berth.model.BerthException;
import dev.berth.model.Protocol;
import dev.berth.model.net.IpPrefix;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code -p} argument, parsed: {@code [hostIp:][hostPort[-end]:]containerPort[-end][/proto]}.
 * A host port of 0 means "any free port" (chosen by the engine from the ephemeral range).
 */
public record PortSpec(InetAddress hostIp, int hostPort, int containerPort, Protocol protocol) {

    /** Parses and expands a range into one spec per port; {@code field} names the argument in errors. */
    public static List<PortSpec> parse(String text, String field) {
        String s = text.strip();
        Protocol proto = Protocol.TCP;
        int slash = s.lastIndexOf('/');
        if (slash >= 0) {
            proto = Protocol.parse(s.substring(slash + 1), field);
            s = s.substring(0, slash);
        }
        InetAddress hostIp = null;
        String hostPart = null, ctrPart;
        int lastColon = s.lastIndexOf(':');
        if (lastColon < 0) {
            ctrPart = s;
        } else {
            ctrPart = s.substring(lastColon + 1);
            String left = s.substring(0, lastColon);
            int ipColon = left.startsWith("[") ? left.indexOf("]:") + 1 : left.lastIndexOf(':');
            if (ipColon > 0) {
                String ip = left.substring(0, ipColon).replace("[", "").replace("]", "");
                hostPart = left.substring(ipColon + 1);
                try {
                    hostIp = IpPrefix.literal(ip, ip);
                } catch (IllegalArgumentException e) {
                    throw new BerthException.InvalidRequest(
                            field, "'" + text + "': host IP '" + ip + "' is not an IP address");
                }
                if (hostIp.isAnyLocalAddress()) hostIp = null;
            } else {
                hostPart = left;
            }
        }
        int[] ctr = range(ctrPart, text, field, false);
        int[] host = hostPart == null || hostPart.isEmpty() ? new int[] {0, 0} : range(hostPart, text, field, true);
        int count = ctr[1] - ctr[0] + 1;
        if (host[0] != 0 && host[1] - host[0] + 1 != count)
            throw new BerthException.InvalidRequest(
                    field,
                    "'" + text + "': the host range has " + (host[1] - host[0] + 1)
                            + " ports but the container range has " + count);
        List<PortSpec> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int hp = host[0] == 0 ? 0 : host[0] + i;
            out.add(new PortSpec(hostIp, hp, ctr[0] + i, proto));
        }
        return out;
    }

    private static int[] range(String part, String text, String field, boolean zeroAllowed) {
        String[] ends = part.split("-", -1);
        if (ends.length > 2) throw bad(text, field, "'" + part + "' is not a port or a range like 8000-8010");
        int a = port(ends[0], text, field, zeroAllowed);
        int b = ends.length == 2 ? port(ends[1], text, field, zeroAllowed) : a;
        if (b < a) throw bad(text, field, "range " + part + " ends before it starts");
        return new int[] {a, b};
    }

    private static int port(String p, String text, String field, boolean zeroAllowed) {
        int v;
        try {
            v = Integer.parseInt(p);
        } catch (NumberFormatException e) {
            throw bad(text, field, "'" + p + "' is not a port number");
        }
        if (v < (zeroAllowed ? 0 : 1) || v > 65535) throw bad(text, field, "port " + v + " is outside 1..65535");
        return v;
    }

    private static BerthException bad(String text, String field, String why) {
        return new BerthException.InvalidRequest(
                field,
                "'" + text + "': " + why
                        + "; the form is [hostIP:][hostPort[-end]:]containerPort[-end][/tcp|udp|sctp]");
    }
}
