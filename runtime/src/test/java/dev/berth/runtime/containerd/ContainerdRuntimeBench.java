package dev.berth.runtime.containerd;

import dev.berth.lab.Commands;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.runtime.ContainerRuntime.LogConfig;
import dev.berth.runtime.ExecRequest;
import dev.berth.runtime.ExecSession;
import dev.berth.runtime.oci.SeccompMode;
import dev.berth.runtime.oci.SpecRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Not part of the suite (no *Test name): the runtime's own latencies against containerd's floor, {@code ctr}
 * on the same containerd and root file system. Run with
 * {@code scripts/mvn -q -pl runtime -am verify -Dtest=ContainerdRuntimeBench -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@ExtendWith(LabExtension.class)
class ContainerdRuntimeBench {
    private static final int N = 21;

    @Test
    void latencies(Lab lab) throws Exception {
        try (RuntimeLab l = new RuntimeLab(lab)) {
            String sock = l.containerd.socket().toString();
            report("run --rm true (create, start, wait, delete)", i -> {
                String id = "rm" + i;
                l.create(
                        id,
                        false,
                        false,
                        false,
                        new LogConfig(-1, 1),
                        l.spec(id, "true").build());
                l.rt.start(id);
                l.rt.exited(id).join();
                l.rt.deleteTask(id);
                l.rt.delete(id);
            });
            report("run -d (create, start)", i -> {
                String id = "d" + i;
                l.create(
                        id,
                        false,
                        false,
                        false,
                        new LogConfig(-1, 1),
                        l.spec(id, "sleep", "100").build());
                l.rt.start(id);
            });
            SpecRequest spec = l.spec("d0", "sleep", "100").build();
            report("exec true", i -> {
                try (ExecSession e = l.rt.exec(
                        "d0", new ExecRequest("x" + i, RuntimeLab.execJson(spec, false, "true"), false, false))) {
                    e.stdout().readAllBytes();
                    e.exitCode().get(10, TimeUnit.SECONDS);
                } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            });
            // ctr's default spec has no seccomp filter: the same two without Berth's profile, to compare like with like
            report("run --rm true, seccomp unconfined", i -> {
                String id = "u" + i;
                l.create(
                        id,
                        false,
                        false,
                        false,
                        new LogConfig(-1, 1),
                        l.spec(id, "true").seccomp(SeccompMode.UNCONFINED).build());
                l.rt.start(id);
                l.rt.exited(id).join();
                l.rt.deleteTask(id);
                l.rt.delete(id);
            });
            SpecRequest open =
                    l.spec("uc", "sleep", "100").seccomp(SeccompMode.UNCONFINED).build();
            l.create("uc", false, false, false, new LogConfig(-1, 1), open);
            l.rt.start("uc");
            report("exec true, seccomp unconfined", i -> {
                try (ExecSession e = l.rt.exec(
                        "uc", new ExecRequest("x" + i, RuntimeLab.execJson(open, false, "true"), false, false))) {
                    e.stdout().readAllBytes();
                    e.exitCode().get(10, TimeUnit.SECONDS);
                } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            });
            report(
                    "ctr run --rm --rootfs true (floor)",
                    i -> Commands.run(List.of(
                                    "nsenter",
                                    "--net=" + l.host.netnsPath(),
                                    "ctr",
                                    "-a",
                                    sock,
                                    "-n",
                                    "ctrfloor",
                                    "run",
                                    "--rm",
                                    "--cgroup",
                                    l.cgroupParent + "/f" + i,
                                    "--rootfs",
                                    l.rootfs.toString(),
                                    "f" + i,
                                    "/bin/true"))
                            .check());
            Commands.run(List.of(
                            "ctr",
                            "-a",
                            sock,
                            "-n",
                            "ctrfloor",
                            "run",
                            "-d",
                            "--cgroup",
                            l.cgroupParent + "/fd",
                            "--rootfs",
                            l.rootfs.toString(),
                            "fd",
                            "/bin/sleep",
                            "100"))
                    .check();
            report(
                    "ctr task exec true (floor)",
                    i -> Commands.run(List.of(
                                    "ctr",
                                    "-a",
                                    sock,
                                    "-n",
                                    "ctrfloor",
                                    "task",
                                    "exec",
                                    "--exec-id",
                                    "e" + i,
                                    "fd",
                                    "/bin/true"))
                            .check());
        }
    }

    private static void report(String what, IntConsumer op) {
        op.accept(1000); // warm-up
        List<Long> us = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            long t = System.nanoTime();
            op.accept(i);
            us.add((System.nanoTime() - t) / 1000);
        }
        us.sort(null);
        System.out.printf(
                "BENCH %-48s p50 %6.1f ms  p90 %6.1f ms  (n=%d)%n",
                what, us.get(N / 2) / 1000.0, us.get(N * 9 / 10) / 1000.0, N);
    }
}
