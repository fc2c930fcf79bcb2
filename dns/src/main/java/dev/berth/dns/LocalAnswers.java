package dev.berth.dns;

import dev.berth.dns.NameTable.Addresses;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Answers a query from a sandbox's {@link Scope} when it asks about a local name, builds error
 * replies, and says when a query must go upstream. Thread-safe and stateless but for the
 * round-robin counter.
 */
final class LocalAnswers {
    /** The largest UDP answer Berth sends itself (the 2020 DNS flag day's safe EDNS size). */
    static final int EDNS_PAYLOAD = 1232;

    private final long ttl;
    private final AtomicInteger turn = new AtomicInteger();

    LocalAnswers(long ttl) {
        this.ttl = ttl;
    }

    /** The encoded answer, or null when the name is not local and the query goes upstream. */
    byte[] answer(Scope scope, Message q, int maxSize) {
        if (scope.isEmpty()) return null;
        Record question = q.getQuestion();
        if (question.getDClass() != DClass.IN) return null;
        Name name = question.getName();
        int type = question.getType();
        if (type == Type.PTR) {
            Name target = scope.pointer(name);
            if (target == null) return null;
            Message r = reply(q, Rcode.NOERROR, true);
            r.addRecord(new PTRRecord(name, DClass.IN, ttl, target), Section.ANSWER);
            return r.toWire(maxSize);
        }
        Addresses a = scope.lookup(name);
        if (a == null) return null;
        // A local name: answer with what it has; other types get an empty NOERROR (never leaked upstream).
        Message r = reply(q, Rcode.NOERROR, true);
        if (type == Type.A || type == Type.ANY) addRotated(r, name, a.v4());
        if (type == Type.AAAA || type == Type.ANY) addRotated(r, name, a.v6());
        return r.toWire(maxSize);
    }

    /** Several sandboxes with one alias: each answer starts one further along, as Docker's round-robin. */
    private void addRotated(Message r, Name name, List<InetAddress> addresses) {
        int n = addresses.size();
        int start = n > 1 ? Math.floorMod(turn.getAndIncrement(), n) : 0;
        for (int i = 0; i < n; i++) {
            InetAddress x = addresses.get((start + i) % n);
            Record rec = x instanceof Inet4Address
                    ? new ARecord(name, DClass.IN, ttl, x)
                    : new AAAARecord(name, DClass.IN, ttl, (Inet6Address) x);
            r.addRecord(rec, Section.ANSWER);
        }
    }

    /** A reply carrying the query's question and id, with the given rcode; EDNS when the query had it. */
    static Message reply(Message q, int rcode, boolean authoritative) {
        Header qh = q.getHeader();
        Message r = new Message(qh.getID());
        Header h = r.getHeader();
        h.setFlag(Flags.QR);
        h.setFlag(Flags.RA);
        if (qh.getFlag(Flags.RD)) h.setFlag(Flags.RD);
        if (authoritative) h.setFlag(Flags.AA);
        h.setOpcode(qh.getOpcode());
        h.setRcode(rcode);
        Record question = q.getQuestion();
        if (question != null) r.addRecord(question, Section.QUESTION);
        if (q.getOPT() != null) r.addRecord(new OPTRecord(EDNS_PAYLOAD, 0, 0), Section.ADDITIONAL);
        return r;
    }

    static byte[] error(Message q, int rcode) {
        return reply(q, rcode, false).toWire(512);
    }

    /** The largest answer the client takes over UDP: 512, or its EDNS size (at most 4096). */
    static int udpLimit(Message q) {
        OPTRecord opt = q.getOPT();
        if (opt == null) return 512;
        return Math.max(512, Math.min(opt.getPayloadSize(), 4096));
    }

    /** Whether the query is one this resolver handles at all (a standard query with one question). */
    static int check(Message q) {
        Header h = q.getHeader();
        if (h.getOpcode() != Opcode.QUERY) return Rcode.NOTIMP;
        if (h.getCount(Section.QUESTION) != 1) return Rcode.FORMERR;
        return Rcode.NOERROR;
    }
}
