package dev.berth.dns;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.model.Endpoint;
import dev.berth.model.NetnsMode;
import dev.berth.model.Sandbox;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The name table and the wire helpers, from model records alone (no kernel). */
class NameTableTest {
    private static final String ID_A = "a".repeat(64), ID_B = "b".repeat(64), ID_C = "c".repeat(64);

    static DnsNetwork net(String id, String name, boolean predefined) {
        return new DnsNetwork(id, name, predefined);
    }

    static Sandbox box(String id, String name, String hostname) {
        return new Sandbox(id, name, hostname, new NetnsMode.Own("/run/netns/x"), List.of(), List.of());
    }

    static Endpoint ep(String net, String box, String ip, String... aliases) throws Exception {
        return new Endpoint(net + box, net, box, "eth0", null, null, InetAddress.getByName(ip), null, List.of(aliases));
    }

    @Test
    void scopesFollowNetworksAndSkipPredefinedOnes() throws Exception {
        DnsNetwork red = net("1".repeat(64), "red", false), bridge = net("2".repeat(64), "bridge", true);
        NameTable t = NameTable.of(
                List.of(red, bridge),
                List.of(box(ID_A, "a", "ha"), box(ID_B, "b", null), box(ID_C, "c", null)),
                List.of(
                        ep(red.id(), ID_A, "10.0.0.2", "web"),
                        ep(red.id(), ID_B, "10.0.0.3", "web"),
                        ep(bridge.id(), ID_C, "172.17.0.2")));
        Scope a = t.scopeOf(ID_A);
        assertEquals(
                a.lookup(Name.fromString("web.")),
                t.scopeOf(ID_B).lookup(Name.fromString("web.")),
                "same networks, same names");
        assertEquals(
                List.of(InetAddress.getByName("10.0.0.2")),
                a.lookup(Name.fromString("A.")).v4(),
                "case-insensitive");
        assertNotNull(a.lookup(Name.fromString("ha.")));
        assertNotNull(a.lookup(Name.fromString("aaaaaaaaaaaa.")), "short id");
        assertNotNull(a.lookup(Name.fromString("a.red.")));
        assertEquals(2, a.lookup(Name.fromString("web.")).v4().size(), "shared alias");
        assertNull(a.lookup(Name.fromString("c.")), "c is only on the default bridge");
        assertTrue(t.scopeOf(ID_C).isEmpty(), "the default bridge gives no scope");
        assertEquals(Name.fromString("b.red."), a.pointer(ReverseMap.fromAddress("10.0.0.3")));
        assertTrue(t.scopeOf("unknown").isEmpty());
    }

    @Test
    void connectsAndDisconnectsChangeOnlyTheirOwnNames() throws Exception {
        DnsNetwork red = net("1".repeat(64), "red", false), blue = net("3".repeat(64), "blue", false);
        NameTable t = NameTable.of(
                List.of(red, blue),
                List.of(box(ID_A, "a", null), box(ID_B, "b", null)),
                List.of(ep(red.id(), ID_A, "10.0.0.2", "web")));
        Scope a = t.scopeOf(ID_A), b = t.scopeOf(ID_B);
        assertTrue(b.isEmpty());
        t.connected(red, box(ID_B, "b", null), ep(red.id(), ID_B, "10.0.0.3", "web"));
        assertEquals(2, a.lookup(Name.fromString("web.")).v4().size(), "the scope is live: b's alias shows at once");
        assertNotNull(b.lookup(Name.fromString("a.")));
        t.connected(blue, box(ID_B, "b", null), ep(blue.id(), ID_B, "10.1.0.3"));
        assertNull(a.lookup(Name.fromString("b.blue.")), "a is not on blue");
        t.disconnected(red.id(), ID_B);
        assertEquals(
                List.of(InetAddress.getByName("10.0.0.2")),
                a.lookup(Name.fromString("web.")).v4());
        assertNull(a.lookup(Name.fromString("b.")));
        assertNull(a.pointer(ReverseMap.fromAddress("10.0.0.3")), "the reverse name goes too");
        assertNotNull(b.lookup(Name.fromString("b.blue.")), "b keeps its other network");
        t.disconnected(blue.id(), ID_B);
        assertTrue(b.isEmpty());
    }

    @Test
    void localAnswersRotateAndRespectTheClientsSize() throws Exception {
        DnsNetwork red = net("1".repeat(64), "red", false);
        NameTable t = NameTable.of(
                List.of(red),
                List.of(box(ID_A, "a", null), box(ID_B, "b", null)),
                List.of(ep(red.id(), ID_A, "10.0.0.2", "pool"), ep(red.id(), ID_B, "10.0.0.3", "pool")));
        LocalAnswers la = new LocalAnswers(60);
        Message q = Message.newQuery(Record.newRecord(Name.fromString("pool."), Type.A, DClass.IN));
        Message r1 = new Message(la.answer(t.scopeOf(ID_A), q, 512));
        Message r2 = new Message(la.answer(t.scopeOf(ID_A), q, 512));
        assertEquals(q.getHeader().getID(), r1.getHeader().getID());
        assertNotEquals(
                r1.getSection(Section.ANSWER).getFirst(),
                r2.getSection(Section.ANSWER).getFirst(),
                "round-robin");
        assertNull(
                la.answer(
                        t.scopeOf(ID_A),
                        Message.newQuery(Record.newRecord(Name.fromString("www.example."), Type.A, DClass.IN)),
                        512),
                "not local: forward");
    }

    @Test
    void wireHelpersFindTheQuestion() throws Exception {
        byte[] q = Message.newQuery(Record.newRecord(Name.fromString("www.example."), Type.A, DClass.IN))
                .toWire();
        assertEquals(q.length, Wire.questionEnd(q, q.length));
        byte[] upper = q.clone();
        for (int i = 12; i < upper.length - 4; i++) if (upper[i] >= 'a' && upper[i] <= 'z') upper[i] -= 32;
        assertTrue(Wire.sameQuestion(q, q.length, upper, upper.length), "0x20 case differences are the same question");
        upper[13] = 'X';
        assertFalse(Wire.sameQuestion(q, q.length, upper, upper.length));
        assertEquals(-1, Wire.questionEnd(q, q.length - 1));
    }

    @Test
    void resolvConfIsReadAndWrittenAsDockerDoes() {
        String host =
                "# host\nsearch corp.example\nnameserver 10.255.255.53\nnameserver fd00::53\nnameserver bogus\noptions ndots:2 edns0\n";
        assertEquals(
                List.of(new InetSocketAddress("10.255.255.53", 53), new InetSocketAddress("fd00::53", 53)),
                ResolvConf.nameservers(host));
        String mine = ResolvConf.forSandbox(host, DnsConfig.DEFAULT_LISTEN);
        assertTrue(mine.contains("search corp.example\n"), mine);
        assertTrue(mine.contains("nameserver 127.0.0.11\n"), mine);
        assertTrue(mine.contains("options edns0 ndots:0\n"), mine);
        assertFalse(mine.contains("10.255.255.53"));
    }
}
