package dev.berth.runtime.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.model.BerthException;
import dev.berth.runtime.containerd.Containerd;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Berth's images, kept in containerd (content, images, snapshots, diff and leases services, in the client's
 * namespace): {@code docker load}/{@code save} archives, registry pull and push, tags, removal and prune,
 * and each image's layers unpacked into overlayfs snapshots named by chain id, the parent of a container's
 * root file system. Writes run under a containerd lease, so a crash half-way leaves only what the
 * collector takes; names change under one lock, so tags move atomically as Docker's do.
 */
public final class ImageStore {
    private final Containerd client;
    private final ContentStore content;
    private final Layers layers;
    private final ImageRecords records;
    private final Unpacker unpacker;
    private final Puller puller;
    private final Pusher pusher;
    private final RootfsFiles files;
    private final ReentrantLock names = new ReentrantLock();
    private final Map<String, Long> layerSizes = new ConcurrentHashMap<>();
    private final ImageFileCache imageFiles = new ImageFileCache();
    private volatile CachedCatalog cachedCatalog;

    private ImageStore(Containerd client, RegistryClient registry) {
        this.client = client;
        this.content = new ContentStore(client);
        this.layers = new Layers(client);
        this.records = new ImageRecords(client);
        this.unpacker = new Unpacker(content, layers);
        this.puller = new Puller(registry, content, unpacker);
        this.pusher = new Pusher(registry, content);
        this.files = new RootfsFiles(client);
    }

    /** The store over {@code client}'s namespace; leases a previous berthd left mid-write are dropped. */
    public static ImageStore open(Containerd client, RegistryClient registry) {
        ContainerdLease.removeLeftovers(client);
        return new ImageStore(client, registry);
    }

    /** An image resolved for a container: the name containerd knows, its id, the snapshot parent and run defaults. */
    public record Resolved(String reference, String id, String chainId, ContainerConfig config) {}

    /** A {@code docker save} archive, written when asked (after its names were checked). */
    @FunctionalInterface
    public interface Archive {
        void writeTo(OutputStream out) throws IOException;
    }

    /** What a prune removed and the bytes it gave back. */
    public record PruneReport(List<DeleteItem> deleted, long spaceReclaimed) {}

    /** The image {@code ref} names (name, id or id prefix), or NotFound "No such image: REF". */
    public Resolved resolve(String ref) {
        StoredImage img = catalog().find(ref);
        String name = img.named().isEmpty()
                ? img.records().getFirst().name()
                : img.named().getFirst().name();
        return new Resolved(name, img.id(), img.chainId(), img.config().configOrEmpty());
    }

    /** A regular file of the image's root file system ({@code /etc/passwd} for {@code -u NAME}), if it has one. */
    public Optional<byte[]> file(String imageId, String path) {
        if (!ImageReference.isFullId(imageId))
            return files.read(catalog().find(imageId).chainId(), path); // a name may move
        return imageFiles.get(
                imageId, path, () -> files.read(catalog().find(imageId).chainId(), path));
    }

    public List<ImageSummary> list() {
        List<ImageSummary> out = new ArrayList<>();
        for (StoredImage i : catalog().images()) out.add(summary(i));
        return out;
    }

    public ImageInspect inspect(String name) {
        StoredImage i = catalog().find(name);
        ImageConfig c = i.config();
        JsonNode config = ImageJson.tree(i.configBytes(), "image config").path("config");
        Map<String, String> meta = new LinkedHashMap<>();
        i.named().stream()
                .map(ImageRecords.Entry::updated)
                .max(Comparable::compareTo)
                .ifPresent(t -> meta.put("LastTagTime", t.toString()));
        return new ImageInspect(
                i.id(),
                i.repoTags(),
                i.repoDigests(),
                "",
                nullToEmpty(c.comment()),
                c.created(),
                nullToEmpty(c.dockerVersion()),
                nullToEmpty(c.author()),
                config.isMissingNode() ? null : config,
                c.architecture(),
                c.variant(),
                c.os(),
                size(i),
                new ImageInspect.GraphDriver(Layers.SNAPSHOTTER, Map.of()),
                new ImageInspect.RootFs("layers", c.diffIds()),
                meta,
                i.manifestDescriptor());
    }

