package dev.berth.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.runtime.sys.ProcStat;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Containers outlive the supervisor (a clean close or a kill -9 of the daemon) and a new one adopts them. */
@ExtendWith(LabExtension.class)
class AdoptionTest {

    /** Waits until the processes a container's pid file names are gone. */
    private static void awaitGone(RunDir rt, String id) throws Exception {
        String[] f = Files.readString(rt.runDir.resolve("containers").resolve(id).resolve("pid")).strip().split(" ");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ProcStat.alive(Long.parseLong(f[2]), Long.parseLong(f[3]))) {
            if (System.nanoTime() > deadline) throw new AssertionError(id + " still runs");
            Thread.sleep(10);
        }
    }

    @Test
    void closeLeavesContainersRunningAndOpenAdoptsThem(Lab lab) throws Exception {
        LabHost c1 = lab.host("c1");
        try (RunDir rt = new RunDir()) {
            ContainerState longRun = rt.run(RunDir.spec("long", c1.netnsPath(), "sleep", "100"));
            rt.run(RunDir.spec("short", c1.netnsPath(), "sh", "-c", "sleep 0.2; echo done; exit 5"));
            rt.sup.close();
            awaitGone(rt, "short"); // exits while no supervisor is open
            assertTrue(ProcStat.read(longRun.pid()).isPresent(), "close leaves containers running");

            Supervisor sup = rt.reopen();
            ContainerState s = sup.state("short");
            assertEquals(Status.EXITED, s.status());
            assertEquals(5, s.exitCode());
            assertNotNull(s.finishedAt());
            assertTrue(sup.exited("short").isDone());
            assertEquals("done\n", rt.stdout("short"));

            ContainerState l = sup.state("long");
            assertEquals(Status.RUNNING, l.status());
            assertEquals(longRun.pid(), l.pid());
            try (ExecSession e = sup.exec("long", ExecSpec.of("hostname"))) {
                assertEquals("long\n", new String(e.stdout().readAllBytes()));
                assertEquals(0, e.exitCode().get(5, TimeUnit.SECONDS));
            }
            sup.kill("long", Supervisor.SIGKILL);
            assertEquals(137, sup.exited("long").get(5, TimeUnit.SECONDS).exitCode(), "the exit of an adopted container is seen");
        }
    }

    @Test
    void containersSurviveAKilledDaemon() throws Exception {
        try (RunDir rt = new RunDir()) {
            rt.sup.close();
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process daemon = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), CrashingDaemon.class.getName(), rt.runDir.toString())
                    .redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(daemon.getInputStream()));
                List<String> said = new ArrayList<>();
                for (String line; (line = out.readLine()) != null && !line.equals("started"); ) said.add(line);
                assertTrue(daemon.isAlive(), "the stand-in daemon started its containers: " + said);
            } finally {
                daemon.destroyForcibly(); // SIGKILL, by its PID
                daemon.waitFor(10, TimeUnit.SECONDS);
            }
            awaitGone(rt, "short");

            Supervisor sup = rt.reopen();
            assertEquals(Status.RUNNING, sup.state("long").status());
            assertEquals(4, sup.state("short").exitCode(), "exited while no daemon ran");
            assertEquals(Status.CREATED, sup.state("pending").status());
            assertNull(sup.state("pending").error());
            ContainerState stopped = sup.stop("long", Duration.ofSeconds(5));
            assertEquals(143, stopped.exitCode());
        }
    }

    @Test
    void aStartInterruptedAfterTheLaunchIsAdoptedAsRunning() throws Exception {
        try (RunDir rt = new RunDir()) {
            ContainerState started = rt.run(RunDir.spec("mid", null, "sleep", "100"));
            rt.sup.close();
            // As if the daemon died between launching the wrapper and recording RUNNING.
            Path dir = rt.runDir.resolve("containers/mid");
            ContainerFiles files = new ContainerFiles(dir);
            StoredContainer s = files.readState();
            files.writeState(StoredContainer.created(s.spec(), s.created()));
            Files.writeString(files.launching(), "x");

            Supervisor sup = rt.reopen();
            assertEquals(Status.RUNNING, sup.state("mid").status());
            assertEquals(started.pid(), sup.state("mid").pid());
            assertEquals(143, sup.stop("mid", Duration.ofSeconds(5)).exitCode());
        }
    }

    @Test
    void aStartInterruptedBeforeTheLaunchLeavesTheContainerCreated() throws Exception {
        try (RunDir rt = new RunDir()) {
            rt.sup.create(RunDir.spec("never", null, "true"));
            rt.sup.close();
            Files.writeString(new ContainerFiles(rt.runDir.resolve("containers/never")).launching(), "x");
            Files.createDirectories(rt.runDir.resolve("containers/half")); // a create that never wrote state.json

            Supervisor sup = rt.reopen();
            ContainerState s = sup.state("never");
            assertEquals(Status.CREATED, s.status());
            assertTrue(s.error().contains("interrupted"), s.error());
            assertEquals(1, sup.list().size());
            assertTrue(!Files.exists(rt.runDir.resolve("containers/half")));
            assertEquals(0, rt.runToExitAfterCreate("never").exitCode(), "it starts fine afterwards");
        }
    }
}
