package dev.berth.engine.driver;

import dev.berth.engine.model.Network;
import dev.berth.engine.model.ParentLink;
import dev.berth.engine.state.StateStore;
import dev.berth.engine.state.Status;
import dev.berth.engine.tx.Transaction;
import dev.berth.model.log.Log;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.route.Link;
import dev.berth.netlink.route.LinkType;
import dev.berth.netlink.route.NewLink;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parents of macvlan and ipvlan networks. A parent that exists is used as it is and never deleted.
 * A missing {@code <link>.<vlan id>} parent becomes an 802.1q sub-interface, and a network without a
 * parent gets a dummy {@code dm-<12 hex>}, as Docker does; Berth records those it creates (state kind
 * {@value #KIND}, written before the link is made) and deletes them when the last network using them goes.
 */
public final class ParentLinks {
    /** The state store kind of the parent links Berth created. */
    public static final String KIND = "links";

    private static final Pattern VLAN = Pattern.compile("(.+)\\.([0-9]{1,4})");

    private final HostKernel host;
    private final StateStore store;

    public ParentLinks(HostKernel host, StateStore store) {
        this.host = host;
        this.store = store;
    }

    /** The dummy parent of a network created without {@code -o parent}: {@code dm-} + 12 hex of its id, as Docker names it. */
    public static String dummyName(String networkId) {
        return "dm-" + networkId.substring(0, 12);
    }

    /** {@code eth0.20} as (eth0, 20); empty when the name has no {@code .<number>} suffix. */
    public static Optional<ParentLink> vlanOf(String name) {
        Matcher m = VLAN.matcher(name);
        if (!m.matches()) return Optional.empty();
        return Optional.of(new ParentLink(name, "vlan", m.group(1), Integer.parseInt(m.group(2))));
    }

    /** Makes sure the network's parent exists: creates (and records as Berth's) a missing VLAN or dummy parent, up. */
    public void ensure(Network n, Transaction tx) {
        if (host.rtnl().links().find(n.device()).isPresent()) return;
        ParentLink p = planned(n);
        boolean known = owned().containsKey(p.name());
        tx.step(
                "parent-record",
                () -> store.put(KIND, p.name(), Status.ACTIVE, p),
                known ? null : () -> store.remove(KIND, p.name()));
        Link l = tx.create("parent", () -> create(p), x -> deleteQuietly(p));
        tx.step("parent-up", () -> host.rtnl().links().setUp(l.index()), null);
    }

    /** Deletes the network's parent if Berth created it and no network in {@code remaining} uses it any more. */
    public void release(Network n, Collection<Network> remaining) {
        ParentLink p = owned().get(n.device());
        if (p == null || inUse(p.name(), remaining)) return;
        deleteQuietly(p);
        store.remove(KIND, p.name());
    }

    /**
     * Start-up: deletes the parents Berth created that no active network uses (a crash between their
     * creation and the network's, or during a removal) and re-creates those that vanished while in use.
     */
    public void reconcile(Collection<Network> active) {
        for (ParentLink p : owned().values()) {
            if (!inUse(p.name(), active)) {
                Log.info("reconcile: removing a parent link no network uses", "link", p.name(), "kind", p.kind());
                deleteQuietly(p);
                store.remove(KIND, p.name());
            } else if (host.rtnl().links().find(p.name()).isEmpty()) {
                Log.info("reconcile: a parent link is missing; re-creating it", "link", p.name());
                try {
                    host.rtnl().links().setUp(create(p).index());
                } catch (NetlinkException e) {
                    Log.warn("reconcile: cannot re-create a parent link", "link", p.name(), "error", e.getMessage());
                }
            }
        }
    }

    /** The parents Berth created, by name. */
    public Map<String, ParentLink> owned() {
        Map<String, ParentLink> out = new HashMap<>();
        for (StateStore.Entry<ParentLink> e : store.load(KIND, ParentLink.class))
            out.put(e.value().name(), e.value());
        return out;
    }

    private ParentLink planned(Network n) {
        if (n.device().equals(dummyName(n.id()))) return new ParentLink(n.device(), "dummy", null, 0);
        return vlanOf(n.device())
                .orElseThrow(() ->
                        new IllegalStateException("parent " + n.device() + " of network " + n.name() + " is gone"));
    }

    private Link create(ParentLink p) {
        if (p.kind().equals("dummy")) return host.rtnl().links().create(NewLink.of(p.name(), new LinkType.Dummy()));
        int lower = host.rtnl().links().get(p.lower()).index();
        return host.rtnl()
                .links()
                .create(NewLink.of(p.name(), new LinkType.Vlan(p.vlanId())).withParent(lower));
    }

    /** Deletes the link only if it still is what Berth made (same kind), so a link someone else put there stays. */
    private void deleteQuietly(ParentLink p) {
        Optional<Link> l = host.rtnl().links().find(p.name());
        if (l.isEmpty() || !p.kind().equals(l.get().kind())) return;
        try {
            host.rtnl().links().delete(l.get().index());
        } catch (NetlinkException.NotFound ignored) {
            // already gone
        }
    }

    private static boolean inUse(String name, Collection<Network> networks) {
        for (Network n : networks) if (n.isLan() && name.equals(n.device())) return true;
        return false;
    }
}
