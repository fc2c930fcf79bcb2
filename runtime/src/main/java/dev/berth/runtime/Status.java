package dev.berth.runtime;

/** Where a container's process stands, with Docker's meanings. */
public enum Status {
    /** Made (files written), never started, or its last start failed. */
    CREATED,
    /** Its process runs. */
    RUNNING,
    /** Its process has exited; the exit code is known. */
    EXITED
}
