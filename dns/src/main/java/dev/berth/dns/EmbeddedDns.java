package dev.berth.dns;

import dev.berth.model.log.Log;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

/**
 * Berth's embedded resolver, part of the daemon. Each attached sandbox gets UDP and TCP sockets on
 * 127.0.0.11:53 opened inside its own namespace; one thread serves them all. Queries about names
 * of the sandbox's user-defined networks are answered from the current {@link NameTable}; all
 * others are relayed to the upstream resolvers from the host namespace.
 *
 * <pre>{@code
 * EmbeddedDns dns = EmbeddedDns.start(DnsConfig.fromResolvConf(hostNs, Path.of("/etc/resolv.conf")));
 * dns.attach(sandbox.id(), engine.netnsPath(sandbox));   // after the sandbox's namespace exists
 * dns.update(NameTable.from(source));                    // after every create/connect/disconnect/remove
 * dns.detach(sandbox.id());                              // before its namespace goes
 * }</pre>
 */
public final class EmbeddedDns implements AutoCloseable {
    private final DnsConfig config;
    private final Selector selector;
    private final Stats stats = new Stats();
    private final LocalAnswers answers;
    private final TcpService tcp;
    private final Forwarder forwarder;
    private final Map<String, Listener> listeners = new ConcurrentHashMap<>();
    /** Upstream sockets by address, and how many routes use each (the configured ones are used for good). */
    private final Map<InetSocketAddress, Upstream> upstreams = new HashMap<>();

    private final Map<InetSocketAddress, Integer> upstreamUsers = new HashMap<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread loop;
    private volatile NameTable table = NameTable.EMPTY;
    private volatile boolean closed;

    private EmbeddedDns(DnsConfig config) throws IOException {
        this.config = config;
        this.selector = Selector.open();
        this.answers = new LocalAnswers(config.localTtl());
        int timeoutMillis =
                (int) Math.min(Integer.MAX_VALUE, config.upstreamTimeout().toMillis());
        this.tcp = new TcpService(config.hostNetns(), timeoutMillis, config.maxTcpClients(), stats);
        this.forwarder =
                new Forwarder(config.maxInFlight(), config.upstreamTimeout().toNanos(), tcp, stats);
        this.loop = Thread.ofPlatform().name("berth-dns").daemon().unstarted(this::run);
    }

    /** Starts the resolver's thread; nothing listens until sandboxes are attached. */
    public static EmbeddedDns start(DnsConfig config) {
        try {
            EmbeddedDns d = new EmbeddedDns(config);
            d.route(config.upstreams()); // open the default upstream sockets now: a bad upstream fails here
            d.loop.start();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded resolver", e);
        }
    }

    /** Replaces the names; the next query already sees them (the daemon calls this after every change). */
    public void update(NameTable names) {
        table = names == null ? NameTable.EMPTY : names;
    }

    /** The names in use. */
    public NameTable names() {
        return table;
    }

    /** Starts serving a sandbox, forwarding to the configured upstreams. See {@link #attach(String, Path, List)}. */
    public void attach(String sandboxId, Path netns) {
        attach(sandboxId, netns, List.of());
    }

    /**
     * Starts serving a sandbox whose namespace is at {@code netns} (its {@code lo} must be up):
     * binds 127.0.0.11:53 (UDP and TCP) inside it. {@code dns} are the sandbox's own upstreams
     * ({@code --dns}); empty means the configured ones.
     *
     * @throws IllegalStateException if the sandbox is attached already or the address cannot be bound
     */
    public void attach(String sandboxId, Path netns, List<InetSocketAddress> dns) {
        if (closed) throw new IllegalStateException("the embedded resolver is closed");
        if (listeners.containsKey(sandboxId))
            throw new IllegalStateException("sandbox " + sandboxId + " is already attached to the resolver");
        List<Upstream> route = route(
                dns.isEmpty() ? config.upstreams() : dns.subList(0, Math.min(dns.size(), DnsConfig.MAX_UPSTREAMS)));
        Listener l;
        try (NetnsHandle ns = Netns.open(netns)) {
            l = Netns.call(ns, () -> Listener.open(sandboxId, config.listenAddress(), config.listenPort(), route));
        } catch (RuntimeException e) {
            release(route);
            throw new IllegalStateException(
                    "cannot listen on " + config.listenAddress().getHostAddress() + ":" + config.listenPort()
                            + " in " + netns + " for sandbox " + sandboxId + ": " + e.getMessage()
                            + " (is lo up there, and is the port free?)",
                    e);
        }
        if (listeners.putIfAbsent(sandboxId, l) != null) {
            close(l);
            throw new IllegalStateException("sandbox " + sandboxId + " is already attached to the resolver");
        }
        submit(() -> {
            try {
                l.udp.register(selector, SelectionKey.OP_READ, l);
                l.tcp.register(selector, SelectionKey.OP_ACCEPT, l);
            } catch (IOException e) {
                Log.warn(
                        "dns: cannot serve a sandbox",
                        "sandbox",
                        sandboxId,
                        "error",
                        e); // closed by a detach that came first
            }
        });
    }

