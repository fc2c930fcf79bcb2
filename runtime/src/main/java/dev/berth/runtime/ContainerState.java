package dev.berth.runtime;

import java.time.Instant;

/**
 * A snapshot of a container, as Docker's {@code State} shows it.
 *
 * @param pid        the host PID of the container's command while it runs, else 0
 * @param startedAt  when the last start succeeded, or null
 * @param finishedAt when the last run ended, or null
 * @param exitCode   the last run's exit status (128+N when signal N killed it; 125 set-up failed, 126 command not
 *                   executable, 127 command not found), or null while none is known
 * @param error      why the last start failed or why the exit status is unknown, or null
 */
public record ContainerState(String id, String name, Status status, long pid, Instant created, Instant startedAt,
                             Instant finishedAt, Integer exitCode, String error) {

    public boolean running() {
        return status == Status.RUNNING;
    }
}
