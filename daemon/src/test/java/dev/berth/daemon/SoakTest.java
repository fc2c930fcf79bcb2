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
    private static final int WARMUP = 30;
    private static final Instant UNTIL = Instant.parse(System.getProperty("berth.soak.until", "9999-12-31T23:59:59Z"));
    /** How far a count may move between checkpoints (idle netns threads retire, Netty and the JDK start helpers lazily). */
    private static final Map<String, Integer> SLACK =
            Map.of("open files", 8, "sockets", 3, "threads", 8, "containerd open files", 8);

    @Test
    void countsStayFlatOverLifecyclesAndConnectDisconnectPairs(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(lab);
                PrintStream out = output()) {
            Gauges gauges = new Gauges(d.pid(), d.host, d.dir.resolve("state"), d.dir.resolve("run"), d.netnsPrefix);
            Soak soak = new Soak(new RawApi(d.socket), gauges, "busybox", d::log);
            // one round first, so what berthd makes once (the state store's directories, lazy threads) is in the
            // baseline
            soak.setUp();
            soak.lifecycle(0);
            soak.pair();
            soak.tearDown();
            Gauges.Reading start = gauges.read(true);
            soak.setUp();
            for (int i = 0; i < WARMUP; i++) {
                soak.lifecycle(-1 - i);
                soak.pair();
            }
            Soak.Checkpoint base = soak.checkpoint(0, 0, out);
            Set<String> baseRecords = gauges.records();
            Set<String> baseFiles = gauges.stateFiles();
            List<String> growth = new ArrayList<>();
            int rounds = Math.max(LIFECYCLES, PAIRS);
            for (int i = 1; i <= rounds; i++) {
                if (i <= LIFECYCLES) soak.lifecycle(i);
                if (i <= PAIRS) soak.pair();
                boolean stop = Instant.now().isAfter(UNTIL);
                if (i % EVERY == 0 || i == rounds || stop)
                    growth.addAll(grown(
                            base.reading(),
                            soak.checkpoint(Math.min(i, LIFECYCLES), Math.min(i, PAIRS), out)
                                    .reading()));
                if (stop && i < rounds) {
                    out.println("soak PARTIAL: stopped at " + UNTIL + " after " + Math.min(i, LIFECYCLES) + " of "
                            + LIFECYCLES + " lifecycles and " + Math.min(i, PAIRS) + " of " + PAIRS + " pairs");
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
        }
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
