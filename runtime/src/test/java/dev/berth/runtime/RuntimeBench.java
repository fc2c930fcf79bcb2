package dev.berth.runtime;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Latencies of the supervisor (not a test): create+start until the PID is known, kill until the exit is
 * seen, stop of a SIGTERM-honouring process, exec round trip. Host-mode containers (no network is used).
 * Run with scripts/bench-runtime.sh [rounds].
 */
public final class RuntimeBench {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        double[] start = new double[rounds], exit = new double[rounds], stop = new double[rounds], exec = new double[rounds];
        try (RunDir rt = new RunDir()) {
            for (int i = -5; i < rounds; i++) { // five warm-up rounds
                String a = "a" + (i + 5), b = "b" + (i + 5);
                long t0 = System.nanoTime();
                rt.run(RunDir.spec(a, null, "sleep", "100"));
                long t1 = System.nanoTime();
                rt.sup.kill(a, Supervisor.SIGKILL);
                rt.sup.exited(a).get(5, TimeUnit.SECONDS);
                long t2 = System.nanoTime();
                rt.run(RunDir.spec(b, null, "sleep", "100"));
                long t3 = System.nanoTime();
                try (ExecSession e = rt.sup.exec(b, ExecSpec.of("true"))) {
                    e.exitCode().get(5, TimeUnit.SECONDS);
                }
                long t4 = System.nanoTime();
                rt.sup.stop(b, Duration.ofSeconds(10));
                long t5 = System.nanoTime();
                rt.sup.remove(a);
                rt.sup.remove(b);
                if (i < 0) continue;
                start[i] = (t1 - t0) / 1e6;
                exit[i] = (t2 - t1) / 1e6;
                exec[i] = (t4 - t3) / 1e6;
                stop[i] = (t5 - t4) / 1e6;
            }
        }
        print("create+start (pid known)", start);
        print("kill -9 until exit seen", exit);
        print("exec `true` round trip", exec);
        print("stop (SIGTERM honoured)", stop);
    }

    private static void print(String what, double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        System.out.printf("%-28s p50 %6.1f ms   p90 %6.1f ms   max %6.1f ms   (n=%d)%n", what,
                s[s.length / 2], s[(int) (s.length * 0.9)], s[s.length - 1], s.length);
    }
}