    /** The image's build steps, newest first; layer steps carry their layer's size. */
    public List<HistoryItem> history(String name) {
        StoredImage i = catalog().find(name);
        List<String> chain = i.chainIds();
        List<HistoryItem> out = new ArrayList<>();
        int layer = 0;
        List<ImageConfig.History> steps = i.config().historyOrEmpty();
        for (ImageConfig.History h : steps) {
            long size = 0;
            if (!h.isEmptyLayer() && layer < chain.size()) size = layerSize(chain.get(layer++));
            out.addFirst(new HistoryItem(
                    "<missing>",
                    ImageConfig.parseTime(h.created()).getEpochSecond(),
                    nullToEmpty(h.createdBy()),
                    List.of(),
                    size,
                    nullToEmpty(h.comment())));
        }
        if (out.isEmpty())
            out.add(new HistoryItem("<missing>", i.config().createdAt().getEpochSecond(), "", List.of(), size(i), ""));
        HistoryItem top = out.getFirst();
        out.set(0, new HistoryItem(i.id(), top.created(), top.createdBy(), i.repoTags(), top.size(), top.comment()));
        return out;
    }

    /** {@code docker tag SOURCE TARGET}: TARGET (a name, :latest added) now names SOURCE's image. */
    public void tag(String source, String target) {
        ImageReference t = ImageReference.parse(target);
        if (t.digest() != null)
            throw new BerthException.InvalidRequest("tag", "refusing to create a tag with a digest reference");
        names.lock();
        try {
            StoredImage img = catalog().find(source);
            name(img.id(), img.manifestDescriptor(), List.of(t.withDefaultTag()), Map.of());
        } finally {
            names.unlock();
        }
    }

    /**
     * {@code docker rmi NAME}: a name is untagged and the image deleted with its last name; an id deletes the
     * image with all its names. Containers using it (asked through {@code users}) refuse it as Docker does.
     */
    public List<DeleteItem> remove(String name, boolean force, ImageUsers users) {
        names.lock();
        try {
            Catalog cat = catalog();
            Optional<ImageReference> ref = ImageReference.isFullId(name) ? Optional.empty() : Catalog.parse(name);
            Optional<StoredImage> byName = ref.flatMap(cat::byName);
            if (byName.isPresent()) return untag(byName.get(), ref.get(), name, force, users);
            StoredImage img = cat.find(name);
            List<ImageUsers.User> using = users.of(img.id());
            for (ImageUsers.User u : using)
                if (u.running())
                    throw conflict(
                            img, "(cannot be forced) - image is being used by running container " + shortContainer(u));
            if (!force && !using.isEmpty())
                throw conflict(
                        img,
                        "(must be forced) - image is being used by stopped container "
                                + shortContainer(using.getFirst()));
            Set<String> repos = new LinkedHashSet<>();
            for (ImageRecords.Entry e : img.named())
                repos.add(ImageReference.parse(e.name()).name());
            if (!force && repos.size() > 1)
                throw conflict(img, "(must be forced) - image is referenced in multiple repositories");
            return delete(img);
        } finally {
            names.unlock();
        }
    }

    /** Removes dangling images ({@code all}: every image no container uses) that {@code filter} accepts. */
    public PruneReport prune(boolean all, Predicate<ImageSummary> filter, ImageUsers users) {
        names.lock();
        try {
            List<DeleteItem> out = new ArrayList<>();
            long reclaimed = 0;
            for (StoredImage i : catalog().images()) {
                if (!all && !i.named().isEmpty()) continue;
                ImageSummary s = summary(i);
                if (!filter.test(s) || !users.of(i.id()).isEmpty()) continue;
                out.addAll(delete(i));
                reclaimed += s.size();
            }
            return new PruneReport(out, reclaimed);
        } finally {
            names.unlock();
        }
    }

