package dev.berth.daemon.containers;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GeneratedNamesTest {

    @Test
    void namesAreDockerShapedValidAndAvoidTakenOnes() {
        GeneratedNames names = new GeneratedNames(new Random(7));
        Set<String> taken = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            String name = names.next(taken::contains);
            assertTrue(name.matches("[a-z]+_[a-z]+[0-9]?"), name);
            ContainerNames.check(name);
            assertTrue(taken.add(name), "drawn twice: " + name);
        }
    }

    @Test
    void afterAFewTakenDrawsADigitIsAppended() {
        GeneratedNames names = new GeneratedNames(new Random(1));
        String name = names.next(n -> !n.matches(".*[0-9]"));
        assertTrue(name.matches("[a-z]+_[a-z]+[0-9]"), name);
        assertNotEquals("", name);
    }
}
