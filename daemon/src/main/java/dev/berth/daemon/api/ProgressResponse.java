package dev.berth.daemon.api;

import dev.berth.daemon.http.ApiResponse;
import dev.berth.model.BerthException;
import dev.berth.runtime.image.ProgressEvent;
import dev.berth.runtime.image.ProgressListener;
import dev.berth.runtime.image.RegistryException;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Docker's JSON message stream for pull, push and load: the operation runs on its own thread and its
 * messages are written as they come, one JSON object per line. Like dockerd, nothing is sent before the
 * first message, so a failure before it (no such image, manifest unknown) is an ordinary error answer with
 * its status; a failure after it ends the stream with an {@code error} message, which the CLI prints.
 */
final class ProgressResponse {
    private static final Object DONE = new Object();

    private ProgressResponse() {}

    @FunctionalInterface
    interface Operation {
        void run(ProgressListener progress) throws Exception;
    }

    private record Failure(Throwable error) {}

    static ApiResponse run(String name, Operation op) throws Exception {
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        Thread.ofVirtual().name(name).start(() -> {
            try {
                op.run(queue::add);
                queue.add(DONE);
            } catch (Throwable t) {
                queue.add(new Failure(t));
            }
        });
        Object first = queue.take();
        if (first instanceof Failure(Throwable t)) {
            if (t instanceof IOException || t instanceof RegistryException)
                throw new BerthException.Failed(t.getMessage(), t);
            if (t instanceof Exception e) throw e;
            throw (Error) t;
        }
        return new ApiResponse.Stream(200, "application/json", out -> {
            Object o = first;
            while (o != DONE) {
                ProgressEvent e =
                        o instanceof Failure(Throwable t) ? ProgressEvent.failure(message(t)) : (ProgressEvent) o;
                out.write(Json.write(e));
                out.write("\n");
                if (o instanceof Failure) break;
                o = queue.take();
            }
        });
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
