package dev.berth.runtime;

import java.io.IOException;

/**
 * A container's logs as chunks in the order they were written, stdout and stderr interleaved as the
 * process wrote them ({@link ContainerRuntime#logs}).
 */
public interface LogReader extends AutoCloseable {

    /** The next chunk; null at the end. With {@code follow}, blocks until there is output or the task has exited. */
    LogChunk next() throws IOException, InterruptedException;

    @Override
    void close() throws IOException;
}
