package dev.berth.bench;

import dev.berth.model.net.IpPrefix;
import dev.berth.netlink.Message;
import dev.berth.netlink.MessageWriter;
import dev.berth.netlink.Nl;
import dev.berth.netlink.route.Addresses;
import dev.berth.netlink.route.Link;
import dev.berth.netlink.route.Route;
import dev.berth.netlink.route.Routes;
import dev.berth.netlink.route.Rt;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The CPU cost of Berth's netlink messages, without the kernel: encoding the requests that make an
 * endpoint, and parsing one datagram of a link dump. Run with {@code scripts/bench.sh jmh}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class MessageEncodingBench {
    /** Links in the parsed dump datagram. */
    private static final int DUMP_LINKS = 16;

    /** Link.parse is package-private; the bench reaches it as the library's own dump code does, through a handle. */
    private static final MethodHandle LINK_PARSE;

    static {
        try {
            LINK_PARSE = MethodHandles.privateLookupIn(Link.class, MethodHandles.lookup())
                    .findStatic(Link.class, "parse", MethodType.methodType(Link.class, Message.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private InetAddress gateway;
    private IpPrefix address;
    private ByteBuffer dump;
    private int seq;

    @Setup
    public void setUp() throws Exception {
        gateway = InetAddress.getByAddress(new byte[] {10, 88, 0, 1});
        address = IpPrefix.parse("10.88.3.232/16");
        dump = linkDumpDatagram();
    }

    /** The RTM_NEWLINK that creates a veth with its peer in a container, enslaved to br0 and up. */
    @Benchmark
    public byte[] vethCreate() {
        return EndpointMessages.vethIntoContainer("vb1000", 42, 3).toBytes(++seq, 0);
    }

    @Benchmark
    public byte[] addressAdd() {
        return Addresses.addMessage(2, address).toBytes(++seq, 0);
    }

    @Benchmark
    public byte[] defaultRouteAdd() {
        return Routes.addMessage(Route.defaultVia(gateway, 2)).toBytes(++seq, 0);
    }

    /** One datagram of {@value DUMP_LINKS} RTM_NEWLINK messages, walked and parsed as NetlinkSocket's dump loop does. */
    @Benchmark
    public void parseLinkDump(Blackhole bh) throws Throwable {
        ByteBuffer b = dump;
        int n = b.limit();
        for (int off = 0; off + Nl.HEADER_SIZE <= n; ) {
            int len = b.getInt(off);
            int type = b.getShort(off + 4) & 0xffff;
            int flags = b.getShort(off + 6) & 0xffff;
            int mseq = b.getInt(off + 8);
            ByteBuffer payload =
                    b.slice(off + Nl.HEADER_SIZE, len - Nl.HEADER_SIZE).order(ByteOrder.nativeOrder());
            bh.consume((Link) LINK_PARSE.invokeExact(new Message(type, flags, mseq, payload)));
            off += Nl.align(len);
        }
    }

    /**
     * A datagram shaped like the kernel's answer to a link dump in a namespace full of bridge ports:
     * each message has the usual attributes plus statistics and per-family blobs of the kernel's sizes.
     */
    static ByteBuffer linkDumpDatagram() {
        ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.nativeOrder());
        for (int i = 0; i < DUMP_LINKS; i++) {
            int index = 3 + i;
            MessageWriter w = new MessageWriter(Rt.RTM_NEWLINK, Nl.NLM_F_MULTI);
            w.u8(0)
                    .u8(0)
                    .u16(1)
                    .u32(index)
                    .u32(Rt.IFF_UP | Rt.IFF_LOWER_UP | Rt.IFF_RUNNING)
                    .u32(0);
            w.attrString(Rt.IFLA_IFNAME, "vb" + i);
            w.attrU32(Rt.IFLA_TXQLEN, 1000);
            w.attrU8(Rt.IFLA_OPERSTATE, 6);
            w.attrU32(Rt.IFLA_MTU, 1500);
            w.attrU32(Rt.IFLA_NUM_TX_QUEUES, 2);
            w.attrU32(Rt.IFLA_NUM_RX_QUEUES, 2);
            w.attr(Rt.IFLA_ADDRESS, new byte[] {0x02, 0x42, 0x0a, 0x58, 0, (byte) i});
            w.attr(2 /* IFLA_BROADCAST */, new byte[] {-1, -1, -1, -1, -1, -1});
            w.attr(23 /* IFLA_STATS64 */, new byte[200]);
            w.attr(7 /* IFLA_STATS */, new byte[96]);
            w.attrU32(Rt.IFLA_MASTER, 2);
            w.attrU32(Rt.IFLA_LINK, 2);
            w.attrU32(Rt.IFLA_LINK_NETNSID, i);
            int info = w.begin(Rt.IFLA_LINKINFO);
            w.attrString(Rt.IFLA_INFO_KIND, "veth");
            w.attrString(Rt.IFLA_INFO_SLAVE_KIND, "bridge");
            w.attr(Rt.IFLA_INFO_SLAVE_DATA, new byte[300]);
            w.end(info);
            w.attr(26 /* IFLA_AF_SPEC */, new byte[780]);
            out.put(w.toBytes(1000, 0));
        }
        return out.flip().slice().order(ByteOrder.nativeOrder());
    }
}
