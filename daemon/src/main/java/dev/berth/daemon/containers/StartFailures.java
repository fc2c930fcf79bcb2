package dev.berth.daemon.containers;

import dev.berth.model.BerthException;

/**
 * Docker's reading of a failed start: a program that is not there is 127, one that cannot be run is
 * 126, anything else 128; the error keeps runc's words, which the docker CLI matches to choose its own
 * exit status (127, 126, else 125).
 */
final class StartFailures {
    record Failure(int exitCode, String message, RuntimeException error) {}

    private StartFailures() {}

    static Failure classify(RuntimeException e) {
        if (e instanceof BerthException.Conflict || e instanceof BerthException.NotFound)
            return new Failure(128, e.getMessage(), e); // the network side refused: no process was tried
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int code;
        if (m.contains("executable file not found") || m.contains("no such file or directory")) code = 127;
        else if (m.contains("permission denied") || m.contains("is a directory")) code = 126;
        else code = 128;
        if (e instanceof BerthException.InvalidRequest) return new Failure(code, m, e);
        String message = m.startsWith("failed to create task") ? m : "failed to create task for container: " + m;
        // Unsupported: a 400 carrying runc's words unchanged
        return new Failure(code, message, new BerthException.Unsupported(message, e));
    }
}
