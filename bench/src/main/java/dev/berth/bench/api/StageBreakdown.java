package dev.berth.bench.api;

import dev.berth.bench.engine.Latencies;
import dev.berth.lab.Lab;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the time of {@code docker run -d} goes inside berthd: a berthd of its own (not the one timed above)
 * started with the crash tests' step trace ({@code BERTH_TEST_CRASH_DIR}, nothing armed: every step berthd
 * passes is written with its System.nanoTime), N runs, and the median time between consecutive steps.
 * Writing the trace costs some microseconds per step, nothing next to the stages it times.
 */
final class StageBreakdown {
    private StageBreakdown() {}

    static String measure(Lab lab, List<String> launcher, String docker, int n) {
        Path dir;
        try {
            dir = Files.createTempDirectory("berth-stages-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder b = new StringBuilder();
        try (BerthdTarget t = BerthdTarget.start(
                lab, lab.host("stages"), launcher, Map.of("BERTH_TEST_CRASH_DIR", dir.toString()), lab.prefix("st-"))) {
            t.loadSeedImages(docker);
            String h = "unix://" + t.socket();
            Map<String, Latencies> steps = new LinkedHashMap<>();
            Latencies total = new Latencies(), create = new Latencies(), start = new Latencies();
            for (int i = -3; i < n; i++) {
                Files.writeString(dir.resolve("trace"), "");
                UnixHttp http = new UnixHttp(t.socket());
                UnixHttp.Response c = http.post(
                        ApiBench.API + "/containers/create?name=stage" + (i + 3),
                        "{\"Image\":\"busybox\",\"Cmd\":[\"sleep\",\"3600\"]}");
                if (c.status() != 201) throw new IllegalStateException("create: " + c.status() + " " + c.body());
                String id = Targets.json(c.body()).path("Id").asText();
                UnixHttp.Response s = http.post(ApiBench.API + "/containers/" + id + "/start", null);
                if (s.status() != 204) throw new IllegalStateException("start: " + s.status() + " " + s.body());
                List<String[]> trace = new ArrayList<>();
                for (String l : Files.readAllLines(dir.resolve("trace"))) trace.add(l.split(" "));
                Cli.output(List.of(docker, "-H", h, "rm", "-f", id));
                if (i < 0) continue;
                total.add(c.nanos() + s.nanos());
                create.add(c.nanos());
                start.add(s.nanos());
                for (int k = 1; k < trace.size(); k++) {
                    String step = trace.get(k - 1)[0] + " -> " + trace.get(k)[0];
                    steps.computeIfAbsent(step, x -> new Latencies())
                            .add(Long.parseLong(trace.get(k)[1]) - Long.parseLong(trace.get(k - 1)[1]));
                }
            }
            b.append(String.format(
                    Locale.ROOT,
                    "%nwhere berthd's time goes in run -d (raw API create + start, default bridge, %d runs, medians):%n",
                    n));
            b.append(String.format(
                    Locale.ROOT,
                    "  create + start round trips %.1f ms: create %.1f ms, start %.1f ms%n",
                    total.p50Ms(),
                    create.p50Ms(),
                    start.p50Ms()));
            for (var e : steps.entrySet())
                if (e.getValue().p50Ms() >= 0.5)
                    b.append(String.format(
                            Locale.ROOT,
                            "  %-72s %7.1f ms%n",
                            e.getKey(),
                            e.getValue().p50Ms()));
            b.append(
                    "  (steps under 0.5 ms left out; before the first step: request, image and field checks; after the last: the answer)\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Targets.deleteTree(dir);
        }
        return b.toString();
    }
}
