package dev.berth.runtime;
import java.time.Instant;
public record TaskState(Status status, long pid, int exitCode, Instant startedAt, Instant finishedAt, boolean oomKilled) {
    public enum Status { CREATED, RUNNING, PAUSED, STOPPED }
}
