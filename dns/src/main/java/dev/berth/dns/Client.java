package dev.berth.dns;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/** Where the answer to a forwarded query goes. */
sealed interface Client {
    /** Delivers an answer; never throws (a client that went away is simply not answered). */
    void deliver(byte[] answer, int length);

    /** The largest answer this client can take without truncation. */
    int limit();

    /** A sandbox that asked over UDP; its socket is thread-safe for sends. */
    record Udp(DatagramChannel channel, SocketAddress address, int limit) implements Client {
        @Override
        public void deliver(byte[] answer, int length) {
            try {
                channel.send(ByteBuffer.wrap(answer, 0, length), address);
            } catch (IOException | RuntimeException e) {
                // the sandbox's socket is closed (detached) or its buffer is full: like a lost datagram
            }
        }
    }

    /** A sandbox that asked over TCP; its connection's thread waits on the future. */
    record Tcp(CompletableFuture<byte[]> answer) implements Client {
        @Override
        public void deliver(byte[] bytes, int length) {
            answer.complete(length == bytes.length ? bytes : Arrays.copyOf(bytes, length));
        }

        @Override
        public int limit() {
            return 65535;
        }
    }
}
