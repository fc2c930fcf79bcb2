package dev.berth.daemon.containers;

import dev.berth.daemon.containers.ContainerRecord.RunState;
import dev.berth.model.Ids;
import dev.berth.model.log.Log;
import dev.berth.runtime.ContainerRuntime;
import dev.berth.runtime.ExecRequest;
import dev.berth.runtime.ExecSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * Runs containers' healthchecks as Docker does: the test is exec'd in the container every interval (the start
 * interval during the start period), a run longer than the timeout fails with exit code -1, {@code retries}
 * failures in a row make it unhealthy (failures in the start period do not count until it was healthy once),
 * one success makes it healthy. The last {@value #LOG_ENTRIES} runs are kept with up to {@value #MAX_OUTPUT}
 * bytes of output each. One timer thread schedules every container's probes; each probe runs on a virtual
 * thread. Every change of health is kept with the container's record (Docker's State.Health): a berthd that
 * restarts goes on from the last health of a running container, and inspect of a stopped one shows it.
 */
public final class HealthChecker {
    static final int LOG_ENTRIES = 5;
    static final int MAX_OUTPUT = 4096;
    private static final int SIGKILL = 9;

    /** One run of the test (Docker's HealthcheckResult). */
    public record Probe(Instant start, Instant end, int exitCode, String output) {}

    /** Docker's Health: starting, healthy or unhealthy, the failures in a row and the last runs. */
    public record Health(String status, int failingStreak, List<Probe> log) {}

