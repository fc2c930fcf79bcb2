package dev.berth.model.topology;

import java.util.List;

/**
 * What the kernel holds for Berth, namespace by namespace, as {@code ip link}, {@code ip addr} and
 * {@code ip route} would show it: the host first, then each sandbox. Serializable with Jackson (the
 * daemon's {@code GET /berth/topology} answer) and read back the same way by the CLI.
 */
public record Topology(List<Namespace> namespaces) {
    public Topology {
        namespaces = List.copyOf(namespaces);
    }

    /**
     * One network namespace.
     *
     * @param name    the host's label ("host") or the namespace's name under /run/netns (berth-milk)
     * @param sandbox the sandbox's (container's) name, or null for the host
     */
    public record Namespace(String name, String sandbox, List<Iface> links, List<RouteEntry> routes) {
        public Namespace {
            links = List.copyOf(links);
            routes = List.copyOf(routes);
        }

        public Iface link(String linkName) {
            for (Iface i : links) if (i.name().equals(linkName)) return i;
            return null;
        }
    }

    /**
     * One link.
     *
     * @param kind      "veth", "bridge", ... or null for plain devices (lo, physical NICs)
     * @param master    the bridge this link is a port of, or null
     * @param peer      a veth's other end, or null
     * @param addresses addresses in CIDR form, link-local IPv6 left out
     */
    public record Iface(
            int index,
            String name,
            String kind,
            String mac,
            int mtu,
            boolean up,
            String master,
            Peer peer,
            List<String> addresses) {
        public Iface {
            addresses = List.copyOf(addresses);
        }

        /** The name as {@code ip link} prints it: {@code eth0@if7} for a link with a peer or lower device. */
        public String displayName() {
            return peer == null ? name : name + "@if" + peer.index();
        }
    }

    /**
     * The other end of a veth.
     *
     * @param namespace the namespace it lives in (a {@link Namespace#name()}), or null when it is outside
     *                  the namespaces shown
     * @param name      its name, or null when its namespace is not shown
     */
    public record Peer(int index, String namespace, String name) {}

    /** One route of the main table: {@code default via 172.17.0.1 dev eth0}, {@code 172.17.0.0/16 dev berth0}. */
    public record RouteEntry(String destination, String gateway, String device, String scope) {
        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(destination);
            if (gateway != null) s.append(" via ").append(gateway);
            if (device != null) s.append(" dev ").append(device);
            if (scope != null) s.append(" scope ").append(scope);
            return s.toString();
        }
    }
}
