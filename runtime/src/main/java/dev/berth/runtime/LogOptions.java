package dev.berth.runtime;

import java.time.Instant;

/**
 * Which logs to read, as {@code docker logs} takes them.
 *
 * @param follow     keep delivering new output; the reader ends when the task has exited and all it wrote was
 *                   delivered (or when there is no task)
 * @param since      only lines written at or after this time; null: from the start
 * @param until      only lines written before this time; null: no end
 * @param tail       only the last {@code tail} lines (both streams together) written so far; negative: all
 * @param timestamps berthd prefixes each line with its time (the runtime ignores it)
 * @param stdout     include the process's standard output
 * @param stderr     include its standard error
 */
public record LogOptions(
        boolean follow, Instant since, Instant until, int tail, boolean timestamps, boolean stdout, boolean stderr) {}
