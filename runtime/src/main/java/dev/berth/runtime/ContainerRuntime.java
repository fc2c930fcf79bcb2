package dev.berth.runtime;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.CompletableFuture;
// STUB
public interface ContainerRuntime extends AutoCloseable {
    record CreateRequest(String imageRef, String snapshotParent, String ociSpecJson, boolean tty, boolean openStdin, boolean stdinOnce, Map<String,String> labels, LogConfig log) {}
    record LogConfig(long maxSize, int maxFiles) {}
    static ContainerRuntime open(RuntimeConfig c) { throw new UnsupportedOperationException(); }
    void create(String id, CreateRequest r);
    void updateSpec(String id, String json);
    TaskState start(String id);
    TaskState state(String id);
    CompletableFuture<TaskState> exited(String id);
    void kill(String id, int sig);
    void stop(String id, int sig, Duration grace);
    void pause(String id);
    void resume(String id);
    void deleteTask(String id);
    void delete(String id);
    AttachSession attach(String id, boolean stdin, boolean stdout, boolean stderr);
    void resize(String id, int w, int h);
    ExecSession exec(String id, ExecRequest r);
    LogReader logs(String id, LogOptions o);
    Set<String> ids();
    void close();
}
