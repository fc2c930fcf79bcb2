package dev.berth.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.engine.BerthException;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Start, exit codes, stop, kill and remove, as docker run/stop/kill/rm show them. */
@ExtendWith(LabExtension.class)
class LifecycleTest {

    @Test
    void exitCodeOfAFailingCommand(Lab lab) throws Exception {
        LabHost c1 = lab.host("c1");
        try (RunDir rt = new RunDir()) {
            ContainerState created = rt.sup.create(RunDir.spec("fail1", c1.netnsPath(), "sh", "-c", "exit 3"));
            assertEquals(Status.CREATED, created.status());
            ContainerState s = rt.runToExitAfterCreate("fail1");
            assertEquals(Status.EXITED, s.status());
            assertEquals(3, s.exitCode());
            assertNotNull(s.startedAt());
            assertFalse(s.finishedAt().isBefore(s.startedAt()));
            assertEquals(0, s.pid());
            assertEquals(s, rt.sup.state("fail1"));
        }
    }

    @Test
    void missingOrUnusableProgramFailsTheStartAsDockerDoes() throws Exception {
        try (RunDir rt = new RunDir()) {
            rt.sup.create(RunDir.spec("nf1", null, "no-such-program-berth", "x"));
            BerthException e = assertThrows(BerthException.Failed.class, () -> rt.sup.start("nf1"));
            assertTrue(e.getMessage().contains("exec: \"no-such-program-berth\": executable file not found in $PATH"), e.getMessage());
            ContainerState s = rt.sup.state("nf1");
            assertEquals(Status.CREATED, s.status());
            assertEquals(127, s.exitCode());
            assertTrue(rt.sup.exited("nf1").isDone(), "a failed start ends whatever waited for the run");

            java.nio.file.Path plain = Files.writeString(rt.runDir.resolve("plain.txt"), "not a program");
            rt.sup.create(RunDir.spec("nx1", null, plain.toString()));
            e = assertThrows(BerthException.Failed.class, () -> rt.sup.start("nx1"));
            assertTrue(e.getMessage().contains("exec: \"" + plain + "\": permission denied"), e.getMessage());
            assertEquals(126, rt.sup.state("nx1").exitCode());
            assertTrue(rt.pids().isEmpty(), "nothing was started");
        }
    }

    @Test
    void badNetworkNamespaceFailsTheStartWithTheLaunchersWords(Lab lab) throws Exception {
        LabHost c1 = lab.host("c1");
        try (RunDir rt = new RunDir()) {
            rt.sup.create(RunDir.spec("badns", c1.netnsPath(), "true"));
            c1.ip("link", "show"); // the namespace exists at create...
            lab.close();           // ...and is gone at start
            BerthException e = assertThrows(BerthException.Failed.class, () -> rt.sup.start("badns"));
            assertTrue(e.getMessage().contains("nsenter"), e.getMessage());
            assertEquals(Status.CREATED, rt.sup.state("badns").status());
            assertEquals(125, rt.sup.state("badns").exitCode());
        }
    }

    @Test
    void stopSendsSigkillAfterTheGraceWhenSigtermIsIgnored(Lab lab) throws Exception {
        LabHost c1 = lab.host("c1");
        try (RunDir rt = new RunDir()) {
            rt.run(RunDir.spec("stubborn", c1.netnsPath(), "sh", "-c",
                    "trap '' TERM; echo ready; while :; do sleep 0.05; done"));
            rt.awaitOutput("stubborn", "ready");
            List<long[]> pids = rt.pids();
            long t0 = System.nanoTime();
            ContainerState s = rt.sup.stop("stubborn", Duration.ofMillis(300));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(Status.EXITED, s.status());
            assertEquals(137, s.exitCode(), "killed by SIGKILL: 128+9");
            assertTrue(ms >= 300 && ms < 3000, "stopped after the grace: " + ms + " ms");
            for (long[] p : pids) assertFalse(dev.berth.runtime.sys.ProcStat.alive(p[0], p[1]));
        }
    }

