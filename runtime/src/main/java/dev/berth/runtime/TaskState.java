package dev.berth.runtime;

import java.time.Instant;

/**
 * A task as containerd reports it.
 *
 * @param status     CREATED (not started), RUNNING, PAUSED (frozen), STOPPED (exited, not yet deleted)
 * @param pid        its init process in the host's pid namespace; 0 when stopped
 * @param exitCode   the exit status when STOPPED (128+N after signal N), else 0
 * @param startedAt  when it started, null if unknown
 * @param finishedAt when it exited, null while it runs
 * @param oomKilled  the kernel's OOM killer ended it
 */
public record TaskState(
        Status status, long pid, int exitCode, Instant startedAt, Instant finishedAt, boolean oomKilled) {
    public enum Status {
        CREATED,
        RUNNING,
        PAUSED,
        STOPPED
    }
}
