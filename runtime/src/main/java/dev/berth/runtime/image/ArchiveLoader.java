package dev.berth.runtime.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.model.BerthException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads what {@code docker load} sends: a {@code docker save} tar (manifest.json naming config and layer
 * files, legacy or Docker 25's layout) or an OCI image layout (index.json and blobs/). The tar is read once,
 * every file streamed into the content store under the caller's lease as it passes (entries come in any
 * order); the manifests are made or found afterwards. Files nothing refers to go with the lease.
 */
final class ArchiveLoader {
    private static final Pattern BLOB = Pattern.compile("^blobs/sha256/([a-f0-9]{64})$");
    private static final Set<String> METADATA = Set.of("manifest.json", "index.json", "oci-layout", "repositories");
    private static final int METADATA_MAX = 8 << 20;
    private static final String CONTAINERD_NAME = "io.containerd.image.name";
    private static final String OCI_REF_NAME = "org.opencontainers.image.ref.name";

    /** One image of the archive: its names (none: it loads untagged) and its manifest, now in the content store. */
    record Loaded(List<ImageReference> names, Descriptor manifestDescriptor, Manifest manifest, ImageConfig config) {}

    private final ContentStore content;
    private final ContainerdLease lease;
    private final Map<String, byte[]> metadata = new HashMap<>();
    private final Map<String, ContentStore.Ingested> files = new HashMap<>();
    private final Map<String, String> links = new HashMap<>();

    private ArchiveLoader(ContentStore content, ContainerdLease lease) {
        this.content = content;
        this.lease = lease;
    }

    static List<Loaded> read(InputStream tar, ContentStore content, ContainerdLease lease) throws IOException {
        ArchiveLoader l = new ArchiveLoader(content, lease);
        l.ingest(tar);
        if (l.metadata.containsKey("index.json")) return l.oci();
        if (l.metadata.containsKey("manifest.json")) return l.docker();
        throw new BerthException.InvalidRequest(
                "archive",
                "neither manifest.json nor index.json in the archive: not a docker save or OCI image archive");
    }

    private void ingest(InputStream tar) throws IOException {
        SourceFailures source = new SourceFailures(tar);
        TarArchiveInputStream in = new TarArchiveInputStream(source);
        int n = 0;
        TarArchiveEntry e;
        while ((e = next(in, source)) != null) {
            String name = normalize(e.getName());
            if (e.isDirectory() || name.isEmpty()) continue;
            if (e.isSymbolicLink()) {
                links.put(
                        name,
                        normalize(Path.of(name)
                                .resolveSibling(e.getLinkName())
                                .normalize()
                                .toString()));
            } else if (e.isLink()) {
                links.put(name, normalize(e.getLinkName()));
            } else if (!e.isFile()) {
                continue;
            } else if (METADATA.contains(name)) {
                if (e.getSize() > METADATA_MAX)
                    throw new BerthException.InvalidRequest("archive", name + " is larger than 8 MiB");
                metadata.put(name, in.readAllBytes());
            } else {
                Matcher m = BLOB.matcher(name);
                if (m.matches()) {
                    content.write(lease, "sha256:" + m.group(1), e.getSize(), unclosable(in), Map.of());
                    files.put(name, new ContentStore.Ingested(new Digest(m.group(1)), e.getSize(), null));
                } else {
                    files.put(
                            name,
                            content.ingest(lease, "berth-load-" + lease.id() + "-" + n++, unclosable(in), e.getSize()));
                }
            }
        }
    }

    /**
     * The next entry. A failure of the tar reader itself (a header that is not one: the body is no tar) is the
     * client's bad archive, a 400; a failure to read the body (the client went away) stays what it is.
     */
    private static TarArchiveEntry next(TarArchiveInputStream in, SourceFailures source) throws IOException {
        try {
            return in.getNextEntry();
        } catch (IOException e) {
            if (source.failed) throw e;
            throw new BerthException.InvalidRequest(
                    "archive", "not a tar archive as docker save writes one (" + e.getMessage() + ")");
        }
    }

    /** Remembers whether reading the body itself failed, to tell it from the tar reader's own complaints. */
    private static final class SourceFailures extends FilterInputStream {
        boolean failed;

        SourceFailures(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return super.skip(n);
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }
    }

    /** Docker's layout: manifest.json names each image's config and layer files; Berth writes its manifest. */
    private List<Loaded> docker() throws IOException {
        List<Loaded> out = new ArrayList<>();
        JsonNode list = ImageJson.tree(metadata.get("manifest.json"), "manifest.json");
        if (!list.isArray()) throw new BerthException.InvalidRequest("archive", "manifest.json is not a list");
        for (JsonNode entry : list) {
            ContentStore.Ingested cfg = file(entry.path("Config").asText(""));
            byte[] cfgBytes = content.readAll(cfg.digest().toString());
            ImageConfig config = ImageJson.read(cfgBytes, ImageConfig.class, "image config");
            List<Descriptor> layers = new ArrayList<>();
            List<String> diffIds = config.diffIds();
            JsonNode paths = entry.path("Layers");
            for (int i = 0; i < paths.size(); i++) {
                ContentStore.Ingested layer = file(paths.get(i).asText());
                String type = layerType(layer, i < diffIds.size() ? diffIds.get(i) : null);
                layers.add(Descriptor.of(type, layer.digest(), layer.size()));
            }
            Manifest m = Manifest.docker(Descriptor.of(MediaTypes.DOCKER_CONFIG, cfg.digest(), cfg.size()), layers);
            byte[] body = ImageJson.write(m);
            content.write(lease, body, Map.of());
            Descriptor desc = Descriptor.of(MediaTypes.DOCKER_MANIFEST, Digest.of(body), body.length);
            List<ImageReference> names = new ArrayList<>();
            for (JsonNode t : entry.path("RepoTags"))
                names.add(ImageReference.parse(t.asText()).withDefaultTag());
            out.add(new Loaded(names, desc, m, config));
        }
        return out;
    }

