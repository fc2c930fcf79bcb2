package dev.berth.netlink.route;

import dev.berth.model.MacAddress;
import dev.berth.netlink.MessageWriter;
import dev.berth.netlink.MissingKernelFeatureException;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.NetlinkSocket;
import dev.berth.netlink.Nl;
import dev.berth.netlink.sys.Libc;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** Link operations (RTM_*LINK) in the namespace of the socket. */
public final class Links {
    private final NetlinkSocket socket;

    public Links(NetlinkSocket socket) {
        this.socket = socket;
    }

    // ---- messages (public so tests can compare them with iproute2's bytes) ----

    /** The RTM_NEWLINK request that creates {@code spec}, attributes in iproute2's order. */
    public static MessageWriter createMessage(NewLink spec) {
        MessageWriter w = new MessageWriter(Rt.RTM_NEWLINK, Nl.NLM_F_CREATE | Nl.NLM_F_EXCL);
        int flags = spec.up() ? Rt.IFF_UP : 0;
        ifinfo(w, 0, flags, spec.up() ? Rt.IFF_UP : 0);
        // iproute2 adds the generic options as it parses them, then IFLA_LINK and IFLA_IFNAME last,
        // so master and netns must precede both to be matchable by `ip link add`.
        if (spec.mtu() != null) w.attrU32(Rt.IFLA_MTU, spec.mtu());
        if (spec.mac() != null) w.attr(Rt.IFLA_ADDRESS, spec.mac().bytes());
        if (spec.masterIndex() != null) w.attrU32(Rt.IFLA_MASTER, spec.masterIndex());
        if (spec.netnsFd() != null) w.attrU32(Rt.IFLA_NET_NS_FD, spec.netnsFd());
        if (spec.parentIndex() != null) w.attrU32(Rt.IFLA_LINK, spec.parentIndex());
        w.attrString(Rt.IFLA_IFNAME, spec.name());
        int info = w.begin(Rt.IFLA_LINKINFO);
        w.attr(Rt.IFLA_INFO_KIND, spec.type().kind().getBytes(StandardCharsets.US_ASCII));
        spec.type().writeData(w);
        w.end(info);
        return w;
    }

    private static MessageWriter ifinfo(MessageWriter w, int index, int flags, int change) {
        return w.u8(0).u8(0).u16(0).u32(index).u32(flags).u32(change);
    }

    private static MessageWriter setMessage(int index, int flags, int change) {
        return ifinfo(new MessageWriter(Rt.RTM_NEWLINK, 0), index, flags, change);
    }

    /** {@code ip link set INDEX up}. */
    public static MessageWriter upMessage(int index) {
        return setMessage(index, Rt.IFF_UP, Rt.IFF_UP);
    }

    /** {@code ip link set INDEX down}. */
    public static MessageWriter downMessage(int index) {
        return setMessage(index, 0, Rt.IFF_UP);
    }

    /** {@code ip link set NAME down}, the link found by its name (index 0 and IFLA_IFNAME): no lookup first. */
    public static MessageWriter downMessage(String name) {
        return setMessage(0, 0, Rt.IFF_UP).attrString(Rt.IFLA_IFNAME, LinkNames.check(name));
    }

    /** {@code ip link set NAME down group GROUP}, the link found by its name. */
    public static MessageWriter downIntoGroupMessage(String name, int group) {
        return downMessage(name).attrU32(Rt.IFLA_GROUP, group);
    }

    /** {@code ip link delete group GROUP}: every link of the group in one request (one wait for RCU, not one each). */
    public static MessageWriter deleteGroupMessage(int group) {
        return ifinfo(new MessageWriter(Rt.RTM_DELLINK, 0), 0, 0, 0).attrU32(Rt.IFLA_GROUP, group);
    }

    /** {@code ip link set INDEX name NAME} (the link must be down). */
    public static MessageWriter renameMessage(int index, String name) {
        return setMessage(index, 0, 0).attrString(Rt.IFLA_IFNAME, LinkNames.check(name));
    }

    /** {@code bridge link set dev INDEX hairpin on|off}: a bridge port that may send frames back where they came from. */
    public static MessageWriter hairpinMessage(int index, boolean on) {
        MessageWriter w = new MessageWriter(Rt.RTM_SETLINK, 0);
        w.u8(Libc.AF_BRIDGE).u8(0).u16(0).u32(index).u32(0).u32(0);
        int prot = w.begin(Rt.IFLA_PROTINFO | Nl.NLA_F_NESTED);
        w.attrU8(Rt.IFLA_BRPORT_MODE, on ? 1 : 0);
        w.end(prot);
        return w;
    }

    /** {@code ip link set INDEX addrgenmode MODE}; {@link AddrGenMode#NONE}: no IPv6 link-local address when it comes up. */
    public static MessageWriter addrGenModeMessage(int index, AddrGenMode mode) {
        MessageWriter w = setMessage(index, 0, 0);
        int spec = w.begin(Rt.IFLA_AF_SPEC | Nl.NLA_F_NESTED);
        int inet6 = w.begin(Libc.AF_INET6 | Nl.NLA_F_NESTED);
        w.attrU8(Rt.IFLA_INET6_ADDR_GEN_MODE, mode.value);
        w.end(inet6);
        w.end(spec);
        return w;
    }

    /** {@code ip link set INDEX gso_max_size SIZE}: the largest super-packet the kernel builds for the link. */
    public static MessageWriter gsoMaxSizeMessage(int index, int size) {
        return setMessage(index, 0, 0).attrU32(Rt.IFLA_GSO_MAX_SIZE, size);
    }

    // ---- operations ----

