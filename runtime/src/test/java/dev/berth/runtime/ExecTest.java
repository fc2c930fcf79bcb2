package dev.berth.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.engine.BerthException;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** docker exec: same namespaces as the container, stdin, exit codes; /etc/hosts rewritten while it runs. */
@ExtendWith(LabExtension.class)
class ExecTest {

    private static ContainerSpec sleeper(LabHost h, String id) {
        return new ContainerSpec(id, id, "box-" + id, h.netnsPath(), true, List.of("sleep", "100"),
                Map.of("GREETING", "hello"), "/tmp", "10.0.0.5\tbox-" + id + "\n", "nameserver 10.0.0.53\n");
    }

    /** Runs an exec to its end: [stdout, stderr, exit code]. */
    private static Object[] run(Supervisor sup, String id, ExecSpec spec, String input) throws Exception {
        try (ExecSession e = sup.exec(id, spec)) {
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(e.stdout()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(e.stderr()));
            if (input != null) e.stdin().write(input.getBytes(StandardCharsets.UTF_8));
            e.stdin().close();
            int code = e.exitCode().get(10, TimeUnit.SECONDS);
            return new Object[] {out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS), code};
        }
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void execRunsInTheContainersNamespacesWithStdinAndExitCodes(Lab lab) throws Exception {
        LabHost c1 = lab.host("c1");
        c1.ip("link", "add", "probe0", "type", "veth", "peer", "name", "probe1");
        try (RunDir rt = new RunDir()) {
            rt.run(sleeper(c1, "ex1"));
            Object[] r = run(rt.sup, "ex1", new ExecSpec(List.of("cat"), Map.of(), null, true), "round trip\nthrough cat\n");
            assertEquals("round trip\nthrough cat\n", r[0]);
            assertEquals(0, r[2]);

            r = run(rt.sup, "ex1", ExecSpec.of("sh", "-c",
                    "hostname; cat /etc/hosts /etc/resolv.conf; ip -o link | grep -c probe; pwd; echo $GREETING $EXTRA; echo oops >&2; exit 7"), null);
            assertEquals("box-ex1\n10.0.0.5\tbox-ex1\nnameserver 10.0.0.53\n2\n/tmp\nhello\n", r[0]);
            assertEquals("oops\n", r[1]);
            assertEquals(7, r[2]);

            r = run(rt.sup, "ex1", new ExecSpec(List.of("sh", "-c", "pwd; echo $GREETING $EXTRA; ls /proc | grep -c '^[0-9]'"),
                    Map.of("EXTRA", "there", "GREETING", "hi"), "/", false), null);
            String[] lines = ((String) r[0]).split("\n");
            assertEquals("/", lines[0]);
            assertEquals("hi there", lines[1]);
            assertTrue(Integer.parseInt(lines[2]) <= 6, "exec joins the container's PID namespace: " + r[0]);

            try (ExecSession e = rt.sup.exec("ex1", ExecSpec.of("sleep", "100"))) {
                ProcessHandle nsenter = ProcessHandle.of(e.pid()).orElseThrow();
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (nsenter.children().findAny().isEmpty() && System.nanoTime() < deadline) Thread.sleep(2);
                nsenter.children().forEach(ProcessHandle::destroy); // our own exec's sleep, by its PID
                assertEquals(143, e.exitCode().get(5, TimeUnit.SECONDS), "an exec killed by SIGTERM exits 128+15");
            }

            BerthException nf = assertThrows(BerthException.Failed.class, () -> rt.sup.exec("ex1", ExecSpec.of("no-such-program-berth")));
            assertTrue(nf.getMessage().contains("executable file not found in $PATH"), nf.getMessage());
            rt.sup.stop("ex1", Duration.ZERO);
            assertThrows(BerthException.Conflict.class, () -> rt.sup.exec("ex1", ExecSpec.of("true")));
        }
    }

    @Test
    void writeHostsIsSeenInsideAtOnce(Lab lab) throws Exception {
        LabHost c1 = lab.host("c1");
        try (RunDir rt = new RunDir()) {
            rt.run(sleeper(c1, "wh1"));
            String longer = "10.0.0.5\tbox-wh1\n10.0.0.6\tdb db.alias\n10.0.0.7\tcache\n";
            rt.sup.writeHosts("wh1", longer);
            assertEquals(longer, run(rt.sup, "wh1", ExecSpec.of("cat", "/etc/hosts"), null)[0]);
            rt.sup.writeHosts("wh1", "10.0.0.5\tbox-wh1\n"); // shorter: the rest is truncated away
            assertEquals("10.0.0.5\tbox-wh1\n", run(rt.sup, "wh1", ExecSpec.of("cat", "/etc/hosts"), null)[0]);
            assertEquals("10.0.0.5\tbox-wh1\n", rt.reopen().spec("wh1").hosts(), "kept across a reopen");
        }
    }
}
