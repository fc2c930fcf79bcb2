package dev.berth.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * A busybox image without a registry or the internet: Debian's {@code busybox-static} binary and a link
 * per applet in one layer, written as a {@code docker save} archive (Docker's legacy layout: manifest.json,
 * the config as {@code <id>.json}, {@code <layer>/layer.tar}), with {@code tar}, independent of Berth's
 * image code. The root file system has /etc/passwd and /etc/group with root, nobody and {@code berth}
 * (uid 1000, gid 1000) for {@code -u NAME}.
 */
public final class BusyboxImage {
    public static final Path BUSYBOX = Path.of("/bin/busybox");

    /** What was written: the archive, the image id (sha256 of the config) and the layer's diff id. */
    public record Archive(Path tar, String id, String diffId) {}

    private BusyboxImage() {}

    /** Writes {@code out} with the image tagged {@code tags} (e.g. {@code busybox:latest}) and default command {@code cmd}. */
    public static Archive write(Path out, List<String> tags, List<String> cmd, String label) {
        return write(out, tags, cmd, label, 0);
    }

    /** As {@link #write(Path, List, List, String)} with a file {@code /pad} of {@code padBytes} random bytes (a big image). */
    public static Archive write(Path out, List<String> tags, List<String> cmd, String label, long padBytes) {
        try {
            Path work = Files.createTempDirectory("berth-busybox-");
            try {
                Path root = Files.createDirectories(work.resolve("rootfs"));
                Path bin = Files.createDirectories(root.resolve("bin"));
                Files.copy(BUSYBOX, bin.resolve("busybox"));
                for (String applet : Commands.run(List.of(BUSYBOX.toString(), "--list"))
                        .stdout()
                        .split("\n")) {
                    String a = applet.strip();
                    if (!a.isEmpty() && !a.equals("busybox"))
                        Files.createSymbolicLink(bin.resolve(a), Path.of("busybox"));
                }
                Path etc = Files.createDirectories(root.resolve("etc"));
                Files.writeString(
                        etc.resolve("passwd"),
                        "root:x:0:0:root:/root:/bin/sh\nberth:x:1000:1000:berth:/home/berth:/bin/sh\n"
                                + "nobody:x:65534:65534:nobody:/home:/bin/false\n");
                Files.writeString(etc.resolve("group"), "root:x:0:\nberth:x:1000:\nnogroup:x:65534:\n");
                Files.createDirectories(root.resolve("tmp"));
                Files.createDirectories(root.resolve("root"));
                if (padBytes > 0) pad(root.resolve("pad"), padBytes);
                Path layer = work.resolve("layer.tar");
                check(Commands.run(List.of(
                        "tar",
                        "--numeric-owner",
                        "--owner=0",
                        "--group=0",
                        "--sort=name",
                        "--mtime=2024-01-01 00:00:00Z",
                        "-C",
                        root.toString(),
                        "-cf",
                        layer.toString(),
                        ".")));
                String diffId = "sha256:" + sha256(layer);
                String config = """
                        {"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z",\
                        "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":%s,\
                        "Labels":{"dev.berth.test":"%s"}},\
                        "rootfs":{"type":"layers","diff_ids":["%s"]},\
                        "history":[{"created":"2024-01-01T00:00:00Z","created_by":"BusyboxImage: busybox-static and its applets"}]}""".formatted(json(cmd), label, diffId);
                byte[] cfg = config.getBytes(StandardCharsets.UTF_8);
                String id = HexFormat.of().formatHex(digest().digest(cfg));
                String layerDir = diffId.substring(7);
                Files.createDirectories(work.resolve("archive").resolve(layerDir));
                Files.move(layer, work.resolve("archive").resolve(layerDir).resolve("layer.tar"));
                Files.write(work.resolve("archive").resolve(id + ".json"), cfg);
                Files.writeString(
                        work.resolve("archive").resolve("manifest.json"),
                        "[{\"Config\":\"" + id + ".json\",\"RepoTags\":" + json(tags) + ",\"Layers\":[\"" + layerDir
                                + "/layer.tar\"]}]");
                check(Commands.run(
                        List.of(
                                "tar",
                                "-C",
                                work.resolve("archive").toString(),
                                "-cf",
                                out.toString(),
                                "manifest.json",
                                id + ".json",
                                layerDir + "/layer.tar"),
                        Duration.ofSeconds(60),
                        null));
                return new Archive(out, "sha256:" + id, diffId);
            } finally {
                check(Commands.run(List.of("rm", "-rf", work.toString())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void pad(Path file, long bytes) throws IOException {
        Random r = new Random(bytes);
        byte[] buf = new byte[1 << 20];
        try (OutputStream o = Files.newOutputStream(file)) {
            for (long left = bytes; left > 0; left -= buf.length) {
                r.nextBytes(buf);
                o.write(buf, 0, (int) Math.min(buf.length, left));
            }
        }
    }

    private static String json(List<String> items) {
        List<String> q = new ArrayList<>();
        for (String s : items) q.add("\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        return "[" + String.join(",", q) + "]";
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void check(ExecResult r) {
        if (r.exitCode() != 0) throw new LabException(String.join(" ", r.command()) + " failed: " + r.stderr());
    }
}
