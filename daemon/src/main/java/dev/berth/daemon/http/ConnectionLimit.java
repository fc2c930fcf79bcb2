package dev.berth.daemon.http;

import dev.berth.model.log.Log;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cap on open API connections: one past it is answered 503 with a message and closed before any
 * of its bytes are read, so a flood of connections costs berthd a bounded number of descriptors.
 */
@ChannelHandler.Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {
    static final String NAME = "connection-limit";
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger refusedSinceLog = new AtomicInteger();

    ConnectionLimit(int max) {
        this.max = max;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() <= max) {
            ctx.fireChannelActive();
            return;
        }
        ctx.channel().config().setAutoRead(false);
        if (refusedSinceLog.getAndIncrement() % 1000 == 0)
            Log.warn("too many API connections: refusing", "max", max, "refused", refusedSinceLog.get());
        byte[] body = ("{\"message\":\"too many connections: berthd serves at most " + max
                        + " API connections at once (--max-connections); retry when some have closed\"}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] head = ApiHandler.rawHead(503, "Service Unavailable", "application/json", body.length)
                .getBytes(StandardCharsets.ISO_8859_1);
        ctx.writeAndFlush(Unpooled.wrappedBuffer(head, body)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        open.decrementAndGet();
        ctx.fireChannelInactive();
    }

    /** Connections open now, refused ones included until they are closed. */
    int open() {
        return open.get();
    }
}
