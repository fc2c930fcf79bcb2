package dev.berth.cli.cmd;

/** A mistake on the command line found after parsing (a bad flag value, a missing argument). */
public final class UsageError extends RuntimeException {
    /** Exit status of usage errors (docker's, for a CLI error before anything ran). */
    public static final int STATUS = 125;

    public UsageError(String message) {
        super(message);
    }
}
