package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.daemon.soak.Gauges;
import dev.berth.daemon.soak.RawApi;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a client holds open on a container ends when the container goes, and berthd keeps nothing of it:
 * a {@code wait} for the next exit of a container that never runs (Docker wakes it at the removal, with
 * the exit code), a {@code wait} for the removal, {@code logs -f}, {@code attach} and a streamed
 * {@code stats}, each ended by {@code docker rm -f}; then berthd's open files are back where they were.
 */
@ExtendWith(LabExtension.class)
class RemovalEndsStreamsTest {

    @Test
    void waitersFollowersAndAttachersEndAtRemovalLeavingNoDescriptors(Lab lab) throws Exception {
        // a thread each: the common pool has one thread on 2 CPUs, which would run the blocking calls one after another
        // (not closed: closing waits for its tasks, which end only once berthd does)
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try (DaemonLab d = DaemonLab.withImages(lab)) {
            RawApi api = new RawApi(d.socket);
            Gauges gauges = new Gauges(d.pid(), d.host, d.dir.resolve("state"), d.dir.resolve("run"), d.netnsPrefix);
            // one round first, so lazily made threads and descriptors are in the baseline
            d.dockerOk("run", "-d", "--name", "warm", "busybox", "sh", "-c", "echo hi; sleep 100000");
            d.dockerOk("logs", "warm");
            d.dockerOk("rm", "-f", "warm");
            int baseline = gauges.read(false).fds();

            d.dockerOk("create", "--name", "never", "busybox", "true");
            CompletableFuture<RawApi.Answer> nextExit = CompletableFuture.supplyAsync(
                    () -> api.post("/containers/never/wait?condition=next-exit", null), threads);
            CompletableFuture<RawApi.Answer> removal = CompletableFuture.supplyAsync(
                    () -> api.post("/containers/never/wait?condition=removed", null), threads);
            d.dockerOk("run", "-d", "--name", "chatty", "busybox", "sh", "-c", "echo hello; sleep 100000");
            CompletableFuture<ExecResult> follow =
                    CompletableFuture.supplyAsync(() -> d.docker("logs", "-f", "chatty"), threads);
            CompletableFuture<ExecResult> attach =
                    CompletableFuture.supplyAsync(() -> d.docker("attach", "--no-stdin", "chatty"), threads);
            CompletableFuture<RawApi.Answer> stats =
                    CompletableFuture.supplyAsync(() -> api.get("/containers/chatty/stats?stream=1"), threads);
            Thread.sleep(3000); // all of them are waiting now
            assertTrue(
                    !nextExit.isDone() && !removal.isDone() && !follow.isDone() && !attach.isDone() && !stats.isDone(),
                    "the waiters and streams wait while the containers exist");

            d.dockerOk("rm", "never");
            RawApi.Answer woken = nextExit.get(10, TimeUnit.SECONDS);
            assertEquals(200, woken.status(), woken.body());
            assertTrue(
                    woken.body().contains("\"StatusCode\":0"),
                    "the next-exit waiter is woken by the removal: " + woken.body());
            RawApi.Answer gone = removal.get(10, TimeUnit.SECONDS);
            assertTrue(
                    gone.body().contains("\"StatusCode\":0"),
                    "the removal waiter: " + gone.status() + " " + gone.body());

            d.dockerOk("rm", "-f", "chatty");
            assertEquals("hello", follow.get(20, TimeUnit.SECONDS).stdout().trim(), "logs -f ends with the container");
            attach.get(20, TimeUnit.SECONDS);
            RawApi.Answer lastStats = stats.get(20, TimeUnit.SECONDS);
            assertEquals(200, lastStats.status(), "the stats stream ended with the container: " + lastStats.body());

            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int now = gauges.read(false).fds();
            while (now > baseline + 2 && System.nanoTime() < end) {
                Thread.sleep(200);
                now = gauges.read(false).fds();
            }
            assertTrue(now <= baseline + 2, "berthd's open files: " + baseline + " before, " + now + " after");
        }
    }
}