    /** Stops serving a sandbox and closes its sockets; does nothing if it is not attached. */
    public void detach(String sandboxId) {
        Listener l = listeners.remove(sandboxId);
        if (l != null) close(l);
    }

    /**
     * Closes a listener's sockets and gives back its upstreams. A channel registered with the selector
     * keeps its descriptor (and with it the sandbox's namespace, in the kernel) until the selector
     * deregisters it at its next select: the wakeup makes that happen now, not at the next query.
     */
    private void close(Listener l) {
        l.close();
        release(l.route);
        selector.wakeup();
    }

    /** Sandboxes being served. */
    public List<String> attached() {
        return List.copyOf(listeners.keySet());
    }

    public DnsStats stats() {
        return stats.snapshot();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        selector.wakeup();
        try {
            loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String id : new ArrayList<>(listeners.keySet())) detach(id);
        Runnable t;
        while ((t = tasks.poll()) != null) t.run(); // the loop is gone: closes of released upstreams run here
        synchronized (upstreams) {
            for (Upstream u : upstreams.values()) closeQuietly(u);
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    // ------------------------------------------------------------------ upstream sockets

    /**
     * The upstream objects for these addresses, opening (in the host namespace) those not open yet;
     * each is counted as used once more until {@link #release}. The configured upstreams are taken
     * at start and never released.
     */
    private List<Upstream> route(List<InetSocketAddress> addresses) {
        List<Upstream> out = new ArrayList<>(addresses.size());
        synchronized (upstreams) {
            for (InetSocketAddress a : addresses) {
                out.add(upstreams.computeIfAbsent(a, this::openUpstream));
                upstreamUsers.merge(a, 1, Integer::sum);
            }
        }
        return List.copyOf(out);
    }

    /** A route is no longer used: upstreams only a sandbox's own {@code --dns} asked for are closed with it. */
    private void release(List<Upstream> route) {
        synchronized (upstreams) {
            for (Upstream u : route) {
                if (upstreamUsers.merge(u.address, -1, Integer::sum) > 0) continue;
                upstreamUsers.remove(u.address);
                upstreams.remove(u.address);
                submit(() -> closeQuietly(u)); // on the loop, which may be reading from it
            }
        }
    }

    private static void closeQuietly(Upstream u) {
        try {
            u.channel.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    private Upstream openUpstream(InetSocketAddress a) {
        if (a.isUnresolved()) throw new IllegalArgumentException("upstream " + a + ": give an IP address, not a name");
        StandardProtocolFamily family =
                a.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
        DatagramChannel ch = Netns.call(config.hostNetns(), () -> {
            DatagramChannel c = DatagramChannel.open(family);
            try {
                c.configureBlocking(false);
                try {
                    c.connect(a); // binds an ephemeral port in the host namespace; only a's packets get through
                } catch (IOException unreachableNow) {
                    // No route yet (or ever): queries for it get SERVFAIL, and each one retries the connect.
                    Log.warn(
                            "dns: an upstream is unreachable from the host namespace for now",
                            "upstream",
                            a,
                            "error",
                            unreachableNow.getMessage());
                }
                return c;
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
        });
        Upstream u = new Upstream(a, ch);
        submit(() -> {
            try {
                ch.register(selector, SelectionKey.OP_READ, u);
            } catch (IOException e) {
                Log.warn("dns: cannot read from an upstream", "upstream", a, "error", e);
            }
        });
        return u;
    }

    // ------------------------------------------------------------------ the loop

    private void submit(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocate(65535);
        while (!closed) {
            try {
                Runnable t;
                while ((t = tasks.poll()) != null) t.run();
                long wait = forwarder.millisToNextDeadline(System.nanoTime());
                selector.select(key -> dispatch(key, buf), wait);
                forwarder.expire(System.nanoTime());
            } catch (ClosedSelectorException e) {
                return;
            } catch (IOException | RuntimeException e) {
                Log.warn("dns: the resolver skipped an event", "error", e); // one bad event must not stop the resolver
            }
        }
    }

    private void dispatch(SelectionKey key, ByteBuffer buf) {
        if (!key.isValid()) return;
        Object a = key.attachment();
        if (a instanceof Upstream u) forwarder.readable(u, buf);
        else if (a instanceof Listener l) {
            if (key.channel() == l.udp) readQueries(l, buf);
            else accept(l);
        }
    }

    private void readQueries(Listener l, ByteBuffer buf) {
        for (int i = 0; i < 64; i++) { // then let other sockets have a turn
            buf.clear();
            SocketAddress from;
            try {
                from = l.udp.receive(buf);
            } catch (IOException e) {
                return; // closed by detach
            }
            if (from == null) return;
            stats.queries.increment();
            udpQuery(l, buf.array(), buf.position(), from);
        }
    }

    private void udpQuery(Listener l, byte[] b, int n, SocketAddress from) {
        if (n < Wire.HEADER || Wire.isResponse(b) || n > TcpService.MAX_QUERY) {
            stats.malformed.increment(); // never answer an answer: two resolvers could loop
            return;
        }
        byte[] wire = Arrays.copyOf(b, n);
        Message q = parse(wire);
        if (q == null) {
            send(l, formErr(wire), from);
            return;
        }
        int check = LocalAnswers.check(q);
        if (check != Rcode.NOERROR) {
            send(l, LocalAnswers.error(q, check), from);
            return;
        }
        int limit = LocalAnswers.udpLimit(q);
        byte[] local = answers.answer(l.scope(table), q, limit);
        if (local != null) {
            stats.local.increment();
            send(l, local, from);
            return;
        }
        stats.forwarded.increment();
        forwarder.forward(q, wire, l.route, new Client.Udp(l.udp, from, limit));
    }

    private Message parse(byte[] wire) {
        try {
            return new Message(wire);
        } catch (IOException | RuntimeException e) {
            stats.malformed.increment();
            return null;
        }
    }

    /** FORMERR for a packet dnsjava cannot read: its header with QR set and no sections. */
    private static byte[] formErr(byte[] q) {
        byte[] r = Arrays.copyOf(q, Wire.HEADER);
        r[2] = (byte) (0x80 | (q[2] & 0x79)); // QR, keep opcode and RD
        r[3] = (byte) (0x80 | Rcode.FORMERR); // RA
        Arrays.fill(r, 4, Wire.HEADER, (byte) 0);
        return r;
    }

    private static void send(Listener l, byte[] answer, SocketAddress to) {
        try {
            l.udp.send(ByteBuffer.wrap(answer), to);
        } catch (IOException e) {
            // closed by detach, or the socket buffer is full: as a lost datagram
        }
    }

    private void accept(Listener l) {
        while (true) {
            SocketChannel c;
            try {
                c = l.tcp.accept();
            } catch (IOException e) {
                return;
            }
            if (c == null) return;
            tcp.serve(c, (q, n) -> tcpQuery(l, q));
        }
    }

    /** Answers a query that came over TCP; runs on the connection's thread and may wait for an upstream. */
    private byte[] tcpQuery(Listener l, byte[] wire) {
        stats.queries.increment();
        if (wire.length < Wire.HEADER || Wire.isResponse(wire)) {
            stats.malformed.increment();
            return null;
        }
        Message q = parse(wire);
        if (q == null) return formErr(wire);
        int check = LocalAnswers.check(q);
        if (check != Rcode.NOERROR) return LocalAnswers.error(q, check);
        byte[] local = answers.answer(table.scopeOf(l.sandboxId), q, 65535);
        if (local != null) {
            stats.local.increment();
            return local;
        }
        stats.forwarded.increment();
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        submit(() -> forwarder.forward(q, wire, l.route, new Client.Tcp(f)));
        long budget = config.upstreamTimeout().toMillis() * (DnsConfig.MAX_UPSTREAMS + 1) + 1000;
        try {
            return f.get(budget, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return LocalAnswers.error(q, Rcode.SERVFAIL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LocalAnswers.error(q, Rcode.SERVFAIL);
        }
    }
}
