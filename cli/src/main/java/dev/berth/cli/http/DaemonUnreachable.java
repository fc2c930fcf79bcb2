package dev.berth.cli.http;

/** The daemon's socket cannot be reached: not running, wrong path, or no permission. */
public final class DaemonUnreachable extends RuntimeException {
    public DaemonUnreachable(String message, Throwable cause) {
        super(message, cause);
    }
}
