package dev.berth.netlink.route;

import dev.berth.model.net.IpPrefix;
import dev.berth.netlink.MessageWriter;
import dev.berth.netlink.NetlinkSocket;
import dev.berth.netlink.Nl;
import dev.berth.netlink.sys.Libc;
import java.util.List;

/** Route operations (RTM_*ROUTE) in the namespace of the socket. */
public final class Routes {
    private final NetlinkSocket socket;

    public Routes(NetlinkSocket socket) {
        this.socket = socket;
    }

    public static MessageWriter message(int type, int flags, Route r) {
        MessageWriter w = new MessageWriter(type, flags);
        int family = r.ipv6() ? Libc.AF_INET6 : Libc.AF_INET;
        w.u8(family)
                .u8(r.destination() == null ? 0 : r.destination().length())
                .u8(0)
                .u8(0)
                .u8(r.table() < 256 ? r.table() : 0)
                .u8(r.protocol())
                .u8(r.scope())
                .u8(r.type())
                .u32(r.onlink() ? Rt.RTNH_F_ONLINK : 0);
        if (r.table() >= 256) w.attrU32(Rt.RTA_TABLE, r.table());
        if (r.destination() != null && r.destination().length() > 0)
            w.attrAddress(Rt.RTA_DST, r.destination().address());
        if (r.gateway() != null) w.attrAddress(Rt.RTA_GATEWAY, r.gateway());
        if (r.preferredSource() != null) w.attrAddress(Rt.RTA_PREFSRC, r.preferredSource());
        if (r.metric() != 0) w.attrU32(Rt.RTA_PRIORITY, r.metric());
        if (r.outputIndex() != 0) w.attrU32(Rt.RTA_OIF, r.outputIndex());
        return w;
    }

    public static MessageWriter addMessage(Route r) {
        return message(Rt.RTM_NEWROUTE, Nl.NLM_F_CREATE | Nl.NLM_F_EXCL, r);
    }

    public void add(Route r) {
        socket.request(addMessage(r), "add route " + describe(r));
    }

    /** Adds the route, or replaces the one with the same destination, table and metric. */
    public void replace(Route r) {
        socket.request(message(Rt.RTM_NEWROUTE, Nl.NLM_F_CREATE | Nl.NLM_F_REPLACE, r), "replace route " + describe(r));
    }

    public void delete(Route r) {
        socket.request(message(Rt.RTM_DELROUTE, 0, r), "delete route " + describe(r));
    }

    /** Every route of both families in every table. */
    public List<Route> list() {
        MessageWriter w = new MessageWriter(Rt.RTM_GETROUTE, 0)
                .u8(0)
                .u8(0)
                .u8(0)
                .u8(0)
                .u8(0)
                .u8(0)
                .u8(0)
                .u8(0)
                .u32(0);
        return socket.dump(w, "list routes", Route::parse);
    }

    /** The routes of the main table. */
    public List<Route> listMain() {
        return list().stream().filter(r -> r.table() == Rt.RT_TABLE_MAIN).toList();
    }

    static String describe(Route r) {
        StringBuilder s =
                new StringBuilder(r.isDefault() ? "default" : r.destination().toString());
        if (r.gateway() != null) s.append(" via ").append(IpPrefix.format(r.gateway()));
        if (r.outputIndex() != 0) s.append(" dev #").append(r.outputIndex());
        if (r.onlink()) s.append(" onlink");
        if (r.table() != Rt.RT_TABLE_MAIN) s.append(" table ").append(r.table());
        if (r.metric() != 0) s.append(" metric ").append(r.metric());
        return s.toString();
    }
}
