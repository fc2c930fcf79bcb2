package dev.berth.runtime.containerd.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A thread copying one output FIFO of a task to a sink until end-of-file (the shim closed its end: all
 * output was copied) or until berthd lets go of it. It always reads promptly, whatever the sink's
 * consumers do, so the task never blocks on this pipe while berthd runs.
 */
public final class OutputPump {
    private static final Logger LOG = Logger.getLogger(OutputPump.class.getName());

    private final CompletableFuture<Void> done = new CompletableFuture<>();

    private OutputPump() {}

    /** Starts the copy; {@code sink} gets each chunk read, {@code onEnd} runs once at the end. */
    public static OutputPump start(String name, FileChannel from, Consumer<byte[]> sink, Runnable onEnd) {
        OutputPump p = new OutputPump();
        Thread.ofPlatform().daemon().name(name).start(() -> {
            ByteBuffer buf = ByteBuffer.allocate(32 * 1024);
            try (from) {
                while (true) {
                    buf.clear();
                    int n = from.read(buf);
                    if (n < 0) break;
                    if (n > 0) sink.accept(Arrays.copyOf(buf.array(), n));
                }
            } catch (IOException e) {
                // closed by berthd (runtime closed, task deleted): the shim keeps the FIFO for the next reader
                LOG.log(Level.FINE, name + ": " + e);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, name + ": output lost: " + e.getMessage(), e);
            } finally {
                try {
                    onEnd.run();
                } finally {
                    p.done.complete(null);
                }
            }
        });
        return p;
    }

    public CompletableFuture<Void> done() {
        return done;
    }
}
