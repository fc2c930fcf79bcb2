package dev.berth.cli.cmd;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * {@code -p [ip:][hostPort[-end]:]containerPort[-end][/proto]} and {@code --expose port[-end][/proto]}
 * as the API's ExposedPorts {"80/tcp":{}} and HostConfig.PortBindings {"80/tcp":[{"HostIp","HostPort"}]}.
 */
final class PortBindings {
    private PortBindings() {}

    static void publish(String spec, ObjectNode exposed, ObjectNode bindings) {
        String s = spec.strip();
        String proto = "tcp";
        int slash = s.lastIndexOf('/');
        if (slash >= 0) {
            proto = s.substring(slash + 1).toLowerCase(Locale.ROOT);
            s = s.substring(0, slash);
        }
        if (!List.of("tcp", "udp", "sctp").contains(proto))
            throw bad(spec, "protocol '" + proto + "' is not one of tcp, udp, sctp");
        String ip = "", host = "", ctr;
        int last = s.lastIndexOf(':');
        if (last < 0) {
            ctr = s;
        } else {
            ctr = s.substring(last + 1);
            String left = s.substring(0, last);
            int ipEnd = left.startsWith("[") ? left.indexOf("]:") + 1 : left.lastIndexOf(':');
            if (ipEnd > 0) {
                ip = left.substring(0, ipEnd).replace("[", "").replace("]", "");
                host = left.substring(ipEnd + 1);
            } else {
                host = left;
            }
        }
        int[] c = range(ctr, spec);
        int[] h = host.isEmpty() ? null : range(host, spec);
        int n = c[1] - c[0] + 1;
        if (h != null && h[1] - h[0] + 1 != n && h[0] != h[1])
            throw bad(spec, "the host range has " + (h[1] - h[0] + 1) + " ports but the container range has " + n);
        for (int i = 0; i < n; i++) {
            String key = (c[0] + i) + "/" + proto;
            exposed.putObject(key);
            ArrayNode list = bindings.has(key) ? (ArrayNode) bindings.get(key) : bindings.putArray(key);
            ObjectNode b = list.addObject();
            b.put("HostIp", ip);
            b.put("HostPort", h == null ? "" : h[0] == h[1] ? String.valueOf(h[0]) : String.valueOf(h[0] + i));
        }
    }

    static void expose(String spec, ObjectNode exposed) {
        String s = spec.strip(), proto = "tcp";
        int slash = s.lastIndexOf('/');
        if (slash >= 0) {
            proto = s.substring(slash + 1);
            s = s.substring(0, slash);
        }
        int[] r = range(s, spec);
        for (int p = r[0]; p <= r[1]; p++) exposed.putObject(p + "/" + proto);
    }

    private static int[] range(String part, String spec) {
        String[] ends = part.split("-", -1);
        if (ends.length > 2) throw bad(spec, "'" + part + "' is not a port or a range like 8000-8010");
        int a = port(ends[0], spec), b = ends.length == 2 ? port(ends[1], spec) : a;
        if (b < a) throw bad(spec, "range " + part + " ends before it starts");
        return new int[] {a, b};
    }

    private static int port(String p, String spec) {
        try {
            int v = Integer.parseInt(p);
            if (v >= 1 && v <= 65535) return v;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw bad(spec, "'" + p + "' is not a port number (1-65535)");
    }

    private static UsageError bad(String spec, String why) {
        return new UsageError("invalid publish '" + spec + "': " + why
                + "; the form is [ip:][hostPort[-end]:]containerPort[-end][/tcp|udp|sctp]");
    }
}
