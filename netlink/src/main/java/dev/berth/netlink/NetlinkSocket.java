package dev.berth.netlink;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.berth.netlink.sys.Errno;
import dev.berth.netlink.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A NETLINK_ROUTE socket bound in the network namespace of the thread that opened it; every
 * request made through it acts on that namespace, whichever thread makes it. Requests are
 * serialised; replies are matched to requests by sequence number.
 */
public final class NetlinkSocket implements AutoCloseable {
    // The kernel caps a dump datagram at 32 KiB; single answers are smaller still.
    private static final int RECV_SIZE = 64 * 1024;
    private static final int SEND_SIZE = 16 * 1024;
    private static final int DUMP_RETRIES = 5;
    // net.core.wmem_default less netlink's margin; a larger batch (10,000 published ports) raises the buffer.
    private static final int DEFAULT_SEND_LIMIT = 160 * 1024;
    // Tests cannot make the kernel's tables change between the datagrams of a dump on demand.
    private static volatile Predicate<String> simulatedInterruptions = operation -> false;

    private final int fd;
    private final int portId;
    // An automatic arena: closing a shared one costs a handshake with every thread (~100 us and
    // occasional ms stalls); the buffers go with the socket object instead.
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment recvBuf = arena.allocate(RECV_SIZE, 8);
    private MemorySegment sendBuf = arena.allocate(SEND_SIZE, 8);
    /** The largest datagram the socket's send buffer takes (the kernel refuses longer ones with EMSGSIZE). */
    private int sendLimit = DEFAULT_SEND_LIMIT;

    private final ReentrantLock lock = new ReentrantLock();
    private int seq = ThreadLocalRandom.current().nextInt(1 << 20, 1 << 30);
    private boolean closed;
    /** Test-only (crash tests): runs after a batch of several requests was sent, before its answers are read. */
    private static volatile Runnable batchSent = () -> {};

    private NetlinkSocket(int fd, int portId) {
        this.fd = fd;
        this.portId = portId;
    }

    /** Opens a route socket in the calling thread's network namespace. */
    public static NetlinkSocket open() {
        return open(Nl.NETLINK_ROUTE);
    }

