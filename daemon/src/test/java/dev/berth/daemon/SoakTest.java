package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.daemon.soak.Gauges;
import dev.berth.daemon.soak.RawApi;
import dev.berth.daemon.soak.Soak;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * berthd does not leak: a few hundred container lifecycles (published port, user network or default
 * bridge, a second network connected, removed with force) and as many connect/disconnect pairs of a
 * long-running container, all through the API on fresh client connections; berthd's open files,
 * sockets and threads, the lab's links, network namespaces, nftables elements and state entries stay
 * within a small constant of where they were after a warm-up, and come back to the daemon's starting
 * point (after one round) once the test's networks are gone.
 * <p>
 * {@code make bench-soak} runs this test with more: {@code -Dberth.soak.lifecycles=10000
 * -Dberth.soak.pairs=10000 -Dberth.soak.every=1000 -Dberth.soak.out=FILE} (the last appends each
 * checkpoint's line to FILE), and {@code -Dberth.soak.until=INSTANT} ends the loop early at that time (a
 * partial run, said so in FILE) with the same checks and clean-up as a whole one.
 */
@ExtendWith(LabExtension.class)
class SoakTest {
    private static final int LIFECYCLES = Integer.getInteger("berth.soak.lifecycles", 240);
    private static final int PAIRS = Integer.getInteger("berth.soak.pairs", LIFECYCLES);
    private static final int EVERY = Integer.getInteger("berth.soak.every", 80);
    /** Concurrent loops, each with its own containers and anchor; they also check that concurrent requests do not race. */
    private static final int WORKERS = Integer.getInteger("berth.soak.workers", 2);

    private static final int WARMUP = 30;
    private static final Instant UNTIL = Instant.parse(System.getProperty("berth.soak.until", "9999-12-31T23:59:59Z"));
    /** How far a count may move between checkpoints (idle netns threads retire, Netty and the JDK start helpers lazily). */
    private static final Map<String, Integer> SLACK =
            Map.of("open files", 8, "sockets", 3, "threads", 8, "containerd open files", 8);

    @Test
    void countsStayFlatOverLifecyclesAndConnectDisconnectPairs(Lab lab) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try (DaemonLab d = DaemonLab.withImages(lab);
                PrintStream out = output()) {
            Gauges gauges = new Gauges(d.pid(), d.host, d.dir.resolve("state"), d.dir.resolve("run"), d.netnsPrefix);
            Soak soak = new Soak(new RawApi(d.socket), gauges, "busybox", d::log);
            out.println("soak workers=" + WORKERS);
            // one round first, so what berthd makes once (the state store's directories, lazy threads) is in the
            // baseline
            soak.setUp(WORKERS);
            rounds(pool, soak, 0, 0, r -> 0, r -> true, Instant.MAX);
            soak.tearDown();
            Gauges.Reading start = gauges.read(true);
            soak.setUp(WORKERS);
            // the warm-up's lifecycles are numbered below zero: names stay unique
            rounds(pool, soak, 1, WARMUP, r -> -r, r -> true, Instant.MAX);
            Soak.Checkpoint base = soak.checkpoint(0, 0, out);
            Set<String> baseRecords = gauges.records();
            Set<String> baseFiles = gauges.stateFiles();
            List<String> growth = new ArrayList<>();
            int rounds = Math.max(LIFECYCLES, PAIRS);
            // rounds go in blocks of EVERY shared by the workers; a checkpoint is read between blocks, when every
            // worker has finished its round and none is inside an operation
            for (int from = 1; from <= rounds; from += EVERY) {
                int to = Math.min(rounds, from + EVERY - 1);
                int done = rounds(pool, soak, from, to, r -> r <= LIFECYCLES ? r : null, r -> r <= PAIRS, UNTIL);
                growth.addAll(grown(
                        base.reading(),
                        soak.checkpoint(Math.min(done, LIFECYCLES), Math.min(done, PAIRS), out)
                                .reading()));
                if (done < to) {
                    out.println("soak PARTIAL: stopped at " + UNTIL + " after " + Math.min(done, LIFECYCLES) + " of "
                            + LIFECYCLES + " lifecycles and " + Math.min(done, PAIRS) + " of " + PAIRS + " pairs");
                    break;
                }
            }
            for (String line : soak.summary()) out.println(line);
            assertTrue(
                    growth.isEmpty(),
                    "counts grew over the soak (after warm-up: "
                            + base.reading().line() + "):\n" + String.join("\n", growth) + "\nrecords added: "
                            + added(baseRecords, gauges.records()) + "\nstate files added: "
                            + added(baseFiles, gauges.stateFiles()) + ", gone: "
                            + added(gauges.stateFiles(), baseFiles));

            soak.tearDown();
            Gauges.Reading end = gauges.read(true);
            out.println("soak start " + start.line());
            out.println("soak end   " + end.line());
            List<String> left = grown(start, end);
            assertTrue(
                    left.isEmpty(),
                    "more than at the daemon's start once everything is removed:\n" + String.join("\n", left)
                            + "\nstart: " + start.line() + "\nend:   " + end.line());
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(2, TimeUnit.MINUTES);
        }
    }

    /**
     * Rounds {@code from..to} shared by the workers, each taking the next round until none is left or
     * {@code until} passed (or a worker failed); a round is a lifecycle (numbered {@code lifecycle(r)}, none
     * if null) and a pair of the worker's own anchor (if {@code pair(r)}). Returns when every worker is
     * between operations: the rounds done, counted from {@code from - 1} (all of them unless stopped early).
     */
    private static int rounds(
            ExecutorService pool,
            Soak soak,
            int from,
            int to,
            IntFunction<Integer> lifecycle,
            IntPredicate pair,
            Instant until)
            throws InterruptedException {
        AtomicInteger next = new AtomicInteger(from);
        AtomicBoolean stop = new AtomicBoolean();
        List<Callable<Integer>> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            int worker = w;
            workers.add(() -> {
                int done = 0;
                try {
                    for (int r; !stop.get() && Instant.now().isBefore(until) && (r = next.getAndIncrement()) <= to; ) {
                        Integer n = lifecycle.apply(r);
                        if (n != null) soak.lifecycle(n);
                        if (pair.test(r)) soak.pair(worker);
                        done++;
                    }
                } catch (RuntimeException | Error e) {
                    stop.set(true);
                    throw e;
                }
                return done;
            });
        }
        int done = 0;
        for (Future<Integer> f : pool.invokeAll(workers)) {
            try {
                done += f.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Error err) throw err;
                throw (RuntimeException) e.getCause();
            }
        }
        return from - 1 + done;
    }

    private static Set<String> added(Set<String> before, Set<String> after) {
        Set<String> out = new TreeSet<>(after);
        out.removeAll(before);
        return out;
    }

    /** What grew beyond its slack between two readings. */
    private static List<String> grown(Gauges.Reading from, Gauges.Reading to) {
        List<String> out = new ArrayList<>();
        Map<String, Integer> b = from.counts(), now = to.counts();
        for (Map.Entry<String, Integer> e : b.entrySet()) {
            int limit = e.getValue() + SLACK.getOrDefault(e.getKey(), 0);
            if (now.get(e.getKey()) > limit) out.add(e.getKey() + ": " + e.getValue() + " -> " + now.get(e.getKey()));
        }
        return out;
    }

    private static PrintStream output() {
        String file = System.getProperty("berth.soak.out");
        if (file == null)
            return new PrintStream(System.out, true) {
                @Override
                public void close() {
                    flush(); // System.out stays open
                }
            };
        try {
            return new PrintStream(new FileOutputStream(file, true), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
