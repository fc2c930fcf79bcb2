package dev.berth.daemon.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits before the aggregator and takes the requests of routes that read their body as a stream
 * ({@link Router#streamBody}): their handler runs at once with a {@link BodyPipe}, fed as the body's chunks
 * arrive, instead of after the whole body was gathered (which the aggregator limits to 16 MiB).
 */
final class StreamedBodies extends ChannelInboundHandlerAdapter {
    private final StartupGate gate;
    private final ApiHandler api;
    private BodyPipe current;

    StreamedBodies(StartupGate gate, ApiHandler api) {
        this.gate = gate;
        this.api = api;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (current == null && msg instanceof HttpRequest req && !(msg instanceof FullHttpRequest) && streamed(req)) {
            current = new BodyPipe(ctx.channel());
            api.handleStreamed(ctx, req, current);
            if (msg instanceof HttpContent c) take(c); // a request object that carries content too
            return;
        }
        if (current != null && msg instanceof HttpContent c) {
            take(c);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void take(HttpContent c) {
        try {
            ByteBuf buf = c.content();
            byte[] b = new byte[buf.readableBytes()];
            buf.readBytes(b);
            current.offer(b);
            if (c instanceof LastHttpContent) {
                current.end();
                current = null;
            }
        } finally {
            ReferenceCountUtil.release(c);
        }
    }

    private boolean streamed(HttpRequest req) {
        try {
            return gate.router()
                    .streamsBody(
                            req.method().name(),
                            ApiVersions.split(new QueryStringDecoder(req.uri()).path())
                                    .path());
        } catch (ApiVersions.TooOld e) {
            return false;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null) current.lost();
        current = null;
        ctx.fireChannelInactive();
    }
}
