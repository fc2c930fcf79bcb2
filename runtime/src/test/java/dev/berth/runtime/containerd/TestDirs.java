package dev.berth.runtime.containerd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A state and a run directory for one test; deleted on close (after the test unmounted everything). */
final class TestDirs implements AutoCloseable {
    final Path base;
    final Path state;
    final Path run;

    TestDirs() throws IOException {
        base = Files.createTempDirectory("berth-ctrd-test-");
        state = Files.createDirectories(base.resolve("state"));
        run = Files.createDirectories(base.resolve("run"));
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> all = Files.walk(base)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
