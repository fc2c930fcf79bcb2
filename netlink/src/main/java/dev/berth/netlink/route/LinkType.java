package dev.berth.netlink.route;

import dev.berth.model.net.MacAddress;
import dev.berth.netlink.MessageWriter;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The kind of a link Berth creates, with the settings that go into IFLA_INFO_DATA. Attribute order
 * follows iproute2's, so Berth's requests can be compared byte for byte with what {@code ip} sends.
 */
public sealed interface LinkType {
    /** The kernel's name for the kind (IFLA_INFO_KIND). */
    String kind();

    /** The kernel option that provides this kind, named when the kernel lacks it. */
    String kernelOption();

    /** Writes IFLA_INFO_DATA, if this kind has settings. */
    void writeData(MessageWriter w);

    /**
     * A veth pair; the peer is created with it, directly in the peer's namespace when {@code netnsFd}
     * is given (moving a veth afterwards costs tens of milliseconds; creating it in place does not).
     */
    record Veth(String peerName, Integer peerNetnsFd, Integer peerMtu, MacAddress peerMac) implements LinkType {
        public Veth(String peerName) {
            this(peerName, null, null, null);
        }

        public Veth inNetns(int fd) {
            return new Veth(peerName, fd, peerMtu, peerMac);
        }

        @Override
        public String kind() {
            return "veth";
        }

        @Override
        public String kernelOption() {
            return "CONFIG_VETH";
        }

        @Override
        public void writeData(MessageWriter w) {
            int data = w.begin(Rt.IFLA_INFO_DATA);
            int peer = w.begin(Rt.VETH_INFO_PEER);
            w.u8(0).u8(0).u16(0).u32(0).u32(0).u32(0); // the peer's ifinfomsg
            if (peerNetnsFd != null) w.attrU32(Rt.IFLA_NET_NS_FD, peerNetnsFd);
            if (peerMtu != null) w.attrU32(Rt.IFLA_MTU, peerMtu);
            if (peerMac != null) w.attr(Rt.IFLA_ADDRESS, peerMac.bytes());
            w.attrString(Rt.IFLA_IFNAME, peerName);
            w.end(peer);
            w.end(data);
        }
    }

    /** A Linux bridge; Berth's bridges run without STP. {@code ageingCentis} is in 1/100 s, as the kernel counts. */
    record Bridge(boolean stp, Integer ageingCentis) implements LinkType {
        /**
         * The ports a bridge takes: it numbers them in a bitmap of BR_MAX_PORTS (1024) bits whose bit 0 is
         * reserved, and refuses the next with EXFULL ({@code net/bridge/br_if.c}, {@code find_portno}).
         */
        public static final int MAX_PORTS = 1023;

        public Bridge() {
            this(false, null);
        }

        @Override
        public String kind() {
            return "bridge";
        }

        @Override
        public String kernelOption() {
            return "CONFIG_BRIDGE";
        }

        @Override
        public void writeData(MessageWriter w) {
            int data = w.begin(Rt.IFLA_INFO_DATA);
            w.attrU32(Rt.IFLA_BR_STP_STATE, stp ? 1 : 0);
            if (ageingCentis != null) w.attrU32(Rt.IFLA_BR_AGEING_TIME, ageingCentis);
            w.end(data);
        }
    }

    /** A VXLAN tunnel endpoint: VNI, UDP port, local underlay address and device; learning off for flannel-style static FDB. */
    record Vxlan(int vni, int port, InetAddress local, Integer underlayIndex, boolean learning) implements LinkType {
        public Vxlan {
            if (vni < 0 || vni > 0xffffff)
                throw new IllegalArgumentException("VXLAN VNI " + vni + " is outside 0..16777215");
            if (port <= 0 || port > 65535)
                throw new IllegalArgumentException("VXLAN port " + port + " is outside 1..65535");
        }

        @Override
        public String kind() {
            return "vxlan";
        }

        @Override
        public String kernelOption() {
            return "CONFIG_VXLAN";
        }

        @Override
        public void writeData(MessageWriter w) {
            int data = w.begin(Rt.IFLA_INFO_DATA);
            if (underlayIndex != null) w.attrU32(Rt.IFLA_VXLAN_LINK, underlayIndex);
            w.attrU32(Rt.IFLA_VXLAN_ID, vni);
            if (local != null)
                w.attrAddress(local instanceof Inet4Address ? Rt.IFLA_VXLAN_LOCAL : Rt.IFLA_VXLAN_LOCAL6, local);
            w.attrU8(Rt.IFLA_VXLAN_LEARNING, learning ? 1 : 0);
            w.attrBe16(Rt.IFLA_VXLAN_PORT, port);
            w.end(data);
        }
    }

    /** macvlan modes with the kernel's values. */
    enum MacvlanMode {
        PRIVATE(1),
        VEPA(2),
        BRIDGE(4),
        PASSTHRU(8);
        final int value;

        MacvlanMode(int value) {
            this.value = value;
        }
    }

    /** A macvlan on the parent given by {@link NewLink#parentIndex()}. */
    record Macvlan(MacvlanMode mode) implements LinkType {
        @Override
        public String kind() {
            return "macvlan";
        }

        @Override
        public String kernelOption() {
            return "CONFIG_MACVLAN";
        }

        @Override
        public void writeData(MessageWriter w) {
            int data = w.begin(Rt.IFLA_INFO_DATA);
            w.attrU32(Rt.IFLA_MACVLAN_MODE, mode.value);
            w.end(data);
        }
    }

    enum IpvlanMode {
        L2,
        L3,
        L3S
    }

    /** ipvlan port flags: bridge (0), private (1), vepa (2). */
    enum IpvlanFlag {
        BRIDGE,
        PRIVATE,
        VEPA
    }

    /** An ipvlan on the parent given by {@link NewLink#parentIndex()}. */
    record Ipvlan(IpvlanMode mode, IpvlanFlag flag) implements LinkType {
        @Override
        public String kind() {
            return "ipvlan";
        }

        @Override
        public String kernelOption() {
            return "CONFIG_IPVLAN";
        }

        @Override
        public void writeData(MessageWriter w) {
            int data = w.begin(Rt.IFLA_INFO_DATA);
            w.attrU16(Rt.IFLA_IPVLAN_MODE, mode.ordinal());
            w.attrU16(Rt.IFLA_IPVLAN_FLAGS, flag.ordinal());
            w.end(data);
        }
    }

    /** An 802.1q sub-interface with VLAN id 1..4094 on the parent given by {@link NewLink#parentIndex()}. */
    record Vlan(int id) implements LinkType {
        public Vlan {
            if (id < 1 || id > 4094) throw new IllegalArgumentException("VLAN id " + id + " is outside 1..4094");
        }

        @Override
        public String kind() {
            return "vlan";
        }

        @Override
        public String kernelOption() {
            return "CONFIG_VLAN_8021Q";
        }

        @Override
        public void writeData(MessageWriter w) {
            int data = w.begin(Rt.IFLA_INFO_DATA);
            w.attrU16(Rt.IFLA_VLAN_ID, id);
            w.end(data);
        }
    }

    /** A dummy link (a parent for networks that have no NIC). */
    record Dummy() implements LinkType {
        @Override
        public String kind() {
            return "dummy";
        }

        @Override
        public String kernelOption() {
            return "CONFIG_DUMMY";
        }

        @Override
        public void writeData(MessageWriter w) {}
    }
}
