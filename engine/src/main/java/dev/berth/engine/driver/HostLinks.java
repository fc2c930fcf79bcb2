package dev.berth.engine.driver;

import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.route.Link;
import dev.berth.netlink.route.Links;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What reconcile knows of the host's links: one consistent dump, or, when the kernel's table kept
 * changing under every dump, a link-by-link lookup that can still tell what is missing but cannot
 * list what is there ({@link #all()} is empty), so nothing is removed as an orphan from a partial view.
 */
public final class HostLinks {
    private final Links links;
    private final List<Link> dump;
    private final Map<String, Link> byName = new HashMap<>();
    private final Map<Integer, String> names = new HashMap<>();

    private HostLinks(Links links, List<Link> dump) {
        this.links = links;
        this.dump = dump;
        if (dump == null) return;
        for (Link l : dump) {
            byName.put(l.name(), l);
            names.put(l.index(), l.name());
        }
    }

    /** Dumps the links; an interrupted dump gives a view that answers by lookups instead. */
    public static HostLinks of(Links links) {
        try {
            return new HostLinks(links, links.list());
        } catch (NetlinkException.DumpInterrupted e) {
            return new HostLinks(links, null);
        }
    }

    /** Whether the view came from one consistent dump. */
    public boolean complete() {
        return dump != null;
    }

    /** Every link, when the view is complete. */
    public Optional<List<Link>> all() {
        return Optional.ofNullable(dump);
    }

    /** The link called {@code name}, or null when there is none. */
    public Link byName(String name) {
        if (complete()) return byName.get(name);
        return links.find(name).orElse(null);
    }

    /** The name of the link with {@code index}, or null when there is none (or index is 0: no master). */
    public String nameOf(int index) {
        if (index <= 0) return null;
        if (complete()) return names.get(index);
        try {
            return links.get(index).name();
        } catch (NetlinkException.NotFound e) {
            return null;
        }
    }
}