    @Test
    void stopOfAProcessThatHonoursSigterm(Lab lab) throws Exception {
        LabHost c1 = lab.host("c1");
        try (RunDir rt = new RunDir()) {
            rt.run(RunDir.spec("polite", c1.netnsPath(), "sleep", "100"));
            long t0 = System.nanoTime();
            ContainerState s = rt.sup.stop("polite", Duration.ofSeconds(10));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(143, s.exitCode(), "SIGTERM: 128+15");
            assertTrue(ms < 1000, "exit seen promptly: " + ms + " ms");
            assertEquals(s, rt.sup.stop("polite", Duration.ofSeconds(1)), "stopping a stopped container changes nothing");
        }
    }

    @Test
    void killWithASignal(Lab lab) throws Exception {
        LabHost c1 = lab.host("c1");
        try (RunDir rt = new RunDir()) {
            ContainerState running = rt.run(RunDir.spec("k1", c1.netnsPath(), "sleep", "100"));
            assertEquals(Status.RUNNING, running.status());
            assertTrue(running.pid() > 0);
            long t0 = System.nanoTime();
            rt.sup.kill("k1", 2);
            ContainerState s = rt.sup.exited("k1").get(5, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(130, s.exitCode(), "SIGINT: 128+2");
            assertTrue(ms < 500, "exit seen within " + ms + " ms");
            assertThrows(BerthException.Conflict.class, () -> rt.sup.kill("k1", 9));
            assertThrows(BerthException.InvalidRequest.class, () -> rt.sup.kill("k1", 0));
        }
    }

    @Test
    void anExitedContainerStartsAgainAndAppendsToItsLogs() throws Exception {
        try (RunDir rt = new RunDir()) {
            ContainerState first = rt.runToExit(RunDir.spec("again", null, "sh", "-c", "echo run; exit 1"));
            assertEquals(1, first.exitCode());
            rt.sup.start("again");
            ContainerState second = rt.sup.exited("again").get(5, TimeUnit.SECONDS);
            assertEquals(1, second.exitCode());
            assertTrue(second.startedAt().isAfter(first.startedAt()));
            assertEquals("run\nrun\n", rt.stdout("again"));
        }
    }

    @Test
    void manyContainersStartAndStopConcurrently(Lab lab) throws Exception {
        LabHost c1 = lab.host("c1");
        int n = 24;
        try (RunDir rt = new RunDir(); ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<ContainerState>> starts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String id = "many" + i;
                starts.add(pool.submit(() -> rt.run(RunDir.spec(id, c1.netnsPath(), "sh", "-c", "echo $HOSTNAME; exec sleep 100"))));
            }
            for (Future<ContainerState> f : starts) assertEquals(Status.RUNNING, f.get().status());
            assertEquals(n, rt.sup.list().stream().filter(ContainerState::running).count());
            for (int i = 0; i < n; i++) rt.awaitOutput("many" + i, "many" + i + "\n");
            List<Future<ContainerState>> stops = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String id = "many" + i;
                stops.add(pool.submit(() -> rt.sup.stop(id, Duration.ofSeconds(5))));
            }
            for (Future<ContainerState> f : stops) assertEquals(143, f.get().exitCode());
        }
    }

    @Test
    void removeRefusesARunningContainerAndDeletesItsFiles() throws Exception {
        try (RunDir rt = new RunDir()) {
            rt.run(RunDir.spec("rm1", null, "sleep", "100"));
            BerthException e = assertThrows(BerthException.Conflict.class, () -> rt.sup.remove("rm1"));
            assertTrue(e.getMessage().contains("stop it first"), e.getMessage());
            rt.sup.stop("rm1", Duration.ZERO);
            assertTrue(Files.isDirectory(rt.runDir.resolve("containers/rm1")));
            rt.sup.remove("rm1");
            assertFalse(Files.exists(rt.runDir.resolve("containers/rm1")));
            assertThrows(BerthException.NotFound.class, () -> rt.sup.state("rm1"));
            assertTrue(rt.sup.list().isEmpty());
            assertNull(rt.reopen().list().stream().findAny().orElse(null), "gone after a reopen too");
            rt.sup.create(RunDir.spec("rm1", null, "true")); // the id and name are free again
        }
    }
}
