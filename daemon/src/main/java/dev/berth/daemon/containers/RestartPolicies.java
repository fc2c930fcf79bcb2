package dev.berth.daemon.containers;

import java.time.Duration;
import java.time.Instant;

/**
 * Docker's restart rules: whether a container that exited is started again, and after how long (100 ms,
 * doubled at every restart up to a minute; back to 100 ms once a run lasted 10 seconds).
 */
final class RestartPolicies {
    private static final Duration FIRST = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofMinutes(1);
    private static final Duration STABLE = Duration.ofSeconds(10);

    private RestartPolicies() {}

    /** After an exit while the daemon watched: a user's stop or kill never restarts. */
    static boolean restartAfterExit(ContainerRecord r) {
        ContainerRecord.RunState run = r.runOrNever();
        if (run.stoppedByUser() || r.autoRemove()) return false;
        ContainerRecord.RestartPolicy p = r.host().restartPolicy();
        return switch (p.name()) {
            case "always", "unless-stopped" -> true;
            case "on-failure" ->
                run.exitCode() != 0 && (p.maximumRetryCount() == 0 || run.restartCount() < p.maximumRetryCount());
            default -> false;
        };
    }

    /** When the daemon starts: {@code always} comes back even after a user's stop, {@code unless-stopped} does not. */
    static boolean startWithDaemon(ContainerRecord r) {
        ContainerRecord.RunState run = r.runOrNever();
        return switch (r.host().restartPolicy().name()) {
            case "always" -> run.startedAt() != null;
            case "unless-stopped" -> run.startedAt() != null && !run.stoppedByUser();
            default -> false;
        };
    }

    /** The wait before the next start, from the restarts so far and how long the last run lasted. */
    static Duration delay(ContainerRecord.RunState run) {
        if (run.startedAt() != null
                && run.finishedAt() != null
                && Duration.between(run.startedAt(), run.finishedAt()).compareTo(STABLE) >= 0) return FIRST;
        Duration d = FIRST;
        for (int i = 0; i < run.restartCount() && d.compareTo(MAX) < 0; i++) d = d.multipliedBy(2);
        return d.compareTo(MAX) > 0 ? MAX : d;
    }

    static boolean ranLongEnough(ContainerRecord.RunState run) {
        return run.startedAt() != null
                && Duration.between(run.startedAt(), run.finishedAt() == null ? Instant.now() : run.finishedAt())
                                .compareTo(STABLE)
                        >= 0;
    }
}
