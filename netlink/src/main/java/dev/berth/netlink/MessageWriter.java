package dev.berth.netlink;

import dev.berth.netlink.sys.Libc;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one netlink message: the 16-byte header, the family's fixed header, then attributes
 * (type-length-value, 4-byte aligned, nestable). Integers are in host byte order except where a
 * method says otherwise (ports and VNIs that the kernel reads in network order).
 */
public final class MessageWriter {
    private ByteBuffer buf;

    public MessageWriter(int type, int flags) {
        buf = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        buf.putInt(0).putShort((short) type).putShort((short) flags).putInt(0).putInt(0);
    }

    private void ensure(int more) {
        if (buf.remaining() >= more) return;
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more))
                .order(ByteOrder.nativeOrder());
        buf.flip();
        bigger.put(buf);
        buf = bigger;
    }

    public int type() {
        return buf.getShort(4) & 0xffff;
    }

    public int flags() {
        return buf.getShort(6) & 0xffff;
    }

    // ---- fixed family header fields ----

    public MessageWriter u8(int v) {
        ensure(1);
        buf.put((byte) v);
        return this;
    }

    public MessageWriter u16(int v) {
        ensure(2);
        buf.putShort((short) v);
        return this;
    }

    public MessageWriter u32(int v) {
        ensure(4);
        buf.putInt(v);
        return this;
    }

    public MessageWriter bytes(byte[] b) {
        ensure(b.length);
        buf.put(b);
        return this;
    }

    /** Pads the fixed header to the alignment netlink expects before the first attribute. */
    public MessageWriter pad() {
        int n = Nl.align(buf.position()) - buf.position();
        ensure(n);
        for (int i = 0; i < n; i++) buf.put((byte) 0);
        return this;
    }

    // ---- attributes ----

    public MessageWriter attr(int type, byte[] value) {
        int len = 4 + value.length;
        ensure(Nl.align(len));
        buf.putShort((short) len).putShort((short) type).put(value);
        return pad();
    }

    public MessageWriter attrFlag(int type) {
        return attr(type, new byte[0]);
    }

    public MessageWriter attrU8(int type, int v) {
        return attr(type, new byte[] {(byte) v});
    }

    public MessageWriter attrU16(int type, int v) {
        return attr(
                type,
                ByteBuffer.allocate(2)
                        .order(ByteOrder.nativeOrder())
                        .putShort((short) v)
                        .array());
    }

    /** A 16-bit value in network byte order (UDP ports, for instance). */
    public MessageWriter attrBe16(int type, int v) {
        return attr(
                type,
                ByteBuffer.allocate(2)
                        .order(ByteOrder.BIG_ENDIAN)
                        .putShort((short) v)
                        .array());
    }

    public MessageWriter attrU32(int type, int v) {
        return attr(
                type,
                ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array());
    }

    public MessageWriter attrU64(int type, long v) {
        return attr(
                type,
                ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array());
    }

    /** A NUL-terminated string, as the kernel expects for names and kinds. */
    public MessageWriter attrString(int type, String s) {
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        return attr(type, Arrays.copyOf(raw, raw.length + 1));
    }

    public MessageWriter attrAddress(int type, InetAddress a) {
        return attr(type, a.getAddress());
    }

    /** Opens a nested attribute; pass the returned mark to {@link #end(int)}. */
    public int begin(int type) {
        ensure(4);
        int mark = buf.position();
        buf.putShort((short) 0).putShort((short) type);
        return mark;
    }

    public MessageWriter end(int mark) {
        buf.putShort(mark, (short) (buf.position() - mark));
        return this;
    }

    /** The finished message with the given sequence number and sender port. */
    public byte[] toBytes(int seq, int portId) {
        byte[] out = Arrays.copyOf(buf.array(), buf.position());
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.nativeOrder());
        b.putInt(0, out.length).putInt(8, seq).putInt(12, portId);
        return out;
    }

    /** Whether {@code a} is an IPv4 address; attributes and family fields depend on it. */
    public static int familyOf(InetAddress a) {
        return a instanceof Inet4Address ? Libc.AF_INET : Libc.AF_INET6;
    }
}
