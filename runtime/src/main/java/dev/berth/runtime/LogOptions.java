package dev.berth.runtime;

/**
 * Which logs to read, as {@code docker logs} takes them.
 *
 * @param stdout include the process's standard output
 * @param stderr include its standard error
 * @param follow keep streaming new output until the process has exited and everything was delivered
 * @param tail   only the last {@code tail} lines of each stream written so far; negative: all
 */
public record LogOptions(boolean stdout, boolean stderr, boolean follow, int tail) {
    /** Both streams, everything so far, no follow. */
    public static LogOptions all() {
        return new LogOptions(true, true, false, -1);
    }

    /** Both streams from the beginning, following until the process exits (attach of a foreground run). */
    public static LogOptions following() {
        return new LogOptions(true, true, true, -1);
    }
}
