package dev.berth.runtime;
import java.io.*;
import java.util.concurrent.CompletableFuture;
public interface ExecSession extends AutoCloseable {
    long pid(); OutputStream stdin(); InputStream stdout(); InputStream stderr(); CompletableFuture<Integer> exitCode(); void resize(int w, int h); void close();
}