    /**
     * {@code docker load}: every image of a {@code docker save} or OCI archive stored, unpacked and named;
     * the progress is Docker's ("Loading layer" unless {@code quiet}, then one "Loaded image: NAME" line each).
     */
    public List<String> load(InputStream archive, boolean quiet, ProgressListener progress) throws IOException {
        List<String> loaded = new ArrayList<>();
        try (ContainerdLease lease = ContainerdLease.create(client, "load")) {
            List<ArchiveLoader.Loaded> images = ArchiveLoader.read(archive, content, lease);
            for (ArchiveLoader.Loaded l : images) {
                List<String> diffIds = l.config().diffIds();
                unpacker.unpack(lease, l.manifestDescriptor(), l.manifest(), l.config(), (i, layer, fresh, done) -> {
                    if (quiet || !fresh) return;
                    String id = Digest.parse(diffIds.get(i)).shortId();
                    progress.event(ProgressEvent.bytes(id, "Loading layer", done ? layer.size() : 0, layer.size()));
                });
            }
            names.lock();
            try {
                for (ArchiveLoader.Loaded l : images) {
                    String id = l.manifest().config().digest();
                    name(id, l.manifestDescriptor(), l.names(), Map.of());
                    for (ImageReference n : l.names()) loaded.add("Loaded image: " + n.familiar());
                    if (l.names().isEmpty()) loaded.add("Loaded image ID: " + id);
                }
            } finally {
                names.unlock();
            }
        }
        for (String line : loaded) progress.event(ProgressEvent.line(line));
        return loaded;
    }

    /**
     * {@code docker import}: a root file system tar (plain or gzip) as a one-layer image with {@code changes}
     * applied to its config (CMD, ENV, ... as {@code docker import -c}), named {@code name} (null: untagged);
     * returns the image id.
     */
    public String importRootfs(InputStream tar, ImageReference name, List<String> changes, String message)
            throws IOException {
        try (ContainerdLease lease = ContainerdLease.create(client, "import")) {
            RootfsImport.Made made = RootfsImport.make(tar, changes, message, content, unpacker, lease);
            names.lock();
            try {
                name(
                        made.id(),
                        made.manifestDescriptor(),
                        name == null ? List.of() : List.of(name.withDefaultTag()),
                        Map.of());
            } finally {
                names.unlock();
            }
            return made.id();
        }
    }

    /**
     * {@code docker save}: the named images as one archive. A name without tag saves every tag of that
     * repository; an id saves the image without names. Every name is checked before a byte is written.
     */
    public Archive save(List<String> imageNames) {
        Catalog cat = catalog();
        Map<String, ArchiveWriter.Export> exports = new LinkedHashMap<>();
        for (String n : imageNames) {
            List<ImageReference> tags = new ArrayList<>();
            StoredImage img = exportOf(cat, n, tags);
            ArchiveWriter.Export e =
                    exports.computeIfAbsent(img.id(), k -> new ArchiveWriter.Export(img, new ArrayList<>()));
            for (ImageReference t : tags) if (!e.tags().contains(t)) e.tags().add(t);
        }
        if (exports.isEmpty()) throw new BerthException.InvalidRequest("names", "no image to save");
        List<ArchiveWriter.Export> list = List.copyOf(exports.values());
        return out -> ArchiveWriter.write(list, content, out);
    }

    /** Pulls {@code image} (with {@code tag}: a tag or a digest, when given) and names it; Docker's progress stream. */
    public void pull(String image, String tag, RegistryAuth auth, ProgressListener progress) throws IOException {
        ImageReference ref = ImageReference.parse(image);
        if (tag != null && !tag.isEmpty()) {
            if (Digest.valid(tag)) ref = ref.withDigest(tag);
            else if (ImageReference.validTag(tag)) ref = ref.withTag(tag);
            else throw new BerthException.InvalidRequest("tag", "invalid tag format: " + tag);
        }
        ref = ref.withDefaultTag();
        Optional<String> before = catalog().record(ref).map(e -> e.target().digest());
        Puller.Pulled pulled;
        try (ContainerdLease lease = ContainerdLease.create(client, "pull")) {
            pulled = puller.pull(ref, auth, lease, progress);
            names.lock();
            try {
                Map<String, String> labels =
                        ref.digest() == null ? Map.of(ImageRecords.REPO_DIGEST_LABEL, pulled.repoDigest()) : Map.of();
                name(pulled.manifest().config().digest(), pulled.manifestDescriptor(), List.of(ref), labels);
            } finally {
                names.unlock();
            }
        }
        progress.event(ProgressEvent.status("Digest: " + pulled.repoDigest()));
        boolean same =
                before.filter(pulled.manifestDescriptor().digest()::equals).isPresent();
        progress.event(ProgressEvent.status(
                (same ? "Status: Image is up to date for " : "Status: Downloaded newer image for ") + ref.familiar()));
    }

