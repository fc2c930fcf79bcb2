package dev.berth.daemon.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Sits right after the HTTP codec and applies the {@link StartupGate}: while berthd starts, a request
 * that is not an early route is held with everything after it on its connection (reading stops), and
 * passed on in order once the gate opens; its connection is closed if the start fails. Once the gate is
 * open the handler leaves the pipeline.
 */
final class GateHandler extends ChannelInboundHandlerAdapter {
    static final String NAME = "startup-gate";
    private final StartupGate gate;
    /** Messages held while the daemon starts; null when not holding. Event-loop only. */
    private ArrayDeque<Object> held;

    GateHandler(StartupGate gate) {
        this.gate = gate;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (held != null) {
            held.add(msg);
            return;
        }
        if (gate.isOpen()) {
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(msg);
            return;
        }
        if (msg instanceof HttpRequest req && !early(req)) {
            held = new ArrayDeque<>();
            held.add(msg);
            ctx.channel().config().setAutoRead(false);
            gate.whenSettled(() -> ctx.executor().execute(() -> release(ctx)));
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private boolean early(HttpRequest req) {
        if (req.decoderResult().isFailure()) return true; // refused at once, as below
        try {
            String path =
                    ApiVersions.split(new QueryStringDecoder(req.uri()).path()).path();
            return gate.early(req.method().name(), path);
        } catch (RuntimeException tooOldOrMalformed) {
            return true; // answered at once with its 400, which needs nothing of the daemon
        }
    }

    /** The gate settled: pass on what was held (in order), or close if the start failed. */
    private void release(ChannelHandlerContext ctx) {
        ArrayDeque<Object> q = held;
        held = null;
        if (q == null) return;
        if (!gate.isOpen() || !ctx.channel().isActive()) {
            q.forEach(ReferenceCountUtil::release); // a HeldEvent is not reference-counted: release ignores it
            ctx.close();
            return;
        }
        if (ctx.pipeline().context(this) != null) ctx.pipeline().remove(this);
        while (!q.isEmpty()) {
            Object next = q.poll();
            if (next instanceof HeldEvent(Object evt)) ctx.fireUserEventTriggered(evt);
            else ctx.fireChannelRead(next);
        }
        ctx.channel().config().setAutoRead(true);
    }

    /** A half-close while a request is held: it must reach the API after that request, not before. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (held != null) held.add(new HeldEvent(evt));
        else ctx.fireUserEventTriggered(evt);
    }

    private record HeldEvent(Object evt) {}

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (held != null) held.forEach(ReferenceCountUtil::release);
        held = null;
        ctx.fireChannelInactive();
    }
}
