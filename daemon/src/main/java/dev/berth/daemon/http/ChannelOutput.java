package dev.berth.daemon.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.io.IOException;
import java.util.function.Function;

/** Writes to a Netty channel from a worker thread, waiting whenever the client falls behind. */
final class ChannelOutput implements RawConnection.Output {
    private final Channel channel;
    private final Function<ByteBuf, Object> wrap;

    ChannelOutput(Channel channel, Function<ByteBuf, Object> wrap) {
        this.channel = channel;
        this.wrap = wrap;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (length == 0) return;
        if (!channel.isActive()) throw new IOException("the client went away");
        ChannelFuture f = channel.writeAndFlush(wrap.apply(Unpooled.copiedBuffer(bytes, offset, length)));
        if (!channel.isWritable()) {
            f.awaitUninterruptibly();
            if (!f.isSuccess()) throw new IOException("the client went away", f.cause());
        }
    }

    @Override
    public boolean isOpen() {
        return channel.isActive();
    }
}
