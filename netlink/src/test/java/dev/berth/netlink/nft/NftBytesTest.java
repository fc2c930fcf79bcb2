package dev.berth.netlink.nft;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.model.MacAddress;
import dev.berth.netlink.Nl;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Berth's set-element messages equal, byte for byte after the netlink header, what nft sends for the same
 * command, read from {@code nft --debug=mnl} in a lab namespace. nft also names the set by its id
 * (NFTA_SET_ELEM_LIST_SET_ID, for sets made in the same batch); Berth's sets exist already, so that one
 * attribute is left out of the comparison.
 */
@ExtendWith(LabExtension.class)
class NftBytesTest {
    private static final int NFTA_SET_ELEM_LIST_SET_ID = 4;
    private static final Pattern DATA =
            Pattern.compile("^\\| ([0-9a-f]{2}) ([0-9a-f]{2}) ([0-9a-f]{2}) ([0-9a-f]{2})  \\|");
    private static final Pattern ATTR = Pattern.compile("^\\|(\\d{5})\\|([N-])([B-])\\|(\\d{5})\\|");
    private static final Pattern ANSI = Pattern.compile("\u001b\\[[0-9;]*m");

    @Test
    void elementMessagesAreNfts(Lab lab) throws Exception {
        LabHost h = lab.host("h");
        h.run(
                "nft",
                "add table bridge t; add set bridge t ports { type ifname; };"
                        + " add set bridge t macs { type ifname . ether_addr; };"
                        + " add set bridge t v4 { type ifname . ipv4_addr; };"
                        + " add set bridge t v6 { type ifname . ipv6_addr; }");
        SetKey port = SetKey.ifname("veth1a2b3c4");
        MacAddress mac = MacAddress.parse("02:42:ac:11:00:02");
        record Case(String set, String element, SetKey key) {}
        List<Case> cases = List.of(
                new Case("ports", "\"veth1a2b3c4\"", port),
                new Case("macs", "\"veth1a2b3c4\" . 02:42:ac:11:00:02", port.thenMac(mac)),
                new Case("v4", "\"veth1a2b3c4\" . 172.18.0.2", port.thenAddress(InetAddress.getByName("172.18.0.2"))),
                new Case("v6", "\"veth1a2b3c4\" . fd00:1::2", port.thenAddress(InetAddress.getByName("fd00:1::2"))));
        for (Case c : cases) {
            String element = "{ " + c.element() + " }";
            byte[] nftAdd = sent(h, Nft.NFT_MSG_NEWSETELEM, "add", "element", "bridge", "t", c.set(), element);
            byte[] berthAdd = body(new NftBatch().addElements(NftFamily.BRIDGE, "t", c.set(), List.of(c.key()), "x"));
            assertEquals(hex(withoutSetId(nftAdd)), hex(berthAdd), "add element bridge t " + c.set() + " " + element);
            byte[] nftDel = sent(h, Nft.NFT_MSG_DELSETELEM, "delete", "element", "bridge", "t", c.set(), element);
            byte[] berthDel =
                    body(new NftBatch().deleteElements(NftFamily.BRIDGE, "t", c.set(), List.of(c.key()), "x"));
            assertEquals(
                    hex(withoutSetId(nftDel)), hex(berthDel), "delete element bridge t " + c.set() + " " + element);
        }
    }