    /** The OCI layout: index.json points at manifests (or nested indexes) in blobs/; names are annotations. */
    private List<Loaded> oci() throws IOException {
        ImageIndex index = ImageJson.read(metadata.get("index.json"), ImageIndex.class, "index.json");
        Map<String, List<String>> dockerTags = dockerTagsByConfig();
        Map<String, Loaded> byManifest = new LinkedHashMap<>();
        for (Descriptor d : index.manifests() == null ? List.<Descriptor>of() : index.manifests()) {
            Descriptor md = d;
            if (MediaTypes.isIndex(d.mediaType())) {
                ImageIndex nested =
                        ImageJson.read(content.readAll(d.digest()), ImageIndex.class, "index " + d.digest());
                md = nested.pick(Platform.LINUX_AMD64, "the archive");
            } else if (!MediaTypes.isManifest(d.mediaType())) {
                continue;
            }
            Manifest m = ImageJson.read(content.readAll(md.digest()), Manifest.class, "manifest " + md.digest());
            ImageConfig config =
                    ImageJson.read(content.readAll(m.config().digest()), ImageConfig.class, "image config");
            Descriptor plain = new Descriptor(md.mediaType(), md.digest(), md.size(), null, null, null);
            Loaded l = byManifest.computeIfAbsent(md.digest(), k -> new Loaded(new ArrayList<>(), plain, m, config));
            ImageReference name = nameOf(d);
            if (name != null && !l.names().contains(name)) l.names().add(name);
        }
        for (Loaded l : byManifest.values()) {
            if (!l.names().isEmpty()) continue;
            for (String t : dockerTags.getOrDefault(l.manifest().config().digest(), List.of()))
                l.names().add(ImageReference.parse(t).withDefaultTag());
        }
        return List.copyOf(byManifest.values());
    }

    /** Docker 25's archives carry both layouts: manifest.json's RepoTags name the images index.json leaves unnamed. */
    private Map<String, List<String>> dockerTagsByConfig() {
        Map<String, List<String>> out = new HashMap<>();
        byte[] mj = metadata.get("manifest.json");
        if (mj == null) return out;
        for (JsonNode entry : ImageJson.tree(mj, "manifest.json")) {
            ContentStore.Ingested cfg = files.get(resolve(entry.path("Config").asText("")));
            if (cfg == null) continue;
            List<String> tags = out.computeIfAbsent(cfg.digest().toString(), k -> new ArrayList<>());
            for (JsonNode t : entry.path("RepoTags")) tags.add(t.asText());
        }
        return out;
    }

    private static ImageReference nameOf(Descriptor d) {
        Map<String, String> a = d.annotations() == null ? Map.of() : d.annotations();
        String full = a.get(CONTAINERD_NAME);
        if (full == null) {
            String ref = a.get(OCI_REF_NAME);
            if (ref != null && (ref.contains("/") || ref.contains(":"))) full = ref; // a bare tag names nothing
        }
        return full == null
                ? null
                : Catalog.parse(full).map(ImageReference::withDefaultTag).orElse(null);
    }

    /** Legacy layers are plain tars (digest = diff id); newer ones may be compressed: the first bytes tell. */
    private static String layerType(ContentStore.Ingested layer, String diffId) {
        byte[] h = layer.head();
        if (layer.digest().toString().equals(diffId) || h == null || h.length < 4) return MediaTypes.DOCKER_LAYER;
        if ((h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b) return MediaTypes.DOCKER_LAYER_GZIP;
        if ((h[0] & 0xff) == 0x28 && (h[1] & 0xff) == 0xb5 && (h[2] & 0xff) == 0x2f && (h[3] & 0xff) == 0xfd)
            return MediaTypes.OCI_LAYER_ZSTD;
        return MediaTypes.DOCKER_LAYER;
    }

    private ContentStore.Ingested file(String path) {
        ContentStore.Ingested f = files.get(resolve(path));
        if (f == null)
            throw new BerthException.InvalidRequest(
                    "archive", "manifest.json names " + path + ", which the archive lacks");
        if (f.head() == null && BLOB.matcher(resolve(path)).matches()) return headed(f);
        return f;
    }

    /** A blob entry written by digest has no captured head: read its first bytes back. */
    private ContentStore.Ingested headed(ContentStore.Ingested f) {
        return new ContentStore.Ingested(
                f.digest(), f.size(), content.head(f.digest().toString(), 4));
    }

    private String resolve(String path) {
        String p = normalize(path);
        for (int hops = 0; hops < 16 && links.containsKey(p); hops++) p = links.get(p);
        return p;
    }

    /** An entry's stream that does not close the archive when a reader is done with it. */
    private static InputStream unclosable(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public void close() {}
        };
    }

    private static String normalize(String name) {
        String n = name;
        while (n.startsWith("./")) n = n.substring(2);
        while (n.startsWith("/")) n = n.substring(1);
        if (n.endsWith("/")) n = n.substring(0, n.length() - 1);
        return n;
    }
}
