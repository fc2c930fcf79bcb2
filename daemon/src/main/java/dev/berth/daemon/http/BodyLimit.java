package dev.berth.daemon.http;

import dev.berth.daemon.json.Json;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Netty's aggregator with berthd's answer to a body past the limit: 413 with a message saying the
 * limit, then the connection is closed (the rest of the body is never read).
 */
final class BodyLimit extends HttpObjectAggregator {
    private final int max;

    BodyLimit(int max) {
        super(max);
        this.max = max;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        byte[] body = Json.write(ErrorResponses.message(
                        413,
                        "request body larger than " + max + " bytes: berthd takes at most " + max
                                + " bytes in one request")
                .body());
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
        ApiHandler.common(r.headers());
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        HttpUtil.setContentLength(r, body.length);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
}
