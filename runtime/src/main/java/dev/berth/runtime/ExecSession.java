package dev.berth.runtime;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * A started exec process. Its output streams end when the process (and every writer it left) has
 * exited; closing {@link #stdin()} sends end of file to the process.
 */
public interface ExecSession extends AutoCloseable {

    /** The process's pid in the host's pid namespace. */
    long pid();

    OutputStream stdin();

    InputStream stdout();

    /** At its end at once for a process with a terminal. */
    InputStream stderr();

    /** The exit status (128+N after signal N), when the process has exited. */
    CompletableFuture<Integer> exitCode();

    /** Sends a signal to the process (a healthcheck past its timeout is killed, as Docker does). */
    void kill(int signal);

    /** Resizes the process's terminal (width and height in characters). */
    void resize(int width, int height);

    /** Lets go of the streams and deletes the exec from containerd once it has exited; a running process runs on. */
    @Override
    void close();
}
