package dev.berth.daemon.cni;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.model.Network;
import dev.berth.engine.model.SubnetConfig;
import dev.berth.model.Endpoint;
import dev.berth.model.net.IpPrefix;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.Link;
import dev.berth.netlink.route.Route;
import dev.berth.netlink.route.Rtnl;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ADD result of an attachment, read back from the kernel where the spec's result says what is there
 * (the interface's MTU, whether the default route goes through it): interfaces (the host's veth, then the
 * container's), ips, routes and dns, in the configuration's version (0.4.0 adds "version" to each ip).
 */
final class CniResults {
    private CniResults() {}

    /** What the namespace holds for the endpoint's interface; empty when the interface is not there. */
    record Inside(Link link, List<IpPrefix> addresses, List<Route> defaultRoutes) {}

    static Optional<Inside> inspect(String netnsPath, String ifName) {
        try (NetnsHandle ns = Netns.open(Path.of(netnsPath));
                Rtnl rtnl = Netns.rtnl(ns)) {
            Optional<Link> link = rtnl.links().find(ifName);
            if (link.isEmpty()) return Optional.empty();
            List<IpPrefix> addrs = new ArrayList<>();
            for (var a : rtnl.addresses().list(link.get().index())) addrs.add(a.prefix());
            List<Route> defaults = new ArrayList<>();
            for (Route r : rtnl.routes().listMain())
                if (r.isDefault() && r.outputIndex() == link.get().index()) defaults.add(r);
            return Optional.of(new Inside(link.get(), addrs, defaults));
        }
    }

    static Map<String, Object> add(
            String version, Attachment a, Endpoint e, Network n, Inside inside, Map<String, Object> dns) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cniVersion", version);
        List<Object> interfaces = new ArrayList<>();
        interfaces.add(Map.of("name", e.hostIfName()));
        Map<String, Object> ctr = new LinkedHashMap<>();
        ctr.put("name", e.ifName());
        ctr.put("mac", e.mac().toString());
        if (inside != null) ctr.put("mtu", inside.link().mtu());
        ctr.put("sandbox", a.netns());
        interfaces.add(ctr);
        out.put("interfaces", interfaces);
        List<Object> ips = new ArrayList<>();
        List<Object> routes = new ArrayList<>();
        addIp(version, e.ipv4(), n.ipv4(), ips, routes, inside);
        addIp(version, e.ipv6(), n.ipv6Subnet(), ips, routes, inside);
        out.put("ips", ips);
        if (!routes.isEmpty()) out.put("routes", routes);
        if (dns != null && !dns.isEmpty()) out.put("dns", dns);
        return out;
    }

    private static void addIp(
            String version, InetAddress a, SubnetConfig s, List<Object> ips, List<Object> routes, Inside inside) {
        if (a == null || s == null) return;
        Map<String, Object> ip = new LinkedHashMap<>();
        boolean v6 = a.getAddress().length == 16;
        if (version.equals("0.4.0")) ip.put("version", v6 ? "6" : "4");
        ip.put("address", IpPrefix.format(a) + "/" + s.subnet().prefix());
        if (s.gateway() != null) ip.put("gateway", IpPrefix.format(s.gateway()));
        ip.put("interface", 1);
        ips.add(ip);
        if (inside == null || s.gateway() == null) return;
        for (Route r : inside.defaultRoutes())
            if (r.ipv6() == v6 && s.gateway().equals(r.gateway()))
                routes.add(Map.of("dst", v6 ? "::/0" : "0.0.0.0/0", "gw", IpPrefix.format(s.gateway())));
    }

    /**
     * The result's dns: the runtime's (capability "dns": servers, searches, options) when given, else the
     * configuration's own "dns" object, else none.
     */
    static Map<String, Object> dns(CniRequest r) {
        JsonNode rt = r.runtimeConfig().get("dns");
        Map<String, Object> out = new LinkedHashMap<>();
        if (rt != null && !rt.isNull()) {
            putList(out, "nameservers", rt, "servers");
            putList(out, "search", rt, "searches");
            putList(out, "options", rt, "options");
            return out;
        }
        JsonNode c = r.config().get("dns");
        if (c == null || c.isNull()) return out;
        if (!c.isObject())
            throw new CniError(
                    CniError.INVALID_CONFIG, "dns: expected an object with nameservers, domain, search, options", "");
        putList(out, "nameservers", c, "nameservers");
        if (c.hasNonNull("domain")) out.put("domain", CniRequest.text(c, "domain"));
        putList(out, "search", c, "search");
        putList(out, "options", c, "options");
        return out;
    }

    private static void putList(Map<String, Object> out, String key, JsonNode from, String field) {
        JsonNode v = from.get(field);
        if (v == null || v.isNull()) return;
        if (!v.isArray())
            throw new CniError(CniError.INVALID_CONFIG, "dns." + field + ": expected a list of strings, got " + v, "");
        List<String> l = new ArrayList<>();
        for (JsonNode x : v) l.add(x.asText());
        out.put(key, l);
    }
}
