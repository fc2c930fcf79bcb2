package dev.berth.daemon.http;

import java.util.concurrent.CompletableFuture;

/**
 * What the API answers while berthd is starting. The socket is bound before containerd, the engine's
 * reconcile and the rest are up, so that a client's first {@code /_ping} is answered at once: until
 * {@link #open} only the early routes (ping, version) run; every other request waits, unread, until the
 * daemon is ready (the docker CLI pings, then sends its request: that request must wait rather than fail).
 * If the start fails, the waiting connections are closed with the server.
 */
public final class StartupGate {
    private final Router early;
    private final CompletableFuture<Router> full = new CompletableFuture<>();

    private StartupGate(Router early) {
        this.early = early;
    }

    /** A gate answering {@code early}'s routes until {@link #open} is called. */
    public static StartupGate starting(Router early) {
        return new StartupGate(early);
    }

    /** A gate that is open from the start (a server bound once everything is ready). */
    public static StartupGate ready(Router router) {
        StartupGate g = new StartupGate(router);
        g.open(router);
        return g;
    }

    /** The daemon is ready: {@code router} answers everything from now on, the waiting requests first. */
    public void open(Router router) {
        full.complete(router);
    }

    /** The start failed: the waiting requests are dropped with their connections. */
    public void fail(Throwable cause) {
        full.completeExceptionally(cause);
    }

    boolean isOpen() {
        return full.isDone() && !full.isCompletedExceptionally();
    }

    /** The full router once open, the early one before. */
    Router router() {
        return isOpen() ? full.join() : early;
    }

    /** Whether a request may run before the daemon is ready (HEAD falls back to GET, as in ApiHandler). */
    boolean early(String method, String path) {
        return early.find(method, path) != null || method.equals("HEAD") && early.find("GET", path) != null;
    }

    /** Runs {@code action} once the gate opened or failed (at once if it already did). */
    void whenSettled(Runnable action) {
        full.whenComplete((r, e) -> action.run());
    }
}
