package dev.berth.netlink;

import java.nio.ByteBuffer;

/**
 * One received netlink message. {@code payload} is a view into the socket's receive buffer and is
 * valid only inside the parser callback it is handed to.
 */
public record Message(int type, int flags, int seq, ByteBuffer payload) {
    /** Attributes that follow a fixed family header of {@code headerSize} bytes. */
    public Attributes attributes(int headerSize) {
        ByteBuffer b = payload.duplicate();
        b.position(Math.min(b.limit(), Nl.align(headerSize)));
        return Attributes.parse(b);
    }
}
