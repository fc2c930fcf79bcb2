package dev.berth.runtime;

/** Which output of the process a log chunk came from (Docker's stream 1 and 2). */
public enum LogStream {
    STDOUT,
    STDERR
}
