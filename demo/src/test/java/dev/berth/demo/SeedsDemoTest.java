package dev.berth.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Plays the demo (needs root, like every lab test) and expects every one of its checks to pass. */
class SeedsDemoTest {
    @Test
    void everyCheckOfTheWalkthroughPasses() {
        System.setProperty(
                "berth.root", Path.of("..").toAbsolutePath().normalize().toString());
        List<Check> checks = SeedsDemo.run(System.out);

        assertEquals(List.of(), checks.stream().filter(c -> !c.passed()).toList(), "failed checks");
        List<Integer> steps =
                checks.stream().map(Check::step).distinct().sorted().toList();
        assertEquals(IntStream.rangeClosed(1, 7).boxed().toList(), steps, "every step is checked");
        assertTrue(checks.size() >= 20, "expected the full walkthrough, got " + checks.size() + " checks");
    }
}
