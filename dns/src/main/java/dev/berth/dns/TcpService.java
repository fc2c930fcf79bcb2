package dev.berth.dns;

import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.BiFunction;

/**
 * The TCP side: sandboxes' TCP connections to the resolver, and TCP exchanges with upstreams when
 * a UDP answer came back truncated. Each runs on a virtual thread (plain blocking sockets, no
 * namespace switching on them); semaphores bound how many run at once.
 */
final class TcpService {
    /** A query longer than this is not one a stub resolver sends; the connection is closed. */
    static final int MAX_QUERY = 4096;

    private static final int IDLE_MILLIS = 10_000;
    private final NetnsHandle hostNetns;
    private final int timeoutMillis;
    private final Semaphore clients;
    private final Semaphore refetches = new Semaphore(32);
    private final Stats stats;

    TcpService(NetnsHandle hostNetns, int timeoutMillis, int maxClients, Stats stats) {
        this.hostNetns = hostNetns;
        this.timeoutMillis = timeoutMillis;
        this.clients = new Semaphore(maxClients);
        this.stats = stats;
    }

    /**
     * Serves one sandbox connection: length-prefixed queries, each answered by {@code answer}
     * (which may wait for an upstream), until the client closes or idles 10 s.
     */
    void serve(SocketChannel connection, BiFunction<byte[], Integer, byte[]> answer) {
        if (!clients.tryAcquire()) {
            stats.tcpRejected.increment();
            closeQuietly(connection);
            return;
        }
        stats.tcpClients.increment();
        Thread.ofVirtual().name("berth-dns-tcp").start(() -> {
            try (connection) {
                connection.configureBlocking(true);
                Socket s = connection.socket();
                s.setSoTimeout(IDLE_MILLIS);
                DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                while (true) {
                    int len = in.readUnsignedShort();
                    if (len > MAX_QUERY) {
                        stats.malformed.increment();
                        return;
                    }
                    byte[] q = in.readNBytes(len);
                    if (q.length < len) return;
                    byte[] a = answer.apply(q, len);
                    if (a == null) continue; // nothing to say to this packet (not a query)
                    out.writeShort(a.length);
                    out.write(a);
                    out.flush();
                }
            } catch (EOFException e) {
                // client closed
            } catch (IOException | RuntimeException e) {
                // idle, reset, or garbage: the connection ends, the resolver goes on
            } finally {
                clients.release();
            }
        });
    }

    /**
     * Fetches a query again over TCP after its UDP answer came back truncated, trying the route's
     * upstreams in order. The client gets the full answer when it fits, else the truncated one
     * (a UDP client then asks again over TCP, as with any resolver).
     */
    void refetch(byte[] query, List<Upstream> route, Client client, byte[] truncated) {
        if (!refetches.tryAcquire()) {
            client.deliver(truncated, truncated.length);
            return;
        }
        stats.tcpRefetches.increment();
        List<InetSocketAddress> targets = route.stream().map(u -> u.address).toList();
        Thread.ofVirtual().name("berth-dns-refetch").start(() -> {
            try {
                byte[] full = null;
                for (InetSocketAddress t : targets) {
                    full = exchange(t, query);
                    if (full != null) break;
                }
                // A UDP client takes the truncated answer as its cue to ask again over TCP; a TCP client cannot.
                byte[] out = full != null && full.length <= client.limit()
                        ? full
                        : client instanceof Client.Tcp ? Wire.servfail(query) : truncated;
                client.deliver(out, out.length);
            } finally {
                refetches.release();
            }
        });
    }

    /** One query over TCP to an upstream from the host namespace; null on any failure or a mismatched answer. */
    private byte[] exchange(InetSocketAddress upstream, byte[] query) {
        try (SocketChannel ch = Netns.call(hostNetns, SocketChannel::open)) {
            Socket s = ch.socket();
            s.connect(upstream, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(query.length);
            out.write(query);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int len = in.readUnsignedShort();
            byte[] a = in.readNBytes(len);
            if (a.length < Wire.HEADER || a.length < len || Wire.id(a) != Wire.id(query) || !Wire.isResponse(a))
                return null;
            int qEnd = Wire.questionEnd(query, query.length);
            return qEnd > 0 && Wire.sameQuestion(query, qEnd, a, a.length) ? a : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
