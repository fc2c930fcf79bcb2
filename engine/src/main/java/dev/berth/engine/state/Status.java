package dev.berth.engine.state;

/**
 * Where an object stands. Records are written CREATING before the kernel is touched and REMOVING
 * before teardown starts, so a crash in between is finished (rolled back or completed) at start-up.
 */
public enum Status {
    CREATING,
    ACTIVE,
    REMOVING
}
