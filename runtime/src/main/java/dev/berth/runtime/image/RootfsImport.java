package dev.berth.runtime.image;

import dev.berth.model.BerthException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * {@code docker import}: a root file system tar becomes a one-layer image, as dockerd makes it: the layer is the
 * tar uncompressed (its digest is the diff id), the config carries the Dockerfile-like changes, the message as
 * its comment and one history entry. The tar is spooled to a temporary file first: containerd wants a blob's
 * size and digest before it commits it.
 */
final class RootfsImport {
    private static final byte[] GZIP = {0x1f, (byte) 0x8b};
    private static final byte[] BZIP2 = {'B', 'Z', 'h'};
    private static final byte[] XZ = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};
    private static final byte[] ZSTD = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};

    /** The image made: its id (the config's digest), manifest and config, in the content store and unpacked. */
    record Made(String id, Descriptor manifestDescriptor) {}

    private RootfsImport() {}

    static Made make(
            InputStream tar,
            List<String> changes,
            String message,
            ContentStore content,
            Unpacker unpacker,
            ContainerdLease lease)
            throws IOException {
        ContainerConfig config = Changes.apply(ContainerConfig.EMPTY, changes);
        Path spool = Files.createTempFile("berth-import-", ".tar");
        try {
            Digest.CountingInput counted = new Digest.CountingInput(decompressed(tar));
            try (OutputStream out = Files.newOutputStream(spool)) {
                counted.transferTo(out);
            }
            if (counted.size() == 0) throw new BerthException.InvalidRequest("body", "the archive to import is empty");
            Digest diffId = counted.digest();
            try (InputStream in = Files.newInputStream(spool)) {
                content.write(lease, diffId.toString(), counted.size(), in, Map.of());
            }
            String now = Instant.now().toString();
            ImageConfig image = new ImageConfig(
                    "amd64",
                    "linux",
                    null,
                    now,
                    null,
                    message,
                    null,
                    config,
                    ImageConfig.RootFs.layers(List.of(diffId.toString())),
                    List.of(new ImageConfig.History(now, null, null, message, null)));
            byte[] cfg = ImageJson.write(image);
            content.write(lease, cfg, Map.of());
            Manifest m = Manifest.docker(
                    Descriptor.of(MediaTypes.DOCKER_CONFIG, Digest.of(cfg), cfg.length),
                    List.of(Descriptor.of(MediaTypes.DOCKER_LAYER, diffId, counted.size())));
            byte[] body = ImageJson.write(m);
            content.write(lease, body, Map.of());
            Descriptor desc = Descriptor.of(MediaTypes.DOCKER_MANIFEST, Digest.of(body), body.length);
            unpacker.unpack(lease, desc, m, image, (i, layer, fresh, done) -> {});
            return new Made(Digest.of(cfg).toString(), desc);
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    /** A plain or gzip tar, as the first bytes tell; the other compressions dockerd reads are refused by name. */
    private static InputStream decompressed(InputStream in) throws IOException {
        BufferedInputStream b = new BufferedInputStream(in, 1 << 16);
        b.mark(8);
        byte[] head = b.readNBytes(6);
        b.reset();
        if (startsWith(head, GZIP)) return new GZIPInputStream(b, 1 << 16);
        String other = startsWith(head, BZIP2)
                ? "bzip2"
                : startsWith(head, XZ) ? "xz" : startsWith(head, ZSTD) ? "zstd" : null;
        if (other != null)
            throw new BerthException.InvalidRequest(
                    "body", "the archive is " + other + "-compressed: Berth imports plain or gzip tars");
        return b;
    }

    private static boolean startsWith(byte[] head, byte[] magic) {
        if (head.length < magic.length) return false;
        for (int i = 0; i < magic.length; i++) if (head[i] != magic[i]) return false;
        return true;
    }
}
