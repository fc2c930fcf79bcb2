package dev.berth.daemon.containers;

/**
 * The container is already in the state asked for (start of a running one, stop of a stopped one): Docker
 * answers 304, so the API maps this to that status.
 */
public final class NotModified extends RuntimeException {
    public NotModified() {
        super("not modified", null, false, false);
    }
}
