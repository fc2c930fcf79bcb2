package dev.berth.dns;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

/**
 * Relays queries that are not about local names to the upstream resolvers over UDP, one upstream
 * after the other when one times out or fails, and SERVFAIL when none answers. The packet is
 * relayed as the sandbox sent it, with a fresh random id per attempt; an answer is accepted only
 * from the socket connected to the upstream asked, with that id and the same question.
 * Truncated answers go to {@link TcpService} to be fetched again over TCP. Used only by the
 * resolver's loop thread; a fixed pool of {@link Pending} slots bounds the memory it holds.
 */
final class Forwarder {
    /** One forwarded query: its client, its packet, where it is in its route, and its deadline. */
    static final class Pending {
        Client client;
        Message query;
        byte[] wire;
        int questionEnd;
        int clientId;
        List<Upstream> route;
        int attempt;
        Upstream at;
        int upstreamId;
        long deadline;
        Pending prev, next;
    }

    private final Pending[] free;
    private int freeCount;
    private Pending head, tail; // waiting for an upstream, oldest deadline first
    private final long timeoutNanos;
    private final SplittableRandom random = new SplittableRandom();
    private final TcpService tcp;
    private final Stats stats;

    Forwarder(int maxInFlight, long timeoutNanos, TcpService tcp, Stats stats) {
        this.free = new Pending[maxInFlight];
        for (int i = 0; i < maxInFlight; i++) free[i] = new Pending();
        this.freeCount = maxInFlight;
        this.timeoutNanos = timeoutNanos;
        this.tcp = tcp;
        this.stats = stats;
    }

    /** Sends the query (already parsed, one question) to the first upstream of its route. */
    void forward(Message q, byte[] wire, List<Upstream> route, Client client) {
        int qEnd = Wire.questionEnd(wire, wire.length);
        if (qEnd < 0) {
            stats.malformed.increment();
            reply(client, q, Rcode.FORMERR);
            return;
        }
        if (route.isEmpty() || freeCount == 0) {
            if (!route.isEmpty()) stats.overloaded.increment();
            reply(client, q, Rcode.SERVFAIL);
            return;
        }
        Pending p = free[--freeCount];
        p.client = client;
        p.query = q;
        p.wire = wire;
        p.questionEnd = qEnd;
        p.clientId = Wire.id(wire);
        p.route = route;
        send(p, 0, System.nanoTime());
    }

    /** Tries upstreams from index {@code from} on; SERVFAIL when there is none left. */
    private void send(Pending p, int from, long now) {
        for (int i = from; i < p.route.size(); i++) {
            Upstream u = p.route.get(i);
            int id = freeId(u);
            if (id < 0) continue;
            Wire.setId(p.wire, id);
            try {
                // The socket lives in the host namespace whatever thread connects it; an upstream that had no
                // route when it was opened is tried again here.
                if (!u.channel.isConnected()) u.channel.connect(u.address);
                if (u.channel.write(ByteBuffer.wrap(p.wire)) <= 0) continue; // socket buffer full: as if lost at once
            } catch (IOException e) {
                continue; // e.g. the ICMP "port unreachable" of an earlier query, or no route: try the next one
            }
            u.byId[id] = p;
            p.at = u;
            p.upstreamId = id;
            p.attempt = i;
            p.deadline = now + timeoutNanos;
            append(p);
            return;
        }
        stats.servfail.increment();
        reply(p.client, p.query, Rcode.SERVFAIL);
        release(p);
    }

    private int freeId(Upstream u) {
        for (int tries = 0; tries < 32; tries++) {
            int id = random.nextInt(65536);
            if (u.byId[id] == null) return id;
        }
        return -1;
    }

    /** Reads the answers waiting on an upstream's socket. */
    void readable(Upstream u, ByteBuffer buf) {
        for (int i = 0; i < 64; i++) {
            buf.clear();
            int n;
            try {
                n = u.channel.read(buf);
            } catch (IOException e) {
                continue; // ICMP error of an earlier send: that query times out and moves on
            }
            if (n <= 0) return;
            if (n >= Wire.HEADER) answer(u, buf.array(), n);
        }
    }

    private void answer(Upstream u, byte[] b, int n) {
        Pending p = u.byId[Wire.id(b)];
        if (p == null || !Wire.isResponse(b) || !Wire.sameQuestion(p.wire, p.questionEnd, b, n)) {
            stats.strayAnswers.increment();
            return;
        }
        unlink(p);
        int rcode = Wire.rcode(b);
        if ((rcode == Wire.RCODE_SERVFAIL || rcode == Wire.RCODE_REFUSED) && p.attempt + 1 < p.route.size()) {
            send(p, p.attempt + 1, System.nanoTime());
            return;
        }
        byte[] out = Arrays.copyOf(b, n);
        Wire.setId(out, p.clientId);
        if (Wire.truncated(out)) {
            Wire.setId(p.wire, p.clientId);
            tcp.refetch(p.wire, p.route.subList(p.attempt, p.route.size()), p.client, out);
        } else {
            p.client.deliver(out, n);
        }
        release(p);
    }

    /** Moves queries whose upstream did not answer in time on to the next upstream, or to SERVFAIL. */
    void expire(long now) {
        while (head != null && head.deadline - now <= 0) {
            Pending p = head;
            unlink(p);
            stats.upstreamTimeouts.increment();
            send(p, p.attempt + 1, now);
        }
    }

    /** Milliseconds until the next deadline (at least 1), or 0 when nothing waits. */
    long millisToNextDeadline(long now) {
        if (head == null) return 0;
        return Math.max(1, (head.deadline - now + 999_999) / 1_000_000);
    }

    int inFlight() {
        return free.length - freeCount;
    }

    private static void reply(Client c, Message q, int rcode) {
        byte[] b = LocalAnswers.error(q, rcode);
        c.deliver(b, b.length);
    }

    private void append(Pending p) {
        p.prev = tail;
        p.next = null;
        if (tail == null) head = p;
        else tail.next = p;
        tail = p;
    }

    /** Takes the query out of its upstream's id table and the deadline list. */
    private void unlink(Pending p) {
        if (p.at != null && p.at.byId[p.upstreamId] == p) p.at.byId[p.upstreamId] = null;
        p.at = null;
        if (p.prev == null) head = p.next;
        else p.prev.next = p.next;
        if (p.next == null) tail = p.prev;
        else p.next.prev = p.prev;
        p.prev = p.next = null;
    }

    private void release(Pending p) {
        p.client = null;
        p.query = null;
        p.wire = null;
        p.route = null;
        free[freeCount++] = p;
    }
}
