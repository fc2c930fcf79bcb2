package dev.berth.runtime.containerd.io;

import dev.berth.model.log.Log;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Copies one output FIFO of a process to a sink until end-of-file (the shim closed its end: all output
 * was copied) or until berthd lets go of it ({@link #stop}). A task's streams are read by the shared
 * {@link FifoPoller} (their sinks never block); an exec's by a thread of its own, since its sink may wait
 * for a slow client. Either way the FIFO is read promptly, so the task never blocks on it while berthd runs.
 */
public final class OutputPump {

    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private Runnable stopper = () -> {};

    private OutputPump() {}

    /** Starts the copy on the shared poller; takes over {@code fd} (the FIFO open non-blocking for reading). */
    public static OutputPump polled(String name, int fd, Consumer<byte[]> sink, Runnable onEnd) throws IOException {
        OutputPump p = new OutputPump();
        FifoPoller.Polled polled = FifoPoller.get().add(name, fd, sink, () -> {
            try {
                onEnd.run();
            } finally {
                p.done.complete(null);
            }
        });
        p.stopper = polled::stop;
        return p;
    }

    /** Starts the copy on a thread of its own; {@code sink} gets each chunk read, {@code onEnd} runs once at the end. */
    public static OutputPump start(String name, FileChannel from, Consumer<byte[]> sink, Runnable onEnd) {
        OutputPump p = new OutputPump();
        p.stopper = () -> {
            try {
                from.close(); // wakes the thread blocked in read
            } catch (IOException e) {
                // nothing to do
            }
        };
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
                Log.debug("output pump ended", "pump", name, "error", e);
            } catch (RuntimeException e) {
                Log.warn("output lost", "pump", name, "error", e);
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

    /** berthd lets go of the FIFO: the copy ends (onEnd runs) without waiting for end-of-file. */
    public void stop() {
        stopper.run();
    }

    public CompletableFuture<Void> done() {
        return done;
    }
}
