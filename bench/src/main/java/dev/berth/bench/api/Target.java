package dev.berth.bench.api;

import java.nio.file.Path;

/** A daemon under test that speaks the Docker Engine API on a Unix socket inside its own lab namespace. */
sealed interface Target extends AutoCloseable permits BerthdTarget, DockerdTarget {
    /** "berthd" or "dockerd", as the report names it. */
    String name();

    Path socket();

    /** What /version said, e.g. "20.10.24+dfsg1 (API 1.41)". */
    String version();

    /** Launch to the first 200 on /_ping, in milliseconds. */
    long startMillis();

    /** Removes what the benchmark left, stops the daemon by PID and deletes its files. */
    @Override
    void close();
}