    /**
     * Creates the link and returns it as the kernel reports it (null when it was created in another
     * namespace). The kernel echoes the new link, so no second request is needed.
     */
    public Link create(NewLink spec) {
        String op = "create link " + spec.name() + " (" + spec.type().kind() + ")";
        Link echoed;
        try {
            echoed =
                    socket.requestEcho(createMessage(spec), op, m -> m.type() == Rt.RTM_NEWLINK ? Link.parse(m) : null);
        } catch (NetlinkException.NotSupported e) {
            // The kernel answers EOPNOTSUPP ("Unknown device type") when it has no driver for the kind.
            if (e.extack() == null || e.extack().contains("Unknown device type"))
                throw new MissingKernelFeatureException(
                        spec.type().kind(), spec.type().kernelOption(), e);
            throw e;
        }
        if (spec.netnsFd() != null) return null; // it lives elsewhere now; look it up there
        if (echoed == null || !spec.name().equals(echoed.name())) return get(spec.name());
        // The kernel echoes the link before it enslaves it; the ack says the enslaving succeeded too.
        return spec.masterIndex() == null ? echoed : echoed.withMaster(spec.masterIndex());
    }

    /** The link with this name; throws {@link NetlinkException.NotFound} when there is none. */
    public Link get(String name) {
        MessageWriter w = ifinfo(new MessageWriter(Rt.RTM_GETLINK, 0), 0, 0, 0);
        w.attrString(Rt.IFLA_IFNAME, LinkNames.check(name));
        return socket.get(w, "get link " + name, Link::parse);
    }

    public Optional<Link> find(String name) {
        try {
            return Optional.of(get(name));
        } catch (NetlinkException.NotFound e) {
            return Optional.empty();
        }
    }

    public Link get(int index) {
        MessageWriter w = ifinfo(new MessageWriter(Rt.RTM_GETLINK, 0), index, 0, 0);
        return socket.get(w, "get link #" + index, Link::parse);
    }

    /** Every link in the namespace, with kind and peer index. */
    public List<Link> list() {
        MessageWriter w = ifinfo(new MessageWriter(Rt.RTM_GETLINK, 0), 0, 0, 0);
        return socket.dump(w, "list links", Link::parse);
    }

    public void setUp(int index) {
        socket.request(upMessage(index), "set link #" + index + " up");
    }

    public void setDown(int index) {
        socket.request(downMessage(index), "set link #" + index + " down");
    }

    /** Makes the link a port of {@code masterIndex} (a bridge); 0 detaches it. */
    public void setMaster(int index, int masterIndex) {
        MessageWriter w = setMessage(index, 0, 0).attrU32(Rt.IFLA_MASTER, masterIndex);
        socket.request(w, masterIndex == 0 ? "detach link #" + index : "attach link #" + index + " to #" + masterIndex);
    }

    public void setNoMaster(int index) {
        setMaster(index, 0);
    }

    /** Moves the link into the namespace {@code netnsFd} refers to (slow: prefer creating it there). */
    public void setNetns(int index, int netnsFd) {
        socket.request(
                setMessage(index, 0, 0).attrU32(Rt.IFLA_NET_NS_FD, netnsFd),
                "move link #" + index + " to another netns");
    }

    public void rename(int index, String name) {
        socket.request(renameMessage(index, name), "rename link #" + index + " to " + name);
    }

    public void setMtu(int index, int mtu) {
        socket.request(setMessage(index, 0, 0).attrU32(Rt.IFLA_MTU, mtu), "set mtu " + mtu + " on link #" + index);
    }

    public void setMac(int index, MacAddress mac) {
        socket.request(
                setMessage(index, 0, 0).attr(Rt.IFLA_ADDRESS, mac.bytes()),
                "set address " + mac + " on link #" + index);
    }

    /** Sets the link's alias (IFLA_IFALIAS); the kernel ignores an alias given at creation, so it is set after. */
    public void setAlias(int index, String alias) {
        socket.request(setMessage(index, 0, 0).attrString(Rt.IFLA_IFALIAS, alias), "set alias of link #" + index);
    }

    /** Turns hairpin mode on a bridge port on or off, so a container can reach itself through a published port. */
    public void setHairpin(int index, boolean on) {
        socket.request(hairpinMessage(index, on), "set hairpin " + (on ? "on" : "off") + " on link #" + index);
    }

    /** How the link makes its IPv6 link-local address; {@link AddrGenMode#NONE} turns it off. */
    public void setAddrGenMode(int index, AddrGenMode mode) {
        socket.request(addrGenModeMessage(index, mode), "set addrgenmode " + mode.word() + " on link #" + index);
    }

    /** Caps the super-packets (GSO) the kernel builds for the link at {@code size} bytes. */
    public void setGsoMaxSize(int index, int size) {
        socket.request(gsoMaxSizeMessage(index, size), "set gso_max_size " + size + " on link #" + index);
    }

    /** Deletes the link (for a veth, its peer goes too). */
    public void delete(int index) {
        socket.request(ifinfo(new MessageWriter(Rt.RTM_DELLINK, 0), index, 0, 0), "delete link #" + index);
    }

    /** Deletes every link of {@code group}; {@link NetlinkException.NotFound} when there is none. */
    public void deleteGroup(int group) {
        socket.request(deleteGroupMessage(group), "delete link group " + group);
    }

    public void delete(String name) {
        MessageWriter w =
                ifinfo(new MessageWriter(Rt.RTM_DELLINK, 0), 0, 0, 0).attrString(Rt.IFLA_IFNAME, LinkNames.check(name));
        socket.request(w, "delete link " + name);
    }
}
