package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code make test-crash}: a real kill -9 of berthd at every step each operation passes (learned from a
 * clean run's trace: the container steps, every engine transaction step, every state file's rename, every
 * netlink batch), checked as {@link DaemonCrashTest} does. About 10 s per step; 15-25 minutes in all.
 */
@ExtendWith(LabExtension.class)
class DaemonCrashEveryStepIT {

    static List<String> operations() {
        return CrashRuns.OPS.stream().map(CrashRuns.Op::name).toList();
    }

    @ParameterizedTest
    @MethodSource("operations")
    void killedAtEveryStepLeavesNothingBehind(String operation, Lab lab) {
        CrashRuns.Op op = CrashRuns.op(operation);
        List<String> failures = new ArrayList<>();
        try (CrashRuns runs = new CrashRuns(lab)) {
            List<String> steps = runs.steps(op);
            assertTrue(steps.size() >= 3, "an operation passes several steps: " + steps);
            System.out.println(operation + ": " + steps.size() + " steps: " + steps);
            for (String step : steps) {
                String f = runs.crashAt(op, step);
                if (f != null) failures.add(f);
            }
            if (!failures.isEmpty())
                fail(failures.size() + " of " + steps.size() + " crashes in " + operation + " leave a mess:\n"
                        + String.join("\n", failures));
        }
    }
}
