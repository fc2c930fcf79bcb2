package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cli.Berth;
import dev.berth.cli.cmd.Io;
import dev.berth.lab.BusyboxImage;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code berth image ls|load|save|pull|push|tag|rm|inspect} against a real berthd, with a registry in the lab. */
@ExtendWith(LabExtension.class)
class BerthImageCliTest {

    record Result(int code, String out, String err) {}

    @Test
    void imageVerbs(Lab lab) throws IOException {
        try (DaemonLab d = new DaemonLab(lab)) {
            Path tars = Files.createDirectories(d.dir.resolve("tars"));
            BusyboxImage.Archive bb =
                    BusyboxImage.write(tars.resolve("busybox.tar"), List.of("busybox:latest"), List.of("sh"), "one");
            String shortId = bb.id().substring(7, 19);

            assertEquals(
                    "Loaded image: busybox:latest\n",
                    ok(d, "image", "load", "-i", bb.tar().toString()).out());
            String ls = ok(d, "image", "ls").out();
            assertTrue(ls.startsWith("REPOSITORY   TAG       IMAGE ID       CREATED"), ls);
            assertTrue(ls.contains("busybox      latest    " + shortId), ls);
            assertTrue(ok(d, "image", "inspect", "busybox").out().contains("\"Id\": \"" + bb.id() + "\""));
            Result missing = berth(d, null, "image", "inspect", "nope");
            assertEquals(1, missing.code());
            assertTrue(missing.err().contains("No such image: nope"), missing.err());

            ok(d, "image", "tag", "busybox", "localhost:5000/bb:v2");
            assertEquals(
                    shortId + "\n",
                    ok(d, "image", "ls", "-q", "--filter", "reference=localhost:5000/bb")
                            .out());

            Path cfg = d.dir.resolve("registry.yml");
            Files.writeString(
                    cfg,
                    "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: "
                            + d.dir.resolve("registry") + "\nhttp:\n  addr: 127.0.0.1:5000\n");
            d.host.spawnDaemon(Map.of(), "docker-registry", "serve", cfg.toString());
            long end = System.nanoTime() + 20_000_000_000L;
            while (!d.host.exec("curl", "-sf", "http://127.0.0.1:5000/v2/").ok() && System.nanoTime() < end) sleep();
            String pushed = ok(d, "image", "push", "localhost:5000/bb:v2").out();
            assertTrue(pushed.contains("Pushed") && pushed.contains("v2: digest: sha256:"), pushed);

            Path saved = tars.resolve("saved.tar");
            ok(d, "image", "save", "-o", saved.toString(), "busybox");
            String rm = ok(d, "image", "rm", "busybox", "localhost:5000/bb:v2").out();
            assertEquals(
                    "Untagged: busybox:latest\nUntagged: localhost:5000/bb:v2\n",
                    rm.replaceAll("Untagged: localhost:5000/bb@sha256:[0-9a-f]+\n", "")
                            .replace("Deleted: " + bb.id() + "\n", ""));
            assertTrue(rm.contains("Deleted: " + bb.id()), rm);
            assertEquals("", ok(d, "image", "ls", "-q").out());

            String pulled = ok(d, "image", "pull", "localhost:5000/bb:v2").out();
            assertTrue(pulled.contains(bb.diffId().substring(7, 19) + ": Pull complete"), pulled);
            assertTrue(pulled.contains("Status: Downloaded newer image for localhost:5000/bb:v2"), pulled);
            Result failed = berth(d, null, "image", "pull", "localhost:5000/none");
            assertEquals(1, failed.code());
            assertTrue(failed.err().contains("manifest for localhost:5000/none:latest not found"), failed.err());

            // load from stdin, as `berth image load < file`
            try (InputStream in = Files.newInputStream(saved)) {
                Result fromStdin = berth(d, in, "image", "load");
                assertEquals(0, fromStdin.code(), fromStdin.err());
                assertEquals("Loaded image: busybox:latest\n", fromStdin.out());
            }
            assertEquals(shortId + "\n", ok(d, "image", "ls", "-q").out());
        }
    }

    private static Result ok(DaemonLab d, String... args) {
        Result r = berth(d, null, args);
        assertEquals(
                0,
                r.code(),
                String.join(" ", args) + ":\n" + r.out() + r.err() + "\n--- berthd log:\n" + DaemonLab.tail(d.log()));
        return r;
    }

    private static Result berth(DaemonLab d, InputStream stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Io io = new Io(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                stdin == null ? new ByteArrayInputStream(new byte[0]) : stdin,
                Map.of());
        List<String> all = new ArrayList<>(List.of("-H", "unix://" + d.socket));
        all.addAll(List.of(args));
        int code = Berth.run(io, all.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
