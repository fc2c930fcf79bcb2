package dev.berth.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Images for tests, the demo and benchmarks without a registry or the internet, from Debian's
 * busybox-static: a {@code docker save} archive (Docker's archive format: manifest.json, repositories,
 * one config and one directory per layer) that {@code docker load} reads. It holds two images:
 * <ul>
 *   <li>{@code busybox:latest}: /bin/busybox, a link per applet in /bin, /etc/passwd and /etc/group with
 *       root and nobody; default command {@code sh}, as Docker Hub's busybox;</li>
 *   <li>{@code nginx:latest} (a stand-in, two layers): busybox plus /www/index.html, serving it on port 80 with
 *       busybox's httpd ({@code httpd -f -p 80 -h /www}), ExposedPorts 80/tcp, as nginx's default does.</li>
 * </ul>
 * The archive is built once per JVM and deleted at its exit.
 */
public final class SeedImages {
    public static final String BUSYBOX = "busybox:latest";
    public static final String NGINX = "nginx:latest";
    /** What the nginx stand-in serves at {@code /}. */
    public static final String NGINX_PAGE = "<h1>Welcome to nginx (berth busybox httpd)</h1>\n";

    private static final Path BUSYBOX_BINARY = Path.of("/bin/busybox");
    private static Path archive;

    private SeedImages() {}

    /** The archive's path (built at the first call). */
    public static synchronized Path archive() {
        if (archive != null && Files.exists(archive)) return archive;
        try {
            Path dir = Files.createTempDirectory("berth-busybox-image-");
            Path out = Files.createTempFile("berth-images-", ".tar");
            try {
                archive = build(dir, out);
            } finally {
                deleteTree(dir);
            }
            Path built = archive;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(built)));
            return archive;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the busybox image archive", e);
        }
    }

    private static Path build(Path dir, Path out) throws IOException {
        if (!Files.isExecutable(BUSYBOX_BINARY))
            throw new LabException("/bin/busybox is missing: apt-get install busybox-static (scripts/setup.sh does)");
        Path image = Files.createDirectories(dir.resolve("image"));

        Path base = Files.createDirectories(dir.resolve("base"));
        for (String d : List.of("bin", "etc", "tmp", "root", "proc", "sys", "dev", "home", "var", "usr"))
            Files.createDirectories(base.resolve(d));
        Files.copy(BUSYBOX_BINARY, base.resolve("bin/busybox"));
        for (String applet : Commands.run(List.of(BUSYBOX_BINARY.toString(), "--list"))
                .stdout()
                .split("\n")) {
            applet = applet.strip();
            if (applet.isEmpty() || applet.equals("busybox") || applet.contains("/")) continue;
            Path link = base.resolve("bin").resolve(applet);
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, Path.of("busybox"));
        }
        Files.writeString(
                base.resolve("etc/passwd"),
                "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n");
        Files.writeString(base.resolve("etc/group"), "root:x:0:\nnobody:x:65534:\n");
        String baseLayer = layer(dir, base, image);

        Path web = Files.createDirectories(dir.resolve("web"));
        Files.createDirectories(web.resolve("www"));
        Files.writeString(web.resolve("www/index.html"), NGINX_PAGE);
        String webLayer = layer(dir, web, image);

        String env = "[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"]";
        String busyboxConfig = config(image, env, "[\"sh\"]", "null", List.of(baseLayer));
        String nginxConfig = config(
                image,
                env,
                "[\"httpd\",\"-f\",\"-v\",\"-p\",\"80\",\"-h\",\"/www\"]",
                "{\"80/tcp\":{}}",
                List.of(baseLayer, webLayer));
        String manifest = "[" + manifestEntry(busyboxConfig, BUSYBOX, List.of(baseLayer)) + ","
                + manifestEntry(nginxConfig, NGINX, List.of(baseLayer, webLayer)) + "]";
        Files.writeString(image.resolve("manifest.json"), manifest);
        Files.writeString(
                image.resolve("repositories"),
                "{\"busybox\":{\"latest\":\"" + baseLayer + "\"},\"nginx\":{\"latest\":\"" + webLayer + "\"}}");
        tar(image, out);
        return out;
    }

    /** Writes {@code <diffid>/layer.tar} from {@code root}; returns the layer's digest hex (its diff id). */
    private static String layer(Path dir, Path root, Path image) throws IOException {
        Path tar = dir.resolve(root.getFileName() + ".tar");
        tar(root, tar);
        String hex = sha256(tar);
        Path d = Files.createDirectories(image.resolve(hex));
        Files.move(tar, d.resolve("layer.tar"));
        Files.writeString(d.resolve("VERSION"), "1.0");
        return hex;
    }

    private static String config(Path image, String env, String cmd, String exposed, List<String> layers)
            throws IOException {
        List<String> diffIds = new ArrayList<>();
        for (String l : layers) diffIds.add("\"sha256:" + l + "\"");
        String json = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2026-01-01T00:00:00Z\","
                + "\"config\":{\"Env\":" + env + ",\"Cmd\":" + cmd + ",\"ExposedPorts\":" + exposed
                + ",\"WorkingDir\":\"\"},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + String.join(",", diffIds) + "]},"
                + "\"history\":[{\"created\":\"2026-01-01T00:00:00Z\",\"created_by\":\"berth lab: Debian busybox-static\"}]}";
        Path tmp = image.resolve("config.tmp");
        Files.writeString(tmp, json);
        String hex = sha256(tmp);
        Files.move(tmp, image.resolve(hex + ".json"));
        return hex;
    }

    private static String manifestEntry(String config, String tag, List<String> layers) {
        List<String> l = new ArrayList<>();
        for (String x : layers) l.add("\"" + x + "/layer.tar\"");
        return "{\"Config\":\"" + config + ".json\",\"RepoTags\":[\"" + tag + "\"],\"Layers\":[" + String.join(",", l)
                + "]}";
    }

    /** Entries named as Docker names them ({@code bin/sh}, not {@code ./bin/sh}). */
    private static void tar(Path root, Path out) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                "tar",
                "--sort=name",
                "--owner=0",
                "--group=0",
                "--numeric-owner",
                "--mtime=2026-01-01 00:00:00",
                "-C",
                root.toString(),
                "-cf",
                out.toString()));
        try (Stream<Path> top = Files.list(root)) {
            top.map(p -> p.getFileName().toString()).sorted().forEach(cmd::add);
        }
        ExecResult r = Commands.run(cmd);
        if (!r.ok()) throw new LabException("tar failed: " + r.stderr());
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temp file left behind is harmless
        }
    }
}
