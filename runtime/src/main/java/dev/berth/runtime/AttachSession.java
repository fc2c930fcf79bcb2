package dev.berth.runtime;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * One attacher of a running task ({@link ContainerRuntime#attach}). The output streams end (read returns
 * -1) when the task exits or the session is closed; closing the session leaves the task running.
 */
public interface AttachSession extends AutoCloseable {

    /** The task's stdin; writes fail once the task has exited. A stream that discards when attached without stdin. */
    OutputStream stdin();

    /** The task's stdout from the moment of attaching (with a terminal: all its output). */
    InputStream stdout();

    /** The task's stderr from the moment of attaching; at its end at once for a task with a terminal. */
    InputStream stderr();

    /** Detaches: ends this session's streams; the task runs on. */
    @Override
    void close();
}
