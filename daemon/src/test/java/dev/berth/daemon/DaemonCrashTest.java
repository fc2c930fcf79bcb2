package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.fail;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real kill -9 of berthd (it sends itself SIGKILL at a named step, {@link CrashPoints}) in the middle of
 * {@code docker run}, {@code run --rm}, {@code start}, {@code stop}, {@code rm -f}, {@code network connect}
 * and {@code disconnect}: after the restart nothing of containerd or the kernel is without its container,
 * no running container is without its network, no address is given twice and docker inspect agrees with
 * containerd and the kernel; after removing the victim, containerd, the kernel (host and every sandbox),
 * nftables and the state directory are exactly as before ({@link CrashRuns}).
 *
 * <p>This is make test's share: one lab, a chosen step of each operation (a container step, an engine
 * step, inside a netlink batch, between a state file's write and its rename), and a create killed between its
 * record and containerd's container, whose victim must then start. {@link DaemonCrashEveryStepIT}
 * ({@code make test-crash}) crashes at every step every operation passes.
 */
@ExtendWith(LabExtension.class)
class DaemonCrashTest {

    @Test
    void killedAtChosenStepsLeavesNothingBehind(Lab lab) {
        String[][] chosen = {
            {"docker run -d", "record:mid-append:container"},
            {"docker run -d", "netlink:batch-sent"},
            {"docker run -d", "container-start:task-started"},
            {"docker run --rm", "container-exit:recorded"},
            {"docker start", "state:mid-append:endpoints"},
            {"docker stop", "container-exit:task-deleted"},
            {"docker rm -f", "container-rm:runtime-deleted"},
            {"docker network connect", "container-connect:connected"},
            {"docker network disconnect", "container-disconnect:disconnected"},
        };
        List<String> failures = new ArrayList<>();
        try (CrashRuns runs = new CrashRuns(lab)) {
            for (String[] c : chosen) {
                String f = runs.crashAt(CrashRuns.op(c[0]), c[1]);
                if (f != null) failures.add(f);
            }
            // a record without containerd's container (found at start-up, created by the start)
            String f = runs.crashThenStart(CrashRuns.op("docker create"), "container-create:recorded");
            if (f != null) failures.add(f);
        }
        if (!failures.isEmpty())
            fail(failures.size() + " of " + (chosen.length + 1) + " crashes leave a mess:\n"
                    + String.join("\n", failures));
    }
}
