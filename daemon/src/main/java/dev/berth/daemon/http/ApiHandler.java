package dev.berth.daemon.http;

import dev.berth.daemon.json.Json;
import dev.berth.daemon.trace.StageTrace;
import dev.berth.model.log.Log;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Turns decoded HTTP requests into {@link ApiRequest}s, runs the matching route on a worker, and writes
 * the {@link ApiResponse} back: whole, streamed (chunked) or, for attach and exec, after taking the
 * connection over (the HTTP codec leaves the pipeline and raw bytes flow both ways).
 */
final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final String CODEC = "http-codec";
    static final String STREAMED = "http-streamed-bodies";
    static final String AGGREGATOR = "http-aggregator";
    static final String API = "api";
    static final String RAW = "raw";
    private static final String SERVER = ApiVersions.server();

    private final StartupGate gate;
    private final ExecutorService workers;
    private final ApiLimits limits;
    /** Requests of this connection not yet answered, and whether the client has stopped sending; event-loop only. */
    private int pending;

    private boolean inputClosed;
    /** Closes a connection that takes too long to deliver its next request; event-loop only. */
    private ScheduledFuture<?> deadline;
    /**
     * Done when the previous request's answer was written: pipelined requests are handled at once but
     * answered in their order (HTTP/1.1), so a later {@code Connection: close} cannot end the connection
     * before an earlier answer went out. Event-loop only.
     */
    private CompletableFuture<Void> answered = CompletableFuture.completedFuture(null);

    ApiHandler(StartupGate gate, ExecutorService workers, ApiLimits limits) {
        this.gate = gate;
        this.workers = workers;
        this.limits = limits;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm(); // taken over by attach or exec: the connection is in use for as long as they run
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        disarm();
        RequestStarted.reset(ctx);
        if (req.decoderResult().isFailure()) {
            refuse(ctx, req.decoderResult().cause());
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        pending++;
        String method = req.method().name();
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        Map<String, String> headers = new HashMap<>();
        for (Map.Entry<String, String> h : req.headers())
            headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue());
        byte[] body = new byte[req.content().readableBytes()];
        req.content().readBytes(body);

        ApiVersions.Versioned v;
        try {
            v = ApiVersions.split(uri.path());
        } catch (ApiVersions.TooOld e) {
            writeWhole(ctx, new ApiResponse.Text(400, e.getMessage()), keepAlive, method);
            return;
        }
        Router router = gate.router();
        Router.Match match =
                router.find(method.equals("HEAD") && router.find("HEAD", v.path()) == null ? "GET" : method, v.path());
        ApiRequest request = new ApiRequest(
                method,
                v.path(),
                match == null ? Map.of() : match.params(),
                uri.parameters(),
                headers,
                body,
                v.version());
        RawChannel raw = request.wantsUpgrade() && match != null ? takeOver(ctx) : null;
        CompletableFuture<Void> before = answered, mine = new CompletableFuture<>();
        answered = mine;
        try {
            workers.execute(() -> {
                try {
                    ApiResponse response = dispatch(match, request);
                    before.join();
                    if (raw != null) raw.answer(response);
                    else write(ctx, response, keepAlive, method);
                    StageTrace.end();
                } finally {
                    mine.complete(null);
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            mine.complete(null);
            ctx.close();
        }
    }

    /**
     * A request whose body streams ({@link StreamedBodies}): routed and run at once with {@code body}; the
     * connection closes after the answer, since the handler may answer before the body's end.
     */
    void handleStreamed(ChannelHandlerContext ctx, HttpRequest req, InputStream body) {
        disarm(); // its body may take long to arrive (an image archive): the connection is in use, and closed after
        String method = req.method().name();
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        Map<String, String> headers = new HashMap<>();
        for (Map.Entry<String, String> h : req.headers())
            headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue());
        ApiVersions.Versioned v = ApiVersions.split(uri.path());
        Router.Match match = gate.router().find(method, v.path());
        ApiRequest request = new ApiRequest(
                method,
                v.path(),
                match == null ? Map.of() : match.params(),
                uri.parameters(),
                headers,
                new byte[0],
                v.version(),
                body);
        try {
            workers.execute(() -> write(ctx, dispatch(match, request), false, method));
        } catch (RejectedExecutionException shuttingDown) {
            ctx.close();
        }
    }

    private ApiResponse dispatch(Router.Match match, ApiRequest request) {
        long start = System.nanoTime();
        ApiResponse response;
        if (match == null) {
            response = gate.router().knowsPath(request.path())
                    ? ErrorResponses.message(405, "method " + request.method() + " is not allowed on " + request.path())
                    : ErrorResponses.message(404, "page not found");
        } else {
            StageTrace.begin(match.route().method() + " " + match.route().pattern());
            try {
                response = match.route().handler().handle(request);
            } catch (Throwable e) {
                response = ErrorResponses.of(e, request);
            }
            StageTrace.point("http:handled");
        }
        if (Log.enabled(Log.Level.DEBUG))
            Log.debug(
                    "api",
                    "method",
                    request.method(),
                    "path",
                    request.path(),
                    "status",
                    response.status(),
                    "us",
                    (System.nanoTime() - start) / 1000);
        return response;
    }

    private void write(ChannelHandlerContext ctx, ApiResponse response, boolean keepAlive, String method) {
        write(ctx, response, keepAlive, method, Map.of());
    }

    private void write(
            ChannelHandlerContext ctx,
            ApiResponse response,
            boolean keepAlive,
            String method,
            Map<String, String> extra) {
        switch (response) {
            case ApiResponse.WithHeaders w -> write(ctx, w.inner(), keepAlive, method, w.headers());
            case ApiResponse.Stream s -> writeStream(ctx, s, keepAlive, extra);
            case ApiResponse.Hijack h -> {
                // The client asked for a stream without the upgrade headers: give it the stream as a body.
                writeStream(
                        ctx,
                        new ApiResponse.Stream(
                                200, h.contentType(), out -> h.session().run(new RawChannel.OutputOnly(out))),
                        false,
                        extra);
            }
            default -> writeWhole(ctx, response, keepAlive, method, extra);
        }
    }

    private void writeWhole(ChannelHandlerContext ctx, ApiResponse response, boolean keepAlive, String method) {
        writeWhole(ctx, response, keepAlive, method, Map.of());
    }

    private void writeWhole(
            ChannelHandlerContext ctx,
            ApiResponse response,
            boolean keepAlive,
            String method,
            Map<String, String> extra) {
        byte[] body;
        String type;
        switch (response) {
            case ApiResponse.Json j -> {
                body = Json.write(j.body());
                type = "application/json";
            }
            case ApiResponse.Text t -> {
                body = t.text().getBytes(StandardCharsets.UTF_8);
                type = "text/plain; charset=utf-8";
            }
            default -> {
                body = new byte[0];
                type = null;
            }
        }
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.status()), Unpooled.wrappedBuffer(body));
        common(r.headers());
        if (type != null) r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        extra.forEach(r.headers()::set);
        if (response.status() == 200 && method.equals("HEAD") || response instanceof ApiResponse.Text)
            r.headers()
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-cache, no-store, must-revalidate")
                    .set(HttpHeaderNames.PRAGMA, "no-cache");
        if (response.status() != 204 && response.status() != 304) HttpUtil.setContentLength(r, body.length);
        if (keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(r).addListener(f -> answered(ctx));
        } else {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * A response went out: when the client has half-closed the connection and nothing else is owed,
     * close it. The server keeps half-closed connections open (exec's stdin needs that), so without
     * this every client that hangs up after its last response would leave a socket behind in berthd.
     */
    private void answered(ChannelHandlerContext ctx) {
        pending--;
        if (inputClosed && pending <= 0) ctx.close();
        else if (pending <= 0) arm(ctx);
    }

    /** Answers a request the codec could not read (too long, or not HTTP) and closes: what follows cannot be trusted. */
    private void refuse(ChannelHandlerContext ctx, Throwable cause) {
        int status;
        String message;
        if (cause instanceof TooLongHttpLineException) {
            status = 414;
            message = "the request line is longer than " + limits.maxHeaderBytes() + " bytes";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = 431;
            message = "the request headers are larger than " + limits.maxHeaderBytes() + " bytes";
        } else {
            status = 400;
            message = "malformed HTTP request: "
                    + (cause == null || cause.getMessage() == null ? "cannot be decoded" : cause.getMessage());
        }
        writeWhole(ctx, ErrorResponses.message(status, message), false, "GET");
    }

    /**
     * A connection must deliver a complete request within the request timeout of connecting or of its
     * last answer: a started request is answered 408, an idle connection is closed.
     */
    private void arm(ChannelHandlerContext ctx) {
        disarm();
        deadline = ctx.executor()
                .schedule(
                        () -> {
                            if (pending > 0 || !ctx.channel().isActive()) return;
                            // a request held while berthd starts: the start is not the client's delay
                            if (!gate.isOpen()) {
                                arm(ctx);
                                return;
                            }
                            if (!RequestStarted.started(ctx)) {
                                ctx.close(); // idle: nothing asked, nothing to answer
                                return;
                            }
                            writeWhole(
                                    ctx,
                                    ErrorResponses.message(
                                            408,
                                            "no complete request within "
                                                    + limits.requestTimeout().toSeconds()
                                                    + " s; the connection is closed"),
                                    false,
                                    "GET");
                        },
                        limits.requestTimeout().toMillis(),
                        TimeUnit.MILLISECONDS);
    }

    private void disarm() {
        if (deadline != null) deadline.cancel(false);
        deadline = null;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputClosed = true;
            if (pending <= 0) ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void writeStream(
            ChannelHandlerContext ctx, ApiResponse.Stream s, boolean keepAlive, Map<String, String> extra) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(s.status()));
        common(head.headers());
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, s.contentType());
        extra.forEach(head.headers()::set);
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.writeAndFlush(head);
        ChannelOutput out = new ChannelOutput(ctx.channel(), bytes -> new DefaultHttpContent(bytes));
        try {
            s.body().writeTo(out);
        } catch (Throwable e) {
            if (ctx.channel().isActive()) Log.warn("stream ended early", "error", String.valueOf(e.getMessage()));
        }
        var last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!keepAlive) last.addListener(ChannelFutureListener.CLOSE);
        else last.addListener(f -> answered(ctx));
    }

    /** Swaps the HTTP codec for a raw handler before any byte after the request is decoded as HTTP. */
    private RawChannel takeOver(ChannelHandlerContext ctx) {
        RawChannel raw = new RawChannel(ctx.channel());
        var p = ctx.pipeline();
        p.addLast(RAW, raw.inbound());
        p.remove(AGGREGATOR);
        p.remove(STREAMED);
        p.remove(this);
        p.remove(CODEC); // bytes it had buffered past the request flow on to the raw handler
        return raw;
    }

    static void common(HttpHeaders h) {
        h.set("Api-Version", ApiVersions.CURRENT);
        h.set("Docker-Experimental", "false");
        h.set("Ostype", "linux");
        h.set(HttpHeaderNames.SERVER, SERVER);
        h.set(HttpHeaderNames.DATE, DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
    }

    static String rawHead(int status, String reason, String contentType, int contentLength) {
        StringBuilder b = new StringBuilder("HTTP/1.1 ")
                .append(status)
                .append(' ')
                .append(reason)
                .append("\r\n");
        b.append("Api-Version: ").append(ApiVersions.CURRENT).append("\r\n");
        b.append("Content-Type: ").append(contentType).append("\r\n");
        if (status == 101) b.append("Connection: Upgrade\r\nUpgrade: tcp\r\n");
        else b.append("Content-Length: ").append(contentLength).append("\r\nConnection: close\r\n");
        return b.append("\r\n").toString();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Log.debug("connection error", "error", String.valueOf(cause.getMessage()));
        ctx.close();
    }

    static ByteBuf copy(byte[] b, int off, int len) {
        return Unpooled.copiedBuffer(b, off, len);
    }
}