    /** Opens a socket of a netlink family ({@link Nl#NETLINK_ROUTE}, {@link Nl#NETLINK_NETFILTER}) in the calling thread's namespace. */
    public static NetlinkSocket open(int protocol) {
        int fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, protocol);
        try {
            Libc.setsockoptInt(fd, Nl.SOL_NETLINK, Nl.NETLINK_EXT_ACK, 1);
            // Errors then carry only the request's header, not its whole body.
            Libc.setsockoptInt(fd, Nl.SOL_NETLINK, Nl.NETLINK_CAP_ACK, 1);
            Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, 1 << 20);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment addr = a.allocate(12, 4); // sockaddr_nl: family, pad, pid, groups
                addr.set(JAVA_SHORT, 0, (short) Libc.AF_NETLINK);
                Libc.bind(fd, addr);
                MemorySegment len = a.allocateFrom(JAVA_INT, 12);
                Libc.getsockname(fd, addr, len);
                return new NetlinkSocket(fd, addr.get(JAVA_INT, 4));
            }
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /**
     * Test-only: {@code hook} runs after every batch of several requests is sent and before its
     * acknowledgements are read, the one moment a kill -9 can land "inside" a batch (the kernel carries
     * out a whole datagram within the send). Crash tests make berthd kill itself there.
     */
    public static void onBatchSent(Runnable hook) {
        batchSent = hook;
    }

    /** The port id the kernel assigned to this socket. */
    public int portId() {
        return portId;
    }

    /** Sends a request that changes state and waits for its acknowledgement; throws if the kernel refused. */
    public void request(MessageWriter msg, String operation) {
        requestAll(List.of(new Request(msg, operation)));
    }

    /** A request paired with the words that describe it in errors. */
    public record Request(MessageWriter message, String operation) {}

    /**
     * Sends several requests in one datagram and waits for every acknowledgement. The kernel
     * carries out each in turn even when one fails, so this is not atomic: the first failure is
     * thrown after all answers are in, and the caller undoes what succeeded.
     */
    public void requestAll(List<Request> requests) {
        lock.lock();
        try {
            int first = seq + 1;
            List<byte[]> wire = new ArrayList<>(requests.size());
            for (Request r : requests) {
                int flags = r.message.flags() | Nl.NLM_F_REQUEST | Nl.NLM_F_ACK;
                wire.add(withFlags(r.message.toBytes(++seq, 0), flags));
            }
            send(wire);
            if (requests.size() > 1) batchSent.run();
            var acks = new Object() {
                int pending = requests.size();
                NetlinkException failure;
            };
            receiveUntil(m -> {
                int idx = m.seq() - first;
                if (m.type() == Nl.NLMSG_ERROR && idx >= 0 && idx < requests.size()) {
                    acks.pending--;
                    NetlinkException e = m.error(requests.get(idx).operation);
                    if (e != null && acks.failure == null) acks.failure = e;
                }
                return acks.pending == 0;
            });
            if (acks.failure != null) throw acks.failure;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends an nfnetlink batch in one datagram: {@code begin}, the requests, {@code end}, and waits for the
     * requests' acknowledgements. nf_tables runs the batch as one transaction: it answers every request
     * (also after a failed one, so all answers come) and applies none if one failed; the first failure is
     * thrown. A batch the kernel refuses as a whole is answered once, on {@code begin}'s sequence number.
     */
    public void requestBatch(MessageWriter begin, List<Request> requests, MessageWriter end) {
        lock.lock();
        try {
            int beginSeq = ++seq;
            List<byte[]> wire = new ArrayList<>(requests.size() + 2);
            wire.add(withFlags(begin.toBytes(beginSeq, 0), Nl.NLM_F_REQUEST));
            int first = seq + 1;
            for (Request r : requests)
                wire.add(withFlags(r.message.toBytes(++seq, 0), r.message.flags() | Nl.NLM_F_REQUEST | Nl.NLM_F_ACK));
            int endSeq = ++seq;
            wire.add(withFlags(end.toBytes(endSeq, 0), Nl.NLM_F_REQUEST));
            send(wire);
            batchSent.run();
            var acks = new Object() {
                int pending = requests.size();
                NetlinkException failure;
            };
            receiveUntil(m -> {
                if (m.type() != Nl.NLMSG_ERROR) return false;
                if (m.seq() == beginSeq || m.seq() == endSeq) {
                    NetlinkException e = m.error("nftables batch");
                    if (e == null) return false;
                    if (acks.failure == null) acks.failure = e;
                    return true;
                }
                int idx = m.seq() - first;
                if (idx < 0 || idx >= requests.size()) return false;
                acks.pending--;
                NetlinkException e = m.error(requests.get(idx).operation);
                if (e != null && acks.failure == null) acks.failure = e;
                return acks.pending == 0;
            });
            if (acks.failure != null) throw acks.failure;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends a request with NLM_F_ECHO and waits for its acknowledgement; returns what {@code parser}
     * makes of the kernel's echo of the new object, or null when the kernel sent none (older kernels
     * do not echo every request type).
     */
    public <T> T requestEcho(MessageWriter msg, String operation, Function<Message, T> parser) {
        lock.lock();
        try {
            int mySeq = ++seq;
            int flags = msg.flags() | Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_ECHO;
            send(List.of(withFlags(msg.toBytes(mySeq, 0), flags)));
            var answer = new Object() {
                T echoed;
            };
            receiveUntil(m -> {
                if (m.seq() != mySeq) return false;
                if (m.type() == Nl.NLMSG_ERROR) {
                    NetlinkException e = m.error(operation);
                    if (e != null) throw e;
                    return true;
                }
                if (answer.echoed == null) answer.echoed = parser.apply(m.message());
                return false;
            });
            return answer.echoed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends a get request that the kernel answers with one message (e.g. a link by name) and
     * returns what {@code parser} makes of it.
     */
    public <T> T get(MessageWriter msg, String operation, Function<Message, T> parser) {
        List<T> all = exchange(msg, operation, parser, false);
        if (all.isEmpty()) throw NetlinkException.of(operation, Errno.ENOENT, "no answer");
        return all.getFirst();
    }

    /**
     * Dumps a table: every answer message is handed to {@code parser} (which may return null to
     * skip it) while its bytes are valid. Restarts when the kernel says the table changed mid-dump,
     * and throws {@link NetlinkException.DumpInterrupted} when it still changes after the retries,
     * rather than hand back a view that may miss objects.
     */
    public <T> List<T> dump(MessageWriter msg, String operation, Function<Message, T> parser) {
        return exchange(msg, operation, parser, true);
    }

    private <T> List<T> exchange(MessageWriter msg, String operation, Function<Message, T> parser, boolean dump) {
        lock.lock();
        try {
            for (int attempt = 0; ; attempt++) {
                List<T> out = new ArrayList<>();
                int mySeq = ++seq;
                int flags = msg.flags() | Nl.NLM_F_REQUEST | (dump ? Nl.NLM_F_DUMP : 0);
                send(List.of(withFlags(msg.toBytes(mySeq, 0), flags)));
                boolean interrupted =
                        collect(mySeq, operation, parser, out, dump) || dump && simulatedInterruptions.test(operation);
                if (!interrupted) return out;
                if (attempt >= DUMP_RETRIES) throw new NetlinkException.DumpInterrupted(operation, attempt + 1);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * For tests: dumps whose operation (e.g. {@code list links}) matches are treated as interrupted on
     * every attempt, as if the table changed under each; {@code null} ends the simulation.
     */
    public static void simulateInterruptedDumps(Predicate<String> operations) {
        simulatedInterruptions = operations == null ? operation -> false : operations;
    }

    /** Reads answers for {@code mySeq} until done; returns whether the dump was interrupted. */
    private <T> boolean collect(int mySeq, String operation, Function<Message, T> parser, List<T> out, boolean dump) {
        var state = new Object() {
            boolean interrupted;
        };
        receiveUntil(m -> {
            if (m.seq() != mySeq) return false;
            if ((m.flags() & Nl.NLM_F_DUMP_INTR) != 0) state.interrupted = true;
            if (m.type() == Nl.NLMSG_DONE) return true;
            if (m.type() == Nl.NLMSG_ERROR) {
                NetlinkException e = m.error(operation);
                if (e != null) throw e;
                return true;
            }
            T t = parser.apply(m.message());
            if (t != null) out.add(t);
            return !dump;
        });
        return state.interrupted;
    }

    /** One message of a received datagram; its bytes are valid until the next receive. */
    private record Incoming(ByteBuffer buf, int off, int len, int type, int flags, int seq) {
        Message message() {
            return new Message(
                    type,
                    flags,
                    seq,
                    buf.slice(off + Nl.HEADER_SIZE, len - Nl.HEADER_SIZE).order(ByteOrder.nativeOrder()));
        }

        /** The error an NLMSG_ERROR carries, or null for a positive acknowledgement. */
        NetlinkException error(String operation) {
            return errorOf(buf, off, len, operation);
        }
    }

    /** Receives datagrams and hands each message in them to {@code handler} until it returns true. */
    private void receiveUntil(Predicate<Incoming> handler) {
        while (true) {
            int n = receive();
            ByteBuffer b = recvBuf.asSlice(0, n).asByteBuffer().order(ByteOrder.nativeOrder());
            for (int off = 0; off + Nl.HEADER_SIZE <= n; ) {
                int len = b.getInt(off);
                if (len < Nl.HEADER_SIZE || off + len > n) break;
                Incoming m = new Incoming(
                        b, off, len, b.getShort(off + 4) & 0xffff, b.getShort(off + 6) & 0xffff, b.getInt(off + 8));
                if (handler.test(m)) return;
                off += Nl.align(len);
            }
        }
    }

    private static byte[] withFlags(byte[] wire, int flags) {
        ByteBuffer.wrap(wire).order(ByteOrder.nativeOrder()).putShort(6, (short) flags);
        return wire;
    }

    private void send(List<byte[]> messages) {
        int total = 0;
        for (byte[] m : messages) total += m.length;
        if (total > sendBuf.byteSize()) sendBuf = arena.allocate(Math.max(total, sendBuf.byteSize() * 2), 8);
        if (total > sendLimit) growSendBuffer(total);
        int off = 0;
        for (byte[] m : messages) {
            MemorySegment.copy(m, 0, sendBuf, ValueLayout.JAVA_BYTE, off, m.length);
            off += m.length;
        }
        Libc.send(fd, sendBuf, total, 0);
    }

    /**
     * A whole nf_tables batch must be one datagram, so the send buffer grows to hold it (as libnftables does):
     * SO_SNDBUFFORCE as root, past net.core.wmem_max; else SO_SNDBUF, which the kernel caps there.
     */
    private void growSendBuffer(int total) {
        int want = Math.max(total + 4096, sendLimit * 2);
        try {
            Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_SNDBUFFORCE, want);
        } catch (RuntimeException notRoot) {
            Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_SNDBUF, want);
        }
        sendLimit = want; // the kernel doubles the value it is given; half is a safe bound either way
    }

    private int receive() {
        long n = Libc.recv(fd, recvBuf, RECV_SIZE, Libc.MSG_TRUNC);
        if (n > RECV_SIZE)
            throw new IllegalStateException("netlink answer of " + n + " bytes exceeds the receive buffer");
        return (int) n;
    }

    /** Decodes an NLMSG_ERROR at {@code off}; null means it was a positive acknowledgement. */
    private static NetlinkException errorOf(ByteBuffer b, int off, int len, String operation) {
        int error = b.getInt(off + Nl.HEADER_SIZE);
        if (error == 0) return null;
        int flags = b.getShort(off + 6) & 0xffff;
        String extack = null;
        if ((flags & Nl.NLM_F_ACK_TLVS) != 0) {
            int inner = Nl.HEADER_SIZE + 4; // header + error code
            int echoed = (flags & Nl.NLM_F_CAPPED) != 0 ? Nl.HEADER_SIZE : b.getInt(off + inner);
            int tlvStart = off + inner + Nl.align(echoed);
            if (tlvStart < off + len) {
                extack = Attributes.parse(b.slice(tlvStart, off + len - tlvStart))
                        .string(Nl.NLMSGERR_ATTR_MSG);
            }
        }
        return NetlinkException.of(operation, -error, extack);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            Libc.close(fd);
        } finally {
            lock.unlock();
        }
    }
}