    private final ContainerRuntime runtime;
    private final SpecBuilder specs;
    private final BiConsumer<ContainerRecord, String> onStatus;
    private final BiConsumer<String, Health> persist;
    private final Map<String, Monitor> monitors = new ConcurrentHashMap<>();
    private final Map<String, Health> last = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("healthchecks").factory());

    /**
     * @param onStatus told of every change of status (for the {@code health_status} events)
     * @param persist  told of every new health of a container (after each run of the test), to keep it
     */
    HealthChecker(
            ContainerRuntime runtime,
            SpecBuilder specs,
            BiConsumer<ContainerRecord, String> onStatus,
            BiConsumer<String, Health> persist) {
        this.runtime = runtime;
        this.specs = specs;
        this.onStatus = onStatus;
        this.persist = persist;
    }

    /** Starts checking a container that just started, from "starting". */
    void start(ContainerRecord r) {
        resume(r, Instant.now(), new Health("starting", 0, List.of()));
    }

    /**
     * Goes on checking a running container a new berthd adopted: from the health its record kept (else
     * "starting"), the start period counted from the container's start.
     */
    void adopt(ContainerRecord r) {
        RunState run = r.runOrNever();
        Health kept = run.health() != null ? run.health() : new Health("starting", 0, List.of());
        resume(r, run.startedAt() != null ? run.startedAt() : Instant.now(), kept);
    }

    private void resume(ContainerRecord r, Instant started, Health from) {
        stop(r.id());
        Healthcheck hc = r.config().healthcheck();
        if (hc == null || !hc.enabled()) return;
        Monitor m = new Monitor(r, hc, started);
        monitors.put(r.id(), m);
        last.put(r.id(), from);
        persist.accept(r.id(), from);
        m.schedule();
    }

    /** Stops checking (the container stopped); its last health stays for inspect. */
    void stop(String id) {
        Monitor m = monitors.remove(id);
        if (m != null) m.cancel();
    }

    void forget(String id) {
        stop(id);
        last.remove(id);
    }

    /** The container's health, or null when it has no healthcheck or never ran with one. */
    public Health health(String id) {
        return last.get(id);
    }

    void close() {
        timer.shutdownNow();
    }

    private final class Monitor {
        final ContainerRecord record;
        final Healthcheck hc;
        final Instant started;
        volatile boolean stopped;
        volatile ScheduledFuture<?> next;

        Monitor(ContainerRecord record, Healthcheck hc, Instant started) {
            this.record = record;
            this.hc = hc;
            this.started = started;
        }

        boolean inStartPeriod() {
            return hc.startPeriod() > 0 && Instant.now().isBefore(started.plusNanos(hc.startPeriod()));
        }

        void schedule() {
            if (stopped) return;
            Health h = last.get(record.id());
            Duration delay = inStartPeriod() && h != null && h.status().equals("starting")
                    ? hc.startIntervalOrDefault()
                    : hc.intervalOrDefault();
            try {
                next = timer.schedule(
                        () -> Thread.ofVirtual().name("healthcheck").start(this::probe),
                        delay.toNanos(),
                        TimeUnit.NANOSECONDS);
            } catch (RuntimeException closed) {
                // berthd is stopping
            }
        }

        void cancel() {
            stopped = true;
            ScheduledFuture<?> f = next;
            if (f != null) f.cancel(false);
        }

        void probe() {
            if (stopped) return;
            Probe p = run();
            if (stopped) return;
            Health before = last.getOrDefault(record.id(), new Health("starting", 0, List.of()));
            List<Probe> log = new ArrayList<>(before.log());
            log.add(p);
            while (log.size() > LOG_ENTRIES) log.removeFirst();
            String status = before.status();
            int streak = before.failingStreak();
            if (p.exitCode() == 0) {
                status = "healthy";
                streak = 0;
            } else if (!(status.equals("starting") && inStartPeriod())) {
                streak++;
                if (streak >= hc.retriesOrDefault()) status = "unhealthy";
            }
            Health now = new Health(status, streak, List.copyOf(log));
            last.put(record.id(), now);
            persist.accept(record.id(), now);
            if (!status.equals(before.status())) onStatus.accept(record, status);
            schedule();
        }

        /** The test exec'd in the container: its exit code and output, or -1 when it timed out or could not run. */
        Probe run() {
            Instant start = Instant.now();
            Duration timeout = hc.timeoutOrDefault();
            try {
                String spec = specs.execJson(record, hc.command(), List.of(), null, null, false, false);
                try (ExecSession s = runtime.exec(record.id(), new ExecRequest(Ids.random(), spec, false, false))) {
                    try {
                        s.stdin().close();
                    } catch (IOException ignored) {
                        // no input anyway
                    }
                    Output out = new Output();
                    Thread a = Thread.ofVirtual().start(() -> out.drain(s.stdout()));
                    Thread b = Thread.ofVirtual().start(() -> out.drain(s.stderr()));
                    int code;
                    try {
                        code = s.exitCode().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                    } catch (TimeoutException e) {
                        killQuietly(s);
                        return new Probe(
                                start, Instant.now(), -1, "Health check exceeded timeout (" + human(timeout) + ")");
                    }
                    a.join(1000);
                    b.join(1000);
                    return new Probe(start, Instant.now(), code, out.text());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Probe(start, Instant.now(), -1, "interrupted");
            } catch (Exception e) {
                Log.warn("healthcheck could not run", "container", record.name(), "error", e.getMessage());
                return new Probe(start, Instant.now(), -1, String.valueOf(e.getMessage()));
            }
        }
    }

    /** A test past its timeout is killed (Docker does too), not left running beside the next one. */
    private void killQuietly(ExecSession s) {
        try {
            s.kill(SIGKILL);
        } catch (RuntimeException e) {
            Log.warn("cannot kill a healthcheck past its timeout", "pid", s.pid(), "error", e.getMessage());
        }
    }

    /** stdout and stderr together, the first {@value #MAX_OUTPUT} bytes kept (Docker's limit), the rest read and dropped. */
    private static final class Output {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        void drain(InputStream in) {
            byte[] buf = new byte[4096];
            try (in) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    synchronized (bytes) {
                        bytes.write(buf, 0, Math.max(0, Math.min(n, MAX_OUTPUT - bytes.size())));
                    }
                }
            } catch (IOException ignored) {
                // the exec ended
            }
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
