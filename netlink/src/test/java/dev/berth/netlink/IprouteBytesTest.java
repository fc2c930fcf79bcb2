package dev.berth.netlink;

import static dev.berth.netlink.StraceCapture.assertSameBytes;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.model.net.MacAddress;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.LinkType;
import dev.berth.netlink.route.LinkType.IpvlanFlag;
import dev.berth.netlink.route.LinkType.IpvlanMode;
import dev.berth.netlink.route.LinkType.MacvlanMode;
import dev.berth.netlink.route.Links;
import dev.berth.netlink.route.NewLink;
import dev.berth.netlink.route.Rtnl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Berth's RTM_NEWLINK requests must equal, byte for byte, what iproute2 sends for the same command,
 * captured live with strace inside a lab namespace. This is how link types the test kernel lacks
 * (ipvlan, vlan, dummy) are checked: the request is right even where the kernel cannot carry it out.
 *
 * <p>iproute2 puts the generic attributes it parses (mtu, address, master, netns, ...) in command-line
 * order, then IFLA_LINK and IFLA_IFNAME, then IFLA_LINKINFO; bridge options also follow the command
 * line. Berth has one fixed order, so each command below lists its options in Berth's order.
 */
@ExtendWith(LabExtension.class)
class IprouteBytesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A lab host with a veth pair p0/p1 to serve as the lower device. */
    private static LabHost hostWithParent(Lab lab) {
        LabHost h = lab.host("h");
        h.ip("link", "add", "p0", "type", "veth", "peer", "name", "p1");
        return h;
    }

    private static int ifindex(LabHost h, String dev) {
        return linkJson(h, dev, false).path("ifindex").asInt();
    }

    private static JsonNode linkJson(LabHost h, String dev, boolean details) {
        List<String> args = new ArrayList<>(List.of("-j"));
        if (details) args.add("-d");
        args.addAll(List.of("link", "show", "dev", dev));
        try {
            JsonNode arr = JSON.readTree(h.ip(args.toArray(String[]::new)).stdout());
            assertEquals(1, arr.size(), "ip -j link show dev " + dev + ": " + arr);
            return arr.get(0);
        } catch (IOException e) {
            throw new AssertionError("ip -j link show did not print JSON", e);
        }
    }

    /**
     * Captures {@code ip ipArgs...} in {@code h}, then removes the link if ip managed to create it (so a
     * kernel that has the kind leaves nothing behind), and compares the request with Berth's.
     */
    private static void assertSameAsIp(LabHost h, NewLink spec, String... ipArgs) {
        assertSameAsIp(h, spec, false, ipArgs);
    }

    private static void assertSameAsIp(LabHost h, NewLink spec, boolean maskNetnsFds, String... ipArgs) {
        StraceCapture.Capture c = StraceCapture.ip(h, ipArgs);
        if (c.ip().ok()) h.exec("ip", "link", "del", "dev", spec.name());
        byte[] iproute2 = c.newLink();
        byte[] berth = StraceCapture.asSent(Links.createMessage(spec));
        if (maskNetnsFds) {
            iproute2 = StraceCapture.maskNetnsFds(iproute2);
            berth = StraceCapture.maskNetnsFds(berth);
        }
        assertSameBytes(iproute2, berth, "ip " + String.join(" ", ipArgs));
    }

    // ---- ipvlan ----

    static Stream<Arguments> ipvlanModesAndFlags() {
        List<Arguments> all = new ArrayList<>();
        for (IpvlanMode m : IpvlanMode.values()) for (IpvlanFlag f : IpvlanFlag.values()) all.add(Arguments.of(m, f));
        return all.stream();
    }

    @ParameterizedTest(name = "ipvlan mode {0} {1}")
    @MethodSource("ipvlanModesAndFlags")
    void ipvlan(IpvlanMode mode, IpvlanFlag flag, Lab lab) {
        LabHost h = hostWithParent(lab);
        NewLink spec = NewLink.of("ipv0", new LinkType.Ipvlan(mode, flag)).withParent(ifindex(h, "p0"));
        assertSameAsIp(
                h,
                spec,
                "link",
                "add",
                "link",
                "p0",
                "name",
                "ipv0",
                "type",
                "ipvlan",
                "mode",
                lower(mode),
                lower(flag));
    }

    /** Without a flag word iproute2 still sends IPVLAN_FLAGS, as 0 (bridge). */
    @Test
    void ipvlanDefaultFlagIsBridge(Lab lab) {
        LabHost h = hostWithParent(lab);
        NewLink spec = NewLink.of("ipv0", new LinkType.Ipvlan(IpvlanMode.L3, IpvlanFlag.BRIDGE))
                .withParent(ifindex(h, "p0"));
        assertSameAsIp(h, spec, "link", "add", "link", "p0", "name", "ipv0", "type", "ipvlan", "mode", "l3");
    }

    // ---- vlan ----

    @ParameterizedTest(name = "vlan id {0}")
    @ValueSource(ints = {1, 20, 4094})
    void vlan(int id, Lab lab) {
        LabHost h = hostWithParent(lab);
        String name = "p0." + id;
        NewLink spec = NewLink.of(name, new LinkType.Vlan(id)).withParent(ifindex(h, "p0"));
        assertSameAsIp(h, spec, "link", "add", "link", "p0", "name", name, "type", "vlan", "id", Integer.toString(id));
    }

    // ---- dummy ----

    @Test
    void dummy(Lab lab) {
        LabHost h = lab.host("h");
        assertSameAsIp(h, NewLink.of("dummy7", new LinkType.Dummy()), "link", "add", "dummy7", "type", "dummy");
    }

    // ---- macvlan ----

    @ParameterizedTest(name = "macvlan mode {0}")
    @EnumSource(MacvlanMode.class)
    void macvlan(MacvlanMode mode, Lab lab) {
        LabHost h = hostWithParent(lab);
        NewLink spec = NewLink.of("mv0", new LinkType.Macvlan(mode)).withParent(ifindex(h, "p0"));
        assertSameAsIp(h, spec, "link", "add", "link", "p0", "name", "mv0", "type", "macvlan", "mode", lower(mode));
    }

    /** Generic options ahead of IFLA_LINK/IFLA_IFNAME, in the order given (iproute2) or mtu-then-address (Berth). */
    @Test
    void macvlanWithMtuAndAddress(Lab lab) {
        LabHost h = hostWithParent(lab);
        NewLink spec = NewLink.of("mv1", new LinkType.Macvlan(MacvlanMode.BRIDGE))
                .withMtu(1400)
                .withMac(MacAddress.parse("02:00:00:00:00:01"))
                .withParent(ifindex(h, "p0"));
        assertSameAsIp(
                h,
                spec,
                "link",
                "add",
                "name",
                "mv1",
                "mtu",
                "1400",
                "address",
                "02:00:00:00:00:01",
                "link",
                "p0",
                "type",
                "macvlan",
                "mode",
                "bridge");
    }

    /** Created straight into another namespace and up; IFLA_NET_NS_FD is ip's own fd number, so it is masked. */
    @Test
    void macvlanUpInAnotherNetns(Lab lab) {
        LabHost h = hostWithParent(lab);
        LabHost other = lab.host("o");
        NewLink spec = NewLink.of("mv2", new LinkType.Macvlan(MacvlanMode.BRIDGE))
                .withMtu(1400)
                .withParent(ifindex(h, "p0"))
                .inNetns(99)
                .withUp();
        assertSameAsIp(
                h,
                spec,
                true,
                "link",
                "add",
                "name",
                "mv2",
                "mtu",
                "1400",
                "netns",
                other.name(),
                "link",
                "p0",
                "up",
                "type",
                "macvlan",
                "mode",
                "bridge");
    }

    // ---- vxlan, bridge ----

    @Test
    void vxlan(Lab lab) throws Exception {
        LabHost h = hostWithParent(lab);
        NewLink spec = NewLink.of(
                "vx0", new LinkType.Vxlan(42, 8472, InetAddress.getByName("10.0.0.1"), ifindex(h, "p0"), false));
        assertSameAsIp(
                h,
                spec,
                "link",
                "add",
                "vx0",
                "type",
                "vxlan",
                "id",
                "42",
                "dstport",
                "8472",
                "local",
                "10.0.0.1",
                "dev",
                "p0",
                "nolearning");
    }

    /** Without an underlay device or local address, with learning on, and with an IPv6 local address. */
    @ParameterizedTest(name = "vxlan {0}")
    @ValueSource(
            strings = {
                "id 42 dstport 4789 learning",
                "id 7 dstport 4789 local fd00::1 dev p0 learning",
                "id 16777215 dstport 8472 dev p0 nolearning"
            })
    void vxlanVariants(String options, Lab lab) throws Exception {
        LabHost h = hostWithParent(lab);
        List<String> o = List.of(options.split(" "));
        InetAddress local = o.contains("local") ? InetAddress.getByName(o.get(o.indexOf("local") + 1)) : null;
        Integer dev = o.contains("dev") ? ifindex(h, "p0") : null;
        NewLink spec = NewLink.of(
                "vx1",
                new LinkType.Vxlan(
                        Integer.parseInt(o.get(1)), Integer.parseInt(o.get(3)), local, dev, o.contains("learning")));
        List<String> args = new ArrayList<>(List.of("link", "add", "vx1", "type", "vxlan"));
        args.addAll(o);
        assertSameAsIp(h, spec, args.toArray(String[]::new));
    }

    @Test
    void bridge(Lab lab) {
        LabHost h = lab.host("h");
        assertSameAsIp(
                h,
                NewLink.of("br0", new LinkType.Bridge(false, 30000)),
                "link",
                "add",
                "br0",
                "type",
                "bridge",
                "stp_state",
                "0",
                "ageing_time",
                "30000");
    }

    @Test
    void bridgeWithoutAgeing(Lab lab) {
        LabHost h = lab.host("h");
        assertSameAsIp(
                h, NewLink.of("br1", new LinkType.Bridge()), "link", "add", "br1", "type", "bridge", "stp_state", "0");
    }

    // ---- veth ----

    @Test
    void veth(Lab lab) {
        LabHost h = lab.host("h");
        assertSameAsIp(
                h,
                NewLink.of("vethA", new LinkType.Veth("eth0")),
                "link",
                "add",
                "vethA",
                "type",
                "veth",
                "peer",
                "name",
                "eth0");
    }

    /** The peer is created in another namespace; IFLA_NET_NS_FD inside VETH_INFO_PEER is ip's fd, so masked. */
    @Test
    void vethPeerInAnotherNetns(Lab lab) {
        LabHost h = lab.host("h");
        LabHost other = lab.host("o");
        NewLink spec = NewLink.of("vethB", new LinkType.Veth("eth0", 99, 1300, MacAddress.parse("02:00:00:00:00:02")));
        assertSameAsIp(
                h,
                spec,
                true,
                "link",
                "add",
                "vethB",
                "type",
                "veth",
                "peer",
                "name",
                "eth0",
                "netns",
                other.name(),
                "mtu",
                "1300",
                "address",
                "02:00:00:00:00:02");
    }

    /** mtu, address and master together, and up: IFLA_MASTER comes before IFLA_IFNAME as iproute2 sends it. */
    @Test
    void vethWithMasterMtuAddressUp(Lab lab) {
        LabHost h = lab.host("h");
        h.ip("link", "add", "br0", "type", "bridge");
        NewLink spec = NewLink.of("vethC", new LinkType.Veth("vethD"))
                .withMtu(1400)
                .withMac(MacAddress.parse("02:00:00:00:00:03"))
                .withMaster(ifindex(h, "br0"))
                .withUp();
        assertSameAsIp(
                h,
                spec,
                "link",
                "add",
                "name",
                "vethC",
                "mtu",
                "1400",
                "address",
                "02:00:00:00:00:03",
                "master",
                "br0",
                "up",
                "type",
                "veth",
                "peer",
                "name",
                "vethD");
    }

    // ---- link types this kernel may lack ----

    @Test
    void ipvlanMissingOrWorking(Lab lab) {
        LabHost h = hostWithParent(lab);
        NewLink spec = NewLink.of("ipv0", new LinkType.Ipvlan(IpvlanMode.L3, IpvlanFlag.PRIVATE))
                .withParent(ifindex(h, "p0"));
        boolean present =
                kernelHas(h, "CONFIG_IPVLAN", "link", "add", "link", "p0", "name", "probe0", "type", "ipvlan");
        JsonNode link = createOrExpectMissing(h, spec, present);
        if (link == null) return;
        JsonNode info = link.path("linkinfo");
        assertEquals("ipvlan", info.path("info_kind").asText(), link.toString());
        assertEquals("l3", info.path("info_data").path("mode").asText(), link.toString());
        assertTrue(info.path("info_data").path("private").asBoolean(), link.toString());
    }

    @Test
    void vlanMissingOrWorking(Lab lab) {
        LabHost h = hostWithParent(lab);
        NewLink spec = NewLink.of("p0.20", new LinkType.Vlan(20)).withParent(ifindex(h, "p0"));
        boolean present = kernelHas(
                h, "CONFIG_VLAN_8021Q", "link", "add", "link", "p0", "name", "probe0", "type", "vlan", "id", "21");
        JsonNode link = createOrExpectMissing(h, spec, present);
        if (link == null) return;
        JsonNode info = link.path("linkinfo");
        assertEquals("vlan", info.path("info_kind").asText(), link.toString());
        assertEquals(20, info.path("info_data").path("id").asInt(), link.toString());
        assertEquals("802.1Q", info.path("info_data").path("protocol").asText(), link.toString());
    }

    @Test
    void dummyMissingOrWorking(Lab lab) {
        LabHost h = lab.host("h");
        NewLink spec = NewLink.of("dummy7", new LinkType.Dummy());
        boolean present = kernelHas(h, "CONFIG_DUMMY", "link", "add", "probe0", "type", "dummy");
        JsonNode link = createOrExpectMissing(h, spec, present);
        if (link == null) return;
        assertEquals("dummy", link.path("linkinfo").path("info_kind").asText(), link.toString());
    }

    /**
     * Where the kernel lacks the kind, Berth must say which option is missing; where it has it, Berth
     * must create the link, and {@code ip -d} must see it (returned for the caller's checks).
     */
    private static JsonNode createOrExpectMissing(LabHost h, NewLink spec, boolean present) {
        String option = spec.type().kernelOption();
        try (NetnsHandle ns = Netns.open(h.name());
                Rtnl rt = Netns.rtnl(ns)) {
            if (!present) {
                MissingKernelFeatureException e = assertThrows(
                        MissingKernelFeatureException.class, () -> rt.links().create(spec));
                assertEquals(option, e.kernelOption());
                assertEquals(spec.type().kind(), e.kind());
                assertTrue(e.getMessage().contains(option), e.getMessage());
                assertTrue(rt.links().find(spec.name()).isEmpty(), "nothing should have been created");
                return null;
            }
            var created = rt.links().create(spec);
            assertEquals(spec.name(), created.name());
            assertEquals(spec.type().kind(), created.kind());
        }
        return linkJson(h, spec.name(), true);
    }

    /**
     * Whether the running kernel provides a link type: from its config when that says y or "not set";
     * for a module (=m) or no config, by trying {@code ip probeArgs...} in the lab (which also loads the module).
     */
    private static boolean kernelHas(LabHost h, String option, String... probeArgs) {
        String config = kernelConfig();
        if (config != null) {
            for (String line : config.lines().toList()) {
                if (line.equals(option + "=y")) return true;
                if (line.equals("# " + option + " is not set")) return false;
            }
        }
        boolean ok = h.exec(concat("ip", probeArgs)).ok();
        if (ok) h.exec("ip", "link", "del", "dev", "probe0");
        return ok;
    }

    private static String kernelConfig() {
        try {
            Path proc = Path.of("/proc/config.gz");
            if (Files.isReadable(proc)) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(proc))) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    in.transferTo(out);
                    return out.toString(StandardCharsets.UTF_8);
                }
            }
            Path boot = Path.of("/boot/config-" + System.getProperty("os.version"));
            return Files.isReadable(boot) ? Files.readString(boot) : null;
        } catch (IOException e) {
            return null;
        }
    }

    // ---- the capture itself ----

    /** Guards the oracle: the parser must find ip's request even though ip sends a lookup first on another fd. */
    @Test
    void captureFindsOnlyTheNewLinkRequest(Lab lab) {
        LabHost h = hostWithParent(lab);
        StraceCapture.Capture c =
                StraceCapture.ip(h, "link", "add", "link", "p0", "name", "mv0", "type", "macvlan", "mode", "vepa");
        assertTrue(c.ip().ok(), c.ip().stderr());
        assertTrue(c.sent().stream().anyMatch(s -> s.decoded().contains("RTM_GETLINK")), c.straceLog());
        byte[] b = c.newLink();
        assertEquals(StraceCapture.RTM_NEWLINK, StraceCapture.type(b));
        assertEquals(b.length, ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt(0), "nlmsg_len");
        for (StraceCapture.Sent s : c.sent())
            assertTrue(
                    s.decoded().contains("nlmsg_len=" + s.data().length + ","),
                    "dump length matches the decoded nlmsg_len: " + s.decoded());
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static String[] concat(String first, String... rest) {
        String[] out = new String[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }
}
