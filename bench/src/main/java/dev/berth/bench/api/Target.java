package dev.berth.bench.api;

import dev.berth.lab.SeedImages;
import java.nio.file.Path;
import java.util.List;

/** A daemon under test that speaks the Docker Engine API on a Unix socket inside its own lab namespace. */
sealed interface Target extends AutoCloseable permits BerthdTarget, DockerdTarget {
    /** "berthd" or "dockerd", as the report names it. */
    String name();

    Path socket();

    /** What /version said, e.g. "20.10.24+dfsg1 (API 1.41)". */
    String version();

    /** Launch to the first 200 on /_ping, in milliseconds. */
    long startMillis();

    /** Loads the seeds' images (busybox, the nginx stand-in: {@code SeedImages}) with {@code docker load}. */
    default void loadSeedImages(String dockerCli) {
        Cli.output(List.of(
                dockerCli,
                "-H",
                "unix://" + socket(),
                "load",
                "-i",
                SeedImages.archive().toString()));
    }

    /** Removes what the benchmark left, stops the daemon by PID and deletes its files. */
    @Override
    void close();
}
