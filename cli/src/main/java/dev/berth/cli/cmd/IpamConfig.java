package dev.berth.cli.cmd;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * IPAM.Config from {@code --subnet}, {@code --ip-range}, {@code --gateway} and {@code --aux-address},
 * paired as docker pairs them: each of the others goes to the subnet that contains it.
 */
final class IpamConfig {
    private IpamConfig() {}

    static ArrayNode build(List<String> subnets, List<String> ranges, List<String> gateways, List<String> aux) {
        ArrayNode out = BaseCommand.array();
        if (subnets.isEmpty()) {
            if (!ranges.isEmpty() || !gateways.isEmpty() || !aux.isEmpty())
                throw new UsageError("every ip-range or gateway must have a corresponding subnet");
            return out;
        }
        List<ObjectNode> configs = new ArrayList<>();
        for (String s : subnets) {
            cidr(s, "--subnet");
            ObjectNode c = out.addObject();
            c.put("Subnet", s);
            configs.add(c);
        }
        for (String r : ranges) {
            ObjectNode c = owner(subnets, configs, cidr(r, "--ip-range").address, "range", r);
            if (c.has("IPRange"))
                throw new UsageError("cannot configure multiple ranges (" + r + ", "
                        + c.get("IPRange").asText() + ") on the same subnet ("
                        + c.get("Subnet").asText() + ")");
            c.put("IPRange", r);
        }
        for (String g : gateways) {
            ObjectNode c = owner(subnets, configs, ip(g, "--gateway"), "gateway", g);
            if (c.has("Gateway"))
                throw new UsageError("cannot configure multiple gateways (" + g + ", "
                        + c.get("Gateway").asText() + ") for the same subnet ("
                        + c.get("Subnet").asText() + ")");
            c.put("Gateway", g);
        }
        for (String a : aux) {
            int eq = a.indexOf('=');
            if (eq <= 0) throw new UsageError("invalid --aux-address '" + a + "': expected NAME=IP");
            String ip = a.substring(eq + 1);
            ObjectNode c = owner(subnets, configs, ip(ip, "--aux-address"), "aux-address", ip);
            c.withObjectProperty("AuxiliaryAddresses").put(a.substring(0, eq), ip);
        }
        return out;
    }

    private static ObjectNode owner(
            List<String> subnets, List<ObjectNode> configs, byte[] addr, String what, String text) {
        for (int i = 0; i < subnets.size(); i++)
            if (cidr(subnets.get(i), "--subnet").contains(addr)) return configs.get(i);
        throw new UsageError("no matching subnet for " + what + " " + text);
    }

    private record Cidr(byte[] address, int length) {
        boolean contains(byte[] a) {
            if (a.length != address.length) return false;
            for (int bit = 0; bit < length; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((a[bit / 8] & mask) != (address[bit / 8] & mask)) return false;
            }
            return true;
        }
    }

    private static Cidr cidr(String text, String flag) {
        int slash = text.indexOf('/');
        if (slash < 0) throw new UsageError("invalid " + flag + " '" + text + "': expected CIDR like 172.30.0.0/16");
        byte[] a = ip(text.substring(0, slash), flag);
        int len;
        try {
            len = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            len = -1;
        }
        if (len < 0 || len > a.length * 8)
            throw new UsageError("invalid " + flag + " '" + text + "': the prefix length must be 0.." + a.length * 8);
        return new Cidr(a, len);
    }

    private static byte[] ip(String text, String flag) {
        try {
            return InetAddress.ofLiteral(text).getAddress(); // a literal only: never a DNS lookup
        } catch (IllegalArgumentException e) {
            throw new UsageError("invalid " + flag + " '" + text + "': not an IP address");
        }
    }
}