    /** Pushes {@code name} (with {@code tag}, or every tag of the repository when neither gives one). */
    public void push(String name, String tag, RegistryAuth auth, ProgressListener progress) throws IOException {
        ImageReference base = ImageReference.parse(name);
        Catalog cat = catalog();
        List<ImageReference> targets = new ArrayList<>();
        if (tag != null && !tag.isEmpty()) targets.add(base.withTag(tag));
        else if (base.tag() != null) targets.add(base);
        else targets.addAll(tagsOf(cat, base));
        if (targets.isEmpty())
            throw new BerthException.NotFound("An image does not exist locally with the tag: " + base.familiarName());
        progress.event(ProgressEvent.status("The push refers to repository [" + base.name() + "]"));
        for (ImageReference t : targets) {
            StoredImage img = cat.byName(t)
                    .orElseThrow(() -> new BerthException.NotFound(
                            "An image does not exist locally with the tag: " + t.familiar()));
            String digest = pusher.push(img, t, auth, progress);
            names.lock();
            try {
                records.get(t.toString())
                        .ifPresent(
                                e -> records.put(e.name(), e.target(), Map.of(ImageRecords.REPO_DIGEST_LABEL, digest)));
            } finally {
                names.unlock();
            }
        }
    }

    // ---- names

    /**
     * Points {@code refs} at the image; an image that loses its last name to this keeps a dangling record
     * (Docker's {@code <none>}); an image given no name at all gets one too. Call under {@link #names}.
     */
    private void name(String id, Descriptor manifest, List<ImageReference> refs, Map<String, String> labels) {
        Catalog before = catalog();
        for (ImageReference r : refs) {
            Optional<StoredImage> old = before.byName(r).filter(o -> !o.id().equals(id));
            records.put(r.toString(), manifest, labels);
            if (old.isPresent() && old.get().named().size() == 1)
                records.put(dangling(old.get().id()), old.get().manifestDescriptor(), Map.of());
        }
        if (refs.isEmpty()) {
            if (before.byId(id).map(i -> i.records().isEmpty()).orElse(true))
                records.put(dangling(id), manifest, Map.of());
        } else {
            records.delete(dangling(id), false);
        }
    }

    private List<DeleteItem> untag(StoredImage img, ImageReference ref, String asked, boolean force, ImageUsers users) {
        String recordName = ref.withDefaultTag().toString();
        Optional<ImageRecords.Entry> rec =
                img.named().stream().filter(e -> e.name().equals(recordName)).findFirst();
        if (rec.isEmpty()) return delete(img); // a repository digest named it: the image goes
        List<DeleteItem> out = new ArrayList<>();
        boolean last = img.named().size() == 1;
        if (last) {
            List<ImageUsers.User> using = users.of(img.id());
            if (!using.isEmpty() && !force)
                throw new BerthException.Conflict(
                        "conflict: unable to remove repository reference \"" + asked + "\" (must force) - container "
                                + shortContainer(using.getFirst()) + " is using its referenced image " + img.shortId());
            if (!using.isEmpty()) {
                records.put(dangling(img.id()), img.manifestDescriptor(), Map.of());
                records.delete(recordName, false);
                out.add(DeleteItem.untagged(ImageReference.parse(recordName).familiar()));
                return out;
            }
            return delete(img);
        }
        records.delete(recordName, false);
        out.add(DeleteItem.untagged(ImageReference.parse(recordName).familiar()));
        return out;
    }

