package dev.berth.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The attributes of a received message (or of a nested attribute), by type. Values are views, not copies. */
public final class Attributes {
    private record Attr(int type, ByteBuffer value) {}

    private final List<Attr> list;

    private Attributes(List<Attr> list) {
        this.list = list;
    }

    /** Parses the attributes in {@code buf} from its position to its limit. */
    public static Attributes parse(ByteBuffer buf) {
        ByteBuffer b = buf.slice().order(ByteOrder.nativeOrder());
        List<Attr> out = new ArrayList<>(16);
        while (b.remaining() >= 4) {
            int start = b.position();
            int len = b.getShort(start) & 0xffff;
            int type = b.getShort(start + 2) & Nl.NLA_TYPE_MASK;
            if (len < 4 || start + len > b.limit()) break;
            out.add(new Attr(type, b.slice(start + 4, len - 4).order(ByteOrder.nativeOrder())));
            b.position(Math.min(b.limit(), start + Nl.align(len)));
        }
        return new Attributes(out);
    }

    public boolean has(int type) {
        return raw(type) != null;
    }

    /** The first attribute of this type, or null. */
    public ByteBuffer raw(int type) {
        for (Attr a : list) if (a.type == type) return a.value.duplicate().order(ByteOrder.nativeOrder());
        return null;
    }

    public Attributes nested(int type) {
        ByteBuffer v = raw(type);
        return v == null ? null : parse(v);
    }

    public String string(int type) {
        ByteBuffer v = raw(type);
        if (v == null) return null;
        int n = v.remaining();
        while (n > 0 && v.get(v.position() + n - 1) == 0) n--;
        byte[] b = new byte[n];
        v.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    public Integer u8(int type) {
        ByteBuffer v = raw(type);
        return v == null ? null : v.get(0) & 0xff;
    }

    public Integer u16(int type) {
        ByteBuffer v = raw(type);
        return v == null ? null : v.getShort(0) & 0xffff;
    }

    public Integer u32(int type) {
        ByteBuffer v = raw(type);
        return v == null ? null : v.getInt(0);
    }

    public byte[] bytes(int type) {
        ByteBuffer v = raw(type);
        if (v == null) return null;
        byte[] b = new byte[v.remaining()];
        v.get(b);
        return b;
    }

    public InetAddress address(int type) {
        byte[] b = bytes(type);
        if (b == null || (b.length != 4 && b.length != 16)) return null;
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
