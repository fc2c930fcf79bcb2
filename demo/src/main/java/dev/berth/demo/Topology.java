package dev.berth.demo;

import dev.berth.netlink.route.Address;
import dev.berth.netlink.route.Link;
import dev.berth.netlink.route.Route;
import dev.berth.netlink.route.Rt;
import dev.berth.netlink.route.Rtnl;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** One namespace as Berth's netlink dumps read it: links, IPv4 addresses and IPv4 routes of the main table. */
record Topology(List<Link> links, List<Address> addresses, List<Route> routes) {

    static Topology dump(Rtnl rtnl) {
        List<Address> v4 = rtnl.addresses().list().stream().filter(a -> a.prefix().isIpv4()).toList();
        List<Route> routes = rtnl.routes().listMain().stream().filter(r -> !r.ipv6()).toList();
        return new Topology(rtnl.links().list(), v4, routes);
    }

    /** Lines for the report, link by link like {@code ip link}, then addresses and routes. */
    List<String> lines() {
        Map<Integer, String> names = links.stream().collect(Collectors.toMap(Link::index, Link::name));
        Function<Integer, String> name = i -> names.getOrDefault(i, "#" + i);
        List<String> out = new ArrayList<>();
        add(out, "links", links.stream().map(l -> link(l, name)).toList());
        add(out, "addresses", addresses.stream().map(a -> a.prefix() + " dev " + name.apply(a.index())).toList());
        add(out, "routes", routes.stream().map(r -> route(r, name)).toList());
        return out;
    }

    /** Adds {@code items} under a heading that is printed once, in the left column. */
    private static void add(List<String> out, String heading, List<String> items) {
        for (int i = 0; i < items.size(); i++) out.add(String.format("  %-10s%s", i == 0 ? heading : "", items.get(i)));
    }

    /** Links as "index: name@ifPEER", comparable with {@link Witness#numbered}. */
    String numbered() {
        return links.stream().map(l -> l.index() + ": " + l.name() + peer(l)).collect(Collectors.joining(", "));
    }

    private static String link(Link l, Function<Integer, String> name) {
        String head = l.index() + ": " + l.name() + peer(l);
        return String.format("%-20s %-7s %-16s %s", head, l.kind() == null ? "" : l.kind(),
                l.masterIndex() == 0 ? "" : "master " + name.apply(l.masterIndex()), l.isUp() ? "UP" : "DOWN");
    }

    /** The peer suffix {@code ip link} prints: {@code @if5} for a veth whose other end is link 5 of its namespace. */
    private static String peer(Link l) {
        return l.linkIndex() == 0 ? "" : "@if" + l.linkIndex();
    }

    private static String route(Route r, Function<Integer, String> name) {
        StringBuilder s = new StringBuilder(r.isDefault() ? "default" : r.destination().toString());
        if (r.gateway() != null) s.append(" via ").append(r.gateway().getHostAddress());
        if (r.outputIndex() != 0) s.append(" dev ").append(name.apply(r.outputIndex()));
        if (r.protocol() == Rt.RTPROT_KERNEL) s.append(" proto kernel");
        if (r.scope() == Rt.RT_SCOPE_LINK) s.append(" scope link");
        if (r.preferredSource() != null) s.append(" src ").append(r.preferredSource().getHostAddress());
        return s.toString();
    }
}
