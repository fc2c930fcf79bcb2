package dev.berth.model.topology;

/**
 * A {@link Topology} as Graphviz DOT: one cluster per namespace, a node per link (lo left out), an
 * edge from each bridge port to its bridge and one between the two ends of each veth.
 */
public final class TopologyDot {
    private TopologyDot() {}

    public static String render(Topology t) {
        StringBuilder s = new StringBuilder(
                "digraph berth {\n  rankdir=LR;\n  compound=true;\n"
                        + "  node [shape=box, style=rounded, fontname=\"monospace\", fontsize=10];\n  edge [arrowhead=none];\n");
        int c = 0;
        for (Topology.Namespace ns : t.namespaces()) {
            s.append("  subgraph \"cluster_")
                    .append(c++)
                    .append("\" {\n    label=")
                    .append(q(ns.sandbox() == null ? "namespace " + ns.name() : ns.name() + " (" + ns.sandbox() + ")"))
                    .append(";\n");
            if (ns.sandbox() == null) s.append("    style=filled; fillcolor=\"#f4f4f4\";\n");
            for (Topology.Iface i : ns.links()) {
                if (i.name().equals("lo")) continue;
                StringBuilder label = new StringBuilder(i.displayName());
                if (i.kind() != null) label.append("\\n").append(i.kind());
                for (String a : i.addresses()) label.append("\\n").append(a);
                s.append("    ")
                        .append(id(ns, i.name()))
                        .append(" [label=\"")
                        .append(esc(label.toString()))
                        .append('"')
                        .append("bridge".equals(i.kind()) ? ", shape=box3d" : "")
                        .append(i.up() ? "" : ", color=gray")
                        .append("];\n");
            }
            s.append("  }\n");
        }
        for (Topology.Namespace ns : t.namespaces()) {
            for (Topology.Iface i : ns.links()) {
                if (i.master() != null && ns.link(i.master()) != null)
                    s.append("  ")
                            .append(id(ns, i.name()))
                            .append(" -> ")
                            .append(id(ns, i.master()))
                            .append(" [style=bold];\n");
                Topology.Peer p = i.peer();
                // Each pair once: from the end whose (namespace, name) sorts first.
                if (p != null
                        && p.namespace() != null
                        && p.name() != null
                        && (ns.name() + "\0" + i.name()).compareTo(p.namespace() + "\0" + p.name()) < 0)
                    s.append("  ")
                            .append(id(ns, i.name()))
                            .append(" -> ")
                            .append(q(p.namespace() + "/" + p.name()))
                            .append(" [label=\"veth\", fontsize=8, color=\"#1f6fb2\"];\n");
            }
        }
        return s.append("}\n").toString();
    }

    private static String id(Topology.Namespace ns, String link) {
        return q(ns.name() + "/" + link);
    }

    private static String q(String s) {
        return "\"" + esc(s) + "\"";
    }

    private static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\\\\n", "\\n");
    }
}
