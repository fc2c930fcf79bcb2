package dev.berth.model.topology;

import java.util.ArrayList;
import java.util.List;

/**
 * A readable tree of a {@link Topology}: each namespace, its links (bridge ports under their bridge,
 * veths with {@code @ifN} and where their other end is), addresses, and routes.
 */
public final class TopologyText {
    private TopologyText() {}

    public static String render(Topology t) {
        StringBuilder s = new StringBuilder();
        for (Topology.Namespace ns : t.namespaces()) {
            if (!s.isEmpty()) s.append('\n');
            s.append(
                            ns.sandbox() == null
                                    ? "namespace " + ns.name()
                                    : "namespace " + ns.name() + " (container " + ns.sandbox() + ")")
                    .append('\n');
            List<Topology.Iface> top = new ArrayList<>();
            for (Topology.Iface i : ns.links()) if (i.master() == null || ns.link(i.master()) == null) top.add(i);
            List<String> lines = new ArrayList<>();
            List<String> children = new ArrayList<>();
            for (Topology.Iface i : top) {
                lines.add(describe(i));
                List<String> ports = new ArrayList<>();
                for (Topology.Iface p : ns.links()) if (i.name().equals(p.master())) ports.add(describe(p));
                children.add(String.join("\n", ports));
            }
            if (!ns.routes().isEmpty()) {
                lines.add("routes");
                List<String> r = new ArrayList<>();
                for (Topology.RouteEntry e : ns.routes()) r.add(e.toString());
                children.add(String.join("\n", r));
            }
            for (int k = 0; k < lines.size(); k++) {
                boolean last = k == lines.size() - 1;
                s.append(last ? "└── " : "├── ").append(lines.get(k)).append('\n');
                String[] kids = children.get(k).isEmpty()
                        ? new String[0]
                        : children.get(k).split("\n");
                for (int j = 0; j < kids.length; j++)
                    s.append(last ? "    " : "│   ")
                            .append(j == kids.length - 1 ? "└── " : "├── ")
                            .append(kids[j])
                            .append('\n');
            }
        }
        return s.toString();
    }

    static String describe(Topology.Iface i) {
        StringBuilder s = new StringBuilder(i.displayName());
        if (i.kind() != null) s.append(" (").append(i.kind()).append(')');
        s.append(i.up() ? " UP" : " DOWN");
        for (String a : i.addresses()) s.append(' ').append(a);
        if (i.peer() != null && i.peer().namespace() != null)
            s.append("  <-> ")
                    .append(i.peer().namespace())
                    .append(':')
                    .append(
                            i.peer().name() == null
                                    ? "if" + i.peer().index()
                                    : i.peer().name());
        else if (i.peer() != null) s.append("  <-> (another namespace)");
        return s.toString();
    }
}
