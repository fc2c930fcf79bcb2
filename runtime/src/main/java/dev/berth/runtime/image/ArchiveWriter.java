package dev.berth.runtime.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes what {@code docker save} receives, in Docker 25's layout so both kinds of loader take it: an OCI
 * image layout (blobs/sha256/..., index.json with the names as annotations, oci-layout) plus Docker's
 * manifest.json naming each image's config, tags and layer files. Blobs are streamed from the content
 * store, each once.
 */
final class ArchiveWriter {
    /** An image to save and the tags it is saved under (none: it loads untagged). */
    record Export(StoredImage image, List<ImageReference> tags) {}

    private ArchiveWriter() {}

    static void write(List<Export> exports, ContentStore content, OutputStream out) throws IOException {
        Map<String, Descriptor> blobs = new LinkedHashMap<>();
        List<Descriptor> indexEntries = new ArrayList<>();
        List<Map<String, Object>> dockerManifest = new ArrayList<>();
        for (Export e : exports) {
            StoredImage img = e.image();
            Descriptor md = img.manifestDescriptor();
            blobs.putIfAbsent(img.manifest().config().digest(), img.manifest().config());
            List<String> layerPaths = new ArrayList<>();
            for (Descriptor l : img.manifest().layersOrEmpty()) {
                blobs.putIfAbsent(l.digest(), l);
                layerPaths.add(path(l.digest()));
            }
            blobs.putIfAbsent(md.digest(), md);
            Set<String> repoTags = new LinkedHashSet<>();
            Descriptor plain = new Descriptor(md.mediaType(), md.digest(), md.size(), null, null, null);
            if (e.tags().isEmpty()) indexEntries.add(plain);
            for (ImageReference t : e.tags()) {
                indexEntries.add(plain.withAnnotations(Map.of(
                        "io.containerd.image.name", t.toString(), "org.opencontainers.image.ref.name", t.tag())));
                repoTags.add(t.familiar());
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("Config", path(img.manifest().config().digest()));
            entry.put("RepoTags", new ArrayList<>(repoTags));
            entry.put("Layers", layerPaths);
            dockerManifest.add(entry);
        }
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        directory(tar, "blobs/");
        directory(tar, "blobs/sha256/");
        for (Descriptor d : blobs.values()) {
            TarArchiveEntry te = new TarArchiveEntry(path(d.digest()));
            te.setSize(d.size());
            te.setMode(0644);
            tar.putArchiveEntry(te);
            try (InputStream in = content.open(d.digest())) {
                long n = in.transferTo(tar);
                if (n != d.size())
                    throw new IOException(
                            "content " + d.digest() + " has " + n + " bytes, its descriptor says " + d.size());
            }
            tar.closeArchiveEntry();
        }
        file(tar, "index.json", ImageJson.write(ImageIndex.oci(indexEntries)));
        file(tar, "manifest.json", ImageJson.write(dockerManifest));
        file(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        tar.finish();
        tar.flush();
    }

    private static String path(String digest) {
        return "blobs/sha256/" + digest.substring("sha256:".length());
    }

    private static void directory(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(040755);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream tar, String name, byte[] body) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(body.length);
        e.setMode(0644);
        tar.putArchiveEntry(e);
        tar.write(body);
        tar.closeArchiveEntry();
    }
}