    /**
     * Map elements (a published port), interval elements (a subnet: start and end), an interval open to the top
     * of the address space, and a concatenated range (subnet . cluster network: key and key end).
     */
    @Test
    void mapIntervalAndRangeElementsAreNfts(Lab lab) throws Exception {
        LabHost h = lab.host("h");
        h.run(
                "nft",
                "add table inet t; add map inet t ports4 { type inet_proto . inet_service : ipv4_addr . inet_service; };"
                        + " add map inet t ports6_ip { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service; };"
                        + " add set inet t subnets4 { type ipv4_addr; flags interval; };"
                        + " add set inet t subnets6 { type ipv6_addr; flags interval; };"
                        + " add set inet t cluster4 { type ipv4_addr . ipv4_addr; flags interval; };"
                        // nft adds a range-end element at 0 to an empty interval set first: start from a set with one
                        // element
                        + " add element inet t subnets4 { 192.168.0.0/16 }; add element inet t subnets6 { fd00::/64 }");
        InetAddress v4 = InetAddress.getByName("10.88.0.2");
        InetAddress v6 = InetAddress.getByName("fd00:1::2");
        record Case(String set, String element, SetElement e) {}
        List<Case> cases = List.of(
                new Case(
                        "ports4",
                        "tcp . 8080 : 10.88.0.2 . 80",
                        SetElement.mapping(
                                SetKey.protocol(6).thenPort(8080),
                                SetKey.address(v4).thenPort(80))),
                new Case(
                        "ports6_ip",
                        "fd00::1 . udp . 53 : fd00:1::2 . 5353",
                        SetElement.mapping(
                                SetKey.address(InetAddress.getByName("fd00::1"))
                                        .thenProtocol(17)
                                        .thenPort(53),
                                SetKey.address(v6).thenPort(5353))),
                new Case(
                        "cluster4",
                        "10.100.0.0/24 . 10.96.0.0/12",
                        SetElement.range(
                                SetKey.address(InetAddress.getByName("10.100.0.0"))
                                        .thenAddress(InetAddress.getByName("10.96.0.0")),
                                SetKey.address(InetAddress.getByName("10.100.0.255"))
                                        .thenAddress(InetAddress.getByName("10.111.255.255")))));
        for (Case c : cases) {
            String element = "{ " + c.element() + " }";
            byte[] nftAdd = sent(h, Nft.NFT_MSG_NEWSETELEM, "create", "element", "inet", "t", c.set(), element);
            byte[] berthAdd = body(new NftBatch().create(NftFamily.INET, "t", c.set(), List.of(c.e()), "x"));
            assertEquals(hex(withoutSetId(nftAdd)), hex(berthAdd), "create element inet t " + c.set() + " " + element);
        }
        record Interval(String set, String element, List<SetElement> e) {}
        List<Interval> intervals = List.of(
                new Interval(
                        "subnets4",
                        "10.100.1.0/24",
                        List.of(
                                SetElement.start(SetKey.address(InetAddress.getByName("10.100.1.0"))),
                                SetElement.end(SetKey.address(InetAddress.getByName("10.100.2.0"))))),
                new Interval(
                        "subnets4",
                        "255.255.255.0/24",
                        List.of(SetElement.openStart(SetKey.address(InetAddress.getByName("255.255.255.0"))))),
                new Interval(
                        "subnets6",
                        "fd00:0:0:1::/64",
                        List.of(
                                SetElement.start(SetKey.address(InetAddress.getByName("fd00:0:0:1::"))),
                                SetElement.end(SetKey.address(InetAddress.getByName("fd00:0:0:2::"))))));
        for (Interval c : intervals) {
            String element = "{ " + c.element() + " }";
            byte[] nftAdd = sent(h, Nft.NFT_MSG_NEWSETELEM, "add", "element", "inet", "t", c.set(), element);
            byte[] berthAdd = body(new NftBatch().add(NftFamily.INET, "t", c.set(), c.e(), "x"));
            assertEquals(hex(withoutSetId(nftAdd)), hex(berthAdd), "add element inet t " + c.set() + " " + element);
        }
    }

    /** The payload (after the 16-byte netlink header) of Berth's one message. */
    private static byte[] body(NftBatch b) {
        byte[] m = b.requests().getFirst().message().toBytes(1, 0);
        return Arrays.copyOfRange(m, Nl.HEADER_SIZE, m.length);
    }

    /** Runs nft with --debug=mnl and rebuilds the payload of the message of type {@code msg} it printed. */
    private static byte[] sent(LabHost h, int msg, String... args) {
        String[] cmd = new String[args.length + 2];
        cmd[0] = "nft";
        cmd[1] = "--debug=mnl";
        System.arraycopy(args, 0, cmd, 2, args.length);
        ExecResult r = h.run(cmd);
        String out = ANSI.matcher(r.stdout() + r.stderr()).replaceAll("");
        String marker = String.format("| %05d |", Nft.type(msg));
        List<String> lines = out.lines().toList();
        int at = -1;
        for (int i = 0; i < lines.size() && at < 0; i++) if (lines.get(i).startsWith(marker)) at = i;
        assertTrue(at >= 0, "nft printed no message " + marker + ":\n" + out);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean started = false;
        for (int i = at + 1; i < lines.size(); i++) {
            String l = lines.get(i);
            Matcher d = DATA.matcher(l), a = ATTR.matcher(l);
            if (d.find()) {
                started = true;
                for (int g = 1; g <= 4; g++) body.write(Integer.parseInt(d.group(g), 16));
            } else if (a.find()) {
                int len = Integer.parseInt(a.group(1));
                int type = Integer.parseInt(a.group(4))
                        | (a.group(2).equals("N") ? Nl.NLA_F_NESTED : 0)
                        | (a.group(3).equals("B") ? 0x4000 : 0);
                body.write(len & 0xff);
                body.write(len >> 8);
                body.write(type & 0xff);
                body.write(type >> 8);
            } else if (started && l.startsWith("-")) {
                break;
            }
        }
        return body.toByteArray();
    }

    /** The payload without the top-level NFTA_SET_ELEM_LIST_SET_ID attribute (after the 4-byte nfgenmsg). */
    private static byte[] withoutSetId(byte[] p) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(p, 0, 4);
        int i = 4;
        while (i + 4 <= p.length) {
            int len = (p[i] & 0xff) | (p[i + 1] & 0xff) << 8;
            int type = ((p[i + 2] & 0xff) | (p[i + 3] & 0xff) << 8) & Nl.NLA_TYPE_MASK;
            int next = i + Nl.align(len);
            if (len < 4 || next > p.length) fail("nft's message does not parse at " + i + ": " + hex(p));
            if (type != NFTA_SET_ELEM_LIST_SET_ID) out.write(p, i, next - i);
            i = next;
        }
        return out.toByteArray();
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
