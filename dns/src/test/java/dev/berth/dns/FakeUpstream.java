package dev.berth.dns;

import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A small authoritative server for {@code example.} run inside a lab namespace (UDP and TCP on
 * port 53), playing the host's upstream resolver. {@code NAME.example.} answers {@code answer};
 * {@code big.example.} is truncated over UDP and has 40 addresses over TCP; {@code mid.example.} is
 * truncated over UDP and has 3 addresses over TCP; {@code silent.example.} is never answered;
 * anything else is NXDOMAIN. Records the names it was asked.
 */
final class FakeUpstream implements AutoCloseable {
    final List<String> asked = new CopyOnWriteArrayList<>();
    private final InetAddress answer;
    private final DatagramChannel udp;
    private final ServerSocketChannel tcp;

    FakeUpstream(NetnsHandle ns, String address, String answer) {
        try {
            this.answer = InetAddress.getByName(answer);
            InetSocketAddress at = new InetSocketAddress(InetAddress.getByName(address), 53);
            this.udp = Netns.call(ns, () -> DatagramChannel.open().bind(at));
            this.tcp = Netns.call(ns, () -> ServerSocketChannel.open().bind(at));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread.ofPlatform().daemon().name("fake-upstream-udp").start(this::serveUdp);
        Thread.ofPlatform().daemon().name("fake-upstream-tcp").start(this::serveTcp);
    }

    private void serveUdp() {
        ByteBuffer buf = ByteBuffer.allocate(65535);
        while (udp.isOpen()) {
            try {
                buf.clear();
                SocketAddress from = udp.receive(buf);
                byte[] r = respond(Arrays.copyOf(buf.array(), buf.position()), false);
                if (r != null) udp.send(ByteBuffer.wrap(r), from);
            } catch (IOException e) {
                return;
            } catch (RuntimeException e) {
                // a packet it cannot read: ignore
            }
        }
    }

    private void serveTcp() {
        while (tcp.isOpen()) {
            try (SocketChannel c = tcp.accept()) {
                Socket s = c.socket();
                s.setSoTimeout(3000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] q = in.readNBytes(in.readUnsignedShort());
                byte[] r = respond(q, true);
                if (r == null) continue;
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeShort(r.length);
                out.write(r);
                out.flush();
            } catch (IOException | RuntimeException e) {
                if (!tcp.isOpen()) return;
            }
        }
    }

    private byte[] respond(byte[] wire, boolean overTcp) {
        Message q;
        try {
            q = new Message(wire);
        } catch (IOException e) {
            return null;
        }
        Name name = q.getQuestion().getName();
        String n = name.toString().toLowerCase();
        asked.add((overTcp ? "tcp " : "udp ") + n);
        if (n.equals("silent.example.")) return null;
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.AA);
        if (q.getHeader().getFlag(Flags.RD)) r.getHeader().setFlag(Flags.RD);
        r.addRecord(q.getQuestion(), Section.QUESTION);
        int type = q.getQuestion().getType();
        boolean tcOnUdp = n.equals("big.example.") || n.equals("mid.example.");
        if (tcOnUdp && !overTcp) {
            r.getHeader().setFlag(Flags.TC);
        } else if (tcOnUdp) {
            int count = n.startsWith("big") ? 40 : 3;
            for (int i = 1; i <= count; i++)
                r.addRecord(new ARecord(name, DClass.IN, 300, address("198.51.100." + i)), Section.ANSWER);
        } else if (n.endsWith(".example.") && type == Type.A) {
            r.addRecord(new ARecord(name, DClass.IN, 300, answer), Section.ANSWER);
        } else if (!n.endsWith(".example.")) {
            r.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        if (q.getOPT() != null) r.addRecord(q.getOPT(), Section.ADDITIONAL);
        return r.toWire(65535);
    }

    private static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean wasAsked(String name) {
        for (String a : asked) if (a.endsWith(" " + name)) return true;
        return false;
    }

    @Override
    public void close() {
        try {
            udp.close();
            tcp.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
