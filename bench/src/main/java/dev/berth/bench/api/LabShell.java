package dev.berth.bench.api;

import dev.berth.lab.Lab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A development aid for timing containers by hand: a lab with bin/berthd (its args after ours, e.g.
 * {@code --log-level debug}) and the ctr floor, the seed images loaded; writes the sockets to
 * {@code DIR/env} (shell syntax) and keeps everything up until {@code DIR/stop} appears, then tears it
 * all down. {@code java ... dev.berth.bench.api.LabShell DIR [berthd args...]}. With {@code LABSHELL_DOCKERD=1}
 * a dockerd runs beside them too (as bench-api starts it; {@code DOCKERD=} in the env file).
 */
public final class LabShell {
    private LabShell() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve("stop"));
        List<String> launcher =
                new ArrayList<>(List.of(Path.of("bin/berthd").toAbsolutePath().toString()));
        launcher.addAll(List.of(args).subList(1, args.length));
        String env = System.getenv().getOrDefault("BERTH_TEST_CRASH_DIR", "");
        try (Lab lab = Lab.create();
                BerthdTarget b = BerthdTarget.start(
                        lab,
                        lab.host("berthd"),
                        launcher,
                        env.isEmpty() ? Map.of() : Map.of("BERTH_TEST_CRASH_DIR", env),
                        lab.prefix("sb-"));
                CtrFloor ctr = CtrFloor.start(lab, lab.host("ctr"))) {
            b.loadSeedImages("/usr/local/bin/docker");
            DockerdTarget d = "1".equals(System.getenv("LABSHELL_DOCKERD"))
                    ? DockerdTarget.start(
                            lab,
                            lab.host("dockerd"),
                            Path.of("scripts/bench-api-dockerd.sh").toAbsolutePath())
                    : null;
            try {
                if (d != null) d.loadSeedImages("/usr/local/bin/docker");
                Files.writeString(
                        dir.resolve("env"),
                        "BERTHD=unix://" + b.socket() + "\nBERTHD_PID="
                                + b.process().pid() + "\nCTR_ARGS='" + ctr.args() + "'\nCLIENT_NS="
                                + lab.host("client").name() + "\n"
                                + (d == null ? "" : "DOCKERD=unix://" + d.socket() + "\n"));
                System.out.println("lab up: " + dir.resolve("env"));
                while (!Files.exists(dir.resolve("stop"))) Thread.sleep(500);
            } finally {
                if (d != null) d.close();
            }
            System.out.println("berthd output:\n"
                    + b.process()
                            .output()
                            .lines()
                            .filter(l -> !l.contains("level=debug"))
                            .limit(50)
                            .toList());
        }
    }
}
