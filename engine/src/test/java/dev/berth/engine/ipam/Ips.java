package dev.berth.engine.ipam;

import dev.berth.engine.model.SubnetConfig;
import dev.berth.model.net.Cidr;
import dev.berth.model.net.IpPrefix;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/** Short ways to write addresses and configs in tests. */
final class Ips {
    private Ips() {}

    static InetAddress ip(String text) {
        return IpPrefix.literal(text, text);
    }

    static Cidr cidr(String text) {
        return Cidr.parse(text, "test");
    }

    static String text(InetAddress a) {
        return IpPrefix.format(a);
    }

    static SubnetConfig subnet(String subnet, String gateway) {
        return new SubnetConfig(cidr(subnet), gateway == null ? null : ip(gateway), null, Map.of());
    }

    static SubnetConfig subnet(String subnet, String gateway, String ipRange, Map<String, String> aux) {
        var reserved = new HashMap<String, InetAddress>();
        aux.forEach((k, v) -> reserved.put(k, ip(v)));
        return new SubnetConfig(
                cidr(subnet), gateway == null ? null : ip(gateway), ipRange == null ? null : cidr(ipRange), reserved);
    }
}
