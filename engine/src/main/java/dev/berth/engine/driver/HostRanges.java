package dev.berth.engine.driver;

import dev.berth.model.Cidr;
import dev.berth.model.IpPrefix;
import dev.berth.netlink.route.Address;
import dev.berth.netlink.route.Route;
import dev.berth.netlink.route.RouteEvents;
import dev.berth.netlink.route.RouteEvents.AddressChange;
import dev.berth.netlink.route.RouteEvents.LinkChange;
import dev.berth.netlink.route.RouteEvents.RouteChange;
import dev.berth.netlink.route.Rtnl;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The address ranges in use on the host: its addresses' networks and its main-table routes (default routes,
 * loopback and IPv6 link-local aside), which a subnet the engine picks must not overlap. Read once, then kept
 * current from rtnetlink's notifications, drained at every query: the kernel queues a notification before it
 * answers the change, so an address a user added a moment ago is seen. With 1000 networks, dumping every
 * address and route per network create cost 40 ms and grew with each.
 *
 * <p>Read afresh when notifications were lost (the socket's buffer overflowed), and the routes alone when the
 * kernel may have dropped some without telling: IPv4 flushes the routes through a link that goes down or away,
 * and those whose preferred source was a deleted address, with no notification.
 */
public final class HostRanges implements AutoCloseable {
    /** An address by what names it to the kernel (its flags change, e.g. when IPv6 duplicate detection ends). */
    private record AddressKey(int index, IpPrefix prefix) {}

    private final Rtnl rtnl;
    private final RouteEvents events;
    private final Set<AddressKey> addresses = new HashSet<>();
    private final Set<Route> routes = new HashSet<>();
    private boolean addressesStale = true, routesStale = true;
    private int dumps;

    /** {@code events} must be subscribed in {@code rtnl}'s namespace. */
    public HostRanges(Rtnl rtnl, RouteEvents events) {
        this.rtnl = rtnl;
        this.events = events;
    }

    /** The ranges in use now. */
    public synchronized List<Cidr> current() {
        drain();
        if (addressesStale || routesStale) {
            reread();
            drain(); // what changed during the dumps (applying a change the dump saw again is no change)
            if (addressesStale || routesStale) reread();
        }
        List<Cidr> used = new ArrayList<>(addresses.size() + routes.size());
        for (AddressKey a : addresses)
            used.add(Cidr.of(a.prefix().address(), a.prefix().length()));
        for (Route r : routes)
            used.add(Cidr.of(r.destination().address(), r.destination().length()));
        return used;
    }

    /** How many times a table was read whole (tests: a change by hand costs none). */
    public synchronized int dumps() {
        return dumps;
    }

    private void reread() {
        dumps++;
        if (addressesStale) {
            addressesStale = false;
            addresses.clear();
            for (Address a : rtnl.addresses().list()) if (counts(a)) addresses.add(key(a));
        }
        if (routesStale) {
            routesStale = false;
            routes.clear();
            for (Route r : rtnl.routes().listMain()) if (counts(r)) routes.add(r);
        }
    }

    private void drain() {
        List<RouteEvents.Event> changes;
        try {
            changes = events.poll();
        } catch (RouteEvents.Overflow lost) {
            addressesStale = routesStale = true;
            return;
        }
        for (RouteEvents.Event e : changes) {
            switch (e) {
                case AddressChange(boolean added, Address a) -> {
                    if (!counts(a)) continue;
                    if (added) addresses.add(key(a));
                    else {
                        addresses.remove(key(a));
                        if (a.prefix().isIpv4()
                                && routes.stream()
                                        .anyMatch(r -> a.prefix().address().equals(r.preferredSource())))
                            routesStale = true;
                    }
                }
                case RouteChange(boolean added, boolean replaced, Route r) -> {
                    if (!r.inMainTable() || !counts(r)) continue;
                    if (replaced) routes.removeIf(x -> sameSlot(x, r));
                    if (added) routes.add(r);
                    else routes.remove(r);
                }
                case LinkChange l -> {
                    if ((l.removed() || !l.isUp()) && routes.stream().anyMatch(r -> r.outputIndex() == l.index()))
                        routesStale = true;
                }
            }
        }
    }

    /** The route a replace takes the place of: same family, table, destination and metric. */
    private static boolean sameSlot(Route a, Route b) {
        return a.ipv6() == b.ipv6()
                && a.table() == b.table()
                && a.metric() == b.metric()
                && a.destination().equals(b.destination());
    }

    private static AddressKey key(Address a) {
        return new AddressKey(a.index(), a.prefix());
    }

    private static boolean counts(Address a) {
        if (a.isHostScope()) return false; // loopback
        return a.prefix().isIpv4() || !a.prefix().address().isLinkLocalAddress();
    }

    private static boolean counts(Route r) {
        if (r.isDefault() || r.destination() == null) return false;
        if (r.ipv6() && r.destination().address().isLinkLocalAddress()) return false;
        return !(r.ipv6() && r.destination().address().isMulticastAddress());
    }

    @Override
    public synchronized void close() {
        events.close();
    }
}
