package dev.berth.runtime;
public interface LogReader extends AutoCloseable {
    LogChunk next() throws java.io.IOException, InterruptedException;
    void close() throws java.io.IOException;
}
