package dev.berth.engine.ipam;

import dev.berth.engine.model.SubnetConfig;
import dev.berth.model.BerthException;
import dev.berth.model.net.Cidr;
import dev.berth.model.net.IpPrefix;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Validates the IPAM configuration a user gives for a new network (Docker's {@code IPAM.Config} entries).
 * Each error names the request field at fault, e.g. {@code IPAM.Config[0].Gateway}.
 */
public final class SubnetChecks {
    /** Docker's text, which clients may match on. */
    public static final String POOL_OVERLAPS = "Pool overlaps with other one on this address space";

    private SubnetChecks() {}

    /** Parses and checks {@code IPAM.Config[index]}; a null or blank ip-range or gateway means none. */
    public static SubnetConfig parse(
            int index, String subnet, String ipRange, String gateway, Map<String, String> aux) {
        String p = prefix(index);
        if (blank(subnet)) {
            String given = !blank(gateway)
                    ? "Gateway"
                    : !blank(ipRange) ? "IPRange" : aux != null && !aux.isEmpty() ? "AuxiliaryAddresses" : null;
            throw new BerthException.InvalidRequest(
                    p + "Subnet",
                    given == null
                            ? "a subnet is required in an IPAM.Config entry"
                            : "a subnet is required when " + given + " is given");
        }
        Cidr net = Cidr.parse(subnet, p + "Subnet");
        Cidr range = blank(ipRange) ? null : Cidr.parse(ipRange, p + "IPRange");
        InetAddress gw = blank(gateway) ? null : address(gateway, p + "Gateway");
        Map<String, InetAddress> reserved = new LinkedHashMap<>();
        if (aux != null) aux.forEach((name, text) -> reserved.put(name, address(text, auxField(index, name))));
        SubnetConfig config = new SubnetConfig(net, gw, range, reserved);
        check(index, config);
        return config;
    }

    /** Checks one entry on its own: size, gateway, ip-range and aux addresses against the subnet. */
    public static void check(int index, SubnetConfig c) {
        String p = prefix(index);
        Cidr subnet = c.subnet();
        int smallest = subnet.bits() - 1; // /31 and /32, /127 and /128 leave no room for a gateway and a container
        if (subnet.prefix() >= smallest)
            throw new BerthException.InvalidRequest(
                    p + "Subnet",
                    subnet + " is too small to hold a gateway and a container; use /" + (smallest - 1) + " or shorter");
        if (c.gateway() != null) checkGateway(p + "Gateway", c.gateway(), subnet);
        if (c.ipRange() != null) {
            if (c.ipRange().isIpv4() != subnet.isIpv4())
                throw new BerthException.InvalidRequest(
                        p + "IPRange",
                        c.ipRange() + " is " + family(c.ipRange().isIpv4()) + " but subnet " + subnet + " is "
                                + family(subnet.isIpv4()));
            if (!subnet.contains(c.ipRange()))
                throw new BerthException.InvalidRequest(p + "IPRange", c.ipRange() + " is not inside subnet " + subnet);
        }
        // Sorted, so the same request always reports the same first error.
        for (var aux : new TreeMap<>(c.auxAddresses()).entrySet()) {
            String field = auxField(index, aux.getKey());
            InetAddress a = aux.getValue();
            checkFamilyAndSubnet(field, a, subnet);
            if (a.equals(c.gateway()))
                throw new BerthException.InvalidRequest(field, IpPrefix.format(a) + " is the gateway of " + subnet);
        }
    }

    /**
     * Checks all entries of one request: each on its own, their subnets against each other, and against the
     * subnets of existing networks ({@code existing}), which is a Conflict.
     */
    public static void checkAll(List<SubnetConfig> configs, Collection<Cidr> existing) {
        for (int i = 0; i < configs.size(); i++) check(i, configs.get(i));
        for (int j = 1; j < configs.size(); j++) {
            Cidr later = configs.get(j).subnet();
            for (int i = 0; i < j; i++) {
                Cidr earlier = configs.get(i).subnet();
                if (later.overlaps(earlier))
                    throw new BerthException.InvalidRequest(
                            prefix(j) + "Subnet", later + " overlaps " + prefix(i) + "Subnet " + earlier);
            }
        }
        for (SubnetConfig c : configs)
            for (Cidr other : existing)
                if (c.subnet().overlaps(other)) throw new BerthException.Conflict(POOL_OVERLAPS);
    }

    private static void checkGateway(String field, InetAddress gw, Cidr subnet) {
        checkFamilyAndSubnet(field, gw, subnet);
        String text = IpPrefix.format(gw);
        if (gw.equals(subnet.network()))
            throw new BerthException.InvalidRequest(
                    field,
                    text + " is the " + (subnet.isIpv4() ? "network address" : "subnet-router anycast address") + " of "
                            + subnet);
        if (subnet.isIpv4() && gw.equals(subnet.last()))
            throw new BerthException.InvalidRequest(field, text + " is the broadcast address of " + subnet);
    }

    private static void checkFamilyAndSubnet(String field, InetAddress a, Cidr subnet) {
        String text = IpPrefix.format(a);
        boolean v4 = a instanceof Inet4Address;
        if (v4 != subnet.isIpv4())
            throw new BerthException.InvalidRequest(
                    field, text + " is " + family(v4) + " but subnet " + subnet + " is " + family(subnet.isIpv4()));
        if (!subnet.contains(a)) throw new BerthException.InvalidRequest(field, text + " is not in subnet " + subnet);
    }

    private static InetAddress address(String text, String field) {
        try {
            return IpPrefix.literal(text.strip(), text);
        } catch (IllegalArgumentException e) {
            throw new BerthException.InvalidRequest(field, e.getMessage());
        }
    }

    private static String family(boolean ipv4) {
        return ipv4 ? "IPv4" : "IPv6";
    }

    private static String prefix(int index) {
        return "IPAM.Config[" + index + "].";
    }

    private static String auxField(int index, String name) {
        return prefix(index) + "AuxiliaryAddresses[" + name + "]";
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
