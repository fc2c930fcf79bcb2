package dev.berth.daemon.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;

/**
 * Marks a connection whose client has sent bytes since its last complete request, so that a timeout
 * can tell a stalled request (answered 408) from an idle keep-alive connection (closed without a word,
 * as Go's and Docker's servers close idle connections: an unasked answer would puzzle the client).
 */
@ChannelHandler.Sharable
final class RequestStarted extends ChannelInboundHandlerAdapter {
    static final String NAME = "request-started";
    static final RequestStarted INSTANCE = new RequestStarted();
    private static final AttributeKey<Boolean> STARTED = AttributeKey.valueOf("berth.request-started");

    private RequestStarted() {}

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.channel().attr(STARTED).set(true);
        ctx.fireChannelRead(msg);
    }

    /** Whether bytes came since {@link #reset}. */
    static boolean started(ChannelHandlerContext ctx) {
        return Boolean.TRUE.equals(ctx.channel().attr(STARTED).get());
    }

    /** A complete request arrived: what follows belongs to the next one. */
    static void reset(ChannelHandlerContext ctx) {
        ctx.channel().attr(STARTED).set(false);
    }
}