    /** Drops every record of the image; the last one runs containerd's collector, which frees its content and snapshots. */
    private List<DeleteItem> delete(StoredImage img) {
        List<DeleteItem> out = new ArrayList<>();
        for (ImageRecords.Entry e : img.named()) {
            ImageReference r = ImageReference.parse(e.name());
            out.add(DeleteItem.untagged(r.familiar()));
        }
        for (String d : img.repoDigests())
            if (out.stream().noneMatch(x -> d.equals(x.untagged()))) out.add(DeleteItem.untagged(d));
        List<ImageRecords.Entry> all = img.records();
        for (int k = 0; k < all.size(); k++) records.delete(all.get(k).name(), k == all.size() - 1);
        out.add(DeleteItem.deleted(img.id()));
        return out;
    }

    private static String dangling(String id) {
        return ImageRecords.DANGLING + id;
    }

    private StoredImage exportOf(Catalog cat, String n, List<ImageReference> tags) {
        Optional<ImageReference> ref = ImageReference.isFullId(n) ? Optional.empty() : Catalog.parse(n);
        if (ref.isPresent() && ref.get().tag() == null && ref.get().digest() == null) {
            List<ImageReference> all = tagsOf(cat, ref.get());
            if (!all.isEmpty()) {
                tags.addAll(all);
                StoredImage first = cat.byName(all.getFirst()).orElseThrow();
                if (all.stream()
                        .allMatch(t ->
                                cat.byName(t).map(StoredImage::id).orElse("").equals(first.id()))) return first;
                throw new BerthException.InvalidRequest(
                        "names", n + ": save its tags one by one (" + all.size() + " tags name different images)");
            }
        }
        if (ref.isPresent()) {
            Optional<StoredImage> named = cat.byName(ref.get());
            if (named.isPresent()) {
                if (ref.get().digest() == null) tags.add(ref.get().withDefaultTag());
                return named.get();
            }
        }
        return cat.find(n);
    }

    /** Every tag of {@code repo}'s repository, oldest first. */
    private static List<ImageReference> tagsOf(Catalog cat, ImageReference repo) {
        List<ImageReference> out = new ArrayList<>();
        for (StoredImage i : cat.images())
            for (ImageRecords.Entry e : i.named()) {
                ImageReference r = ImageReference.parse(e.name());
                if (r.name().equals(repo.name()) && r.tag() != null && r.digest() == null) out.add(r);
            }
        return out;
    }

    // ---- views

    /**
     * The catalog as containerd's image list stands now: one round trip; the manifests and configs are parsed
     * again only when the list changed (a container create or start asks several times, an image never changes
     * under its records).
     */
    private Catalog catalog() {
        List<ImageRecords.Entry> all = records.all();
        CachedCatalog c = cachedCatalog;
        if (c != null && c.records().equals(all)) return c.catalog();
        Catalog fresh = Catalog.read(all, content);
        cachedCatalog = new CachedCatalog(all, fresh);
        return fresh;
    }

    private record CachedCatalog(List<ImageRecords.Entry> records, Catalog catalog) {}

    private ImageSummary summary(StoredImage i) {
        return new ImageSummary(
                i.id(),
                "",
                i.repoTags(),
                i.repoDigests(),
                i.config().createdAt().getEpochSecond(),
                size(i),
                -1,
                i.config().configOrEmpty().labelsOrEmpty(),
                -1);
    }

    /** Bytes the image's layers take unpacked (Docker's Size); layer sizes never change, so they are kept. */
    private long size(StoredImage i) {
        long total = 0;
        for (String c : i.chainIds()) total += layerSize(c);
        return total;
    }

    private long layerSize(String chainId) {
        Long known = layerSizes.get(chainId);
        if (known != null) return known;
        long s = layers.usage(chainId);
        if (s > 0) layerSizes.put(chainId, s);
        return s;
    }

    private static BerthException.Conflict conflict(StoredImage img, String why) {
        return new BerthException.Conflict("conflict: unable to delete " + img.shortId() + " " + why);
    }

    private static String shortContainer(ImageUsers.User u) {
        return u.containerId().length() > 12 ? u.containerId().substring(0, 12) : u.containerId();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
