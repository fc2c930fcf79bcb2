package dev.berth.runtime;

import java.time.Instant;

/**
 * A container as {@code state.json} keeps it. The wrapper's pid and exit files are the truth about the
 * process; this record caches them with the spec and the times, and is replaced atomically.
 */
record StoredContainer(ContainerSpec spec, Status status, long pid, long pidStart, long wrapperPid, long wrapperStart,
                       Instant created, Instant startedAt, Instant finishedAt, Integer exitCode, String error) {

    static StoredContainer created(ContainerSpec spec, Instant now) {
        return new StoredContainer(spec, Status.CREATED, 0, 0, 0, 0, now, null, null, null, null);
    }

    StoredContainer running(PidFile p, Instant at) {
        return new StoredContainer(spec, Status.RUNNING, p.pid(), p.pidStart(), p.wrapperPid(), p.wrapperStart(),
                created, at, null, null, null);
    }

    StoredContainer exited(Integer code, Instant at, String why) {
        return new StoredContainer(spec, Status.EXITED, 0, 0, 0, 0, created, startedAt, at, code, why);
    }

    /** A start that failed: the container stays CREATED with Docker's exit status and the reason. */
    StoredContainer failedStart(int code, String why) {
        return new StoredContainer(spec, Status.CREATED, 0, 0, 0, 0, created, startedAt, finishedAt, code, why);
    }

    StoredContainer withSpec(ContainerSpec s) {
        return new StoredContainer(s, status, pid, pidStart, wrapperPid, wrapperStart, created, startedAt, finishedAt,
                exitCode, error);
    }

    ContainerState view() {
        return new ContainerState(spec.id(), spec.name(), status, pid, created, startedAt, finishedAt, exitCode, error);
    }
}
