package dev.berth.daemon.http;

import dev.berth.daemon.api.Json;
import dev.berth.model.log.Log;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A connection taken over after an upgrade request. Bytes from the client queue up for {@link #input()}
 * (reading pauses while more than a few chunks wait); bytes to the client go through {@link #output()}.
 */
final class RawChannel implements RawConnection {
    private static final byte[] EOF = new byte[0];
    private static final int PAUSE_AT = 16;

    private final Channel channel;
    private final LinkedBlockingQueue<byte[]> inbox = new LinkedBlockingQueue<>();
    private final ChannelOutput output;

    RawChannel(Channel channel) {
        this.channel = channel;
        this.output = new ChannelOutput(channel, b -> b);
    }

    ChannelInboundHandlerAdapter inbound() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf buf) {
                    try {
                        byte[] b = new byte[buf.readableBytes()];
                        buf.readBytes(b);
                        if (b.length > 0) inbox.add(b);
                        if (inbox.size() >= PAUSE_AT) channel.config().setAutoRead(false);
                    } finally {
                        buf.release();
                    }
                }
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof ChannelInputShutdownEvent) inbox.add(EOF);
                ctx.fireUserEventTriggered(evt);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                inbox.add(EOF);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                inbox.add(EOF);
                ctx.close();
            }
        };
    }

    /** Sends the upgrade and runs the session, or, when the handler refused, a plain error; then closes. */
    void answer(ApiResponse response) {
        try {
            if (response instanceof ApiResponse.Hijack h) {
                output.write(ApiHandler.rawHead(101, "UPGRADED", h.contentType(), 0));
                h.session().run(this);
            } else {
                byte[] body = response instanceof ApiResponse.Json j ? Json.write(j.body()) : new byte[0];
                String head = ApiHandler.rawHead(response.status(), "Error", "application/json", body.length);
                output.write(head);
                output.write(body);
            }
        } catch (Throwable e) {
            if (channel.isActive()) Log.warn("attached session failed", "error", String.valueOf(e.getMessage()));
        } finally {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public Output output() {
        return output;
    }

    @Override
    public InputStream input() {
        return new InputStream() {
            private byte[] current = new byte[0];
            private int pos;
            private boolean ended;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                while (pos >= current.length) {
                    if (ended) return -1;
                    try {
                        current = inbox.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                    pos = 0;
                    if (current == EOF) {
                        ended = true;
                        return -1;
                    }
                    if (inbox.size() < PAUSE_AT / 2 && !channel.config().isAutoRead()) {
                        channel.config().setAutoRead(true);
                        channel.read();
                    }
                }
                int n = Math.min(len, current.length - pos);
                System.arraycopy(current, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    /** A stream body presented as a connection without input (attach requested without an upgrade). */
    record OutputOnly(Output output) implements RawConnection {
        @Override
        public InputStream input() {
            return InputStream.nullInputStream();
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
