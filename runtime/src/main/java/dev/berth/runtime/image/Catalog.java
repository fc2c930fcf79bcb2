package dev.berth.runtime.image;

import dev.berth.model.BerthException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A consistent view of every image: containerd's records grouped by image id, each with its manifest
 * and config read from the content store (cached there, content never changes). Lookups follow Docker:
 * a full id, then a name, then a unique id prefix.
 */
final class Catalog {
    private static final Pattern HEX_PREFIX = Pattern.compile("^(sha256:)?[a-f0-9]{1,64}$");
    private final Map<String, StoredImage> byId;

    private Catalog(Map<String, StoredImage> byId) {
        this.byId = byId;
    }

    static Catalog read(ImageRecords records, ContentStore content) {
        return read(records.all(), content);
    }

    /** The catalog of these records (containerd's image list), their manifests and configs read from {@code content}. */
    static Catalog read(List<ImageRecords.Entry> records, ContentStore content) {
        Map<String, List<ImageRecords.Entry>> grouped = new LinkedHashMap<>();
        Map<String, Descriptor> manifests = new LinkedHashMap<>();
        Map<String, Manifest> parsed = new LinkedHashMap<>();
        List<ImageRecords.Entry> all = new ArrayList<>(records);
        all.sort(Comparator.comparing(ImageRecords.Entry::updated));
        for (ImageRecords.Entry e : all) {
            Manifest m;
            try {
                m = ImageJson.read(content.readAll(e.target().digest()), Manifest.class, "manifest");
            } catch (IOException | RuntimeException ex) {
                continue; // a record whose content is gone (another client deleted it): not an image Berth can use
            }
            String id = m.config().digest();
            grouped.computeIfAbsent(id, k -> new ArrayList<>()).add(e);
            manifests.putIfAbsent(id, e.target());
            parsed.putIfAbsent(id, m);
        }
        Map<String, StoredImage> byId = new LinkedHashMap<>();
        for (var g : grouped.entrySet()) {
            try {
                byte[] cfg = content.readAll(g.getKey());
                byId.put(
                        g.getKey(),
                        new StoredImage(
                                g.getKey(),
                                manifests.get(g.getKey()),
                                parsed.get(g.getKey()),
                                cfg,
                                ImageJson.read(cfg, ImageConfig.class, "image config"),
                                List.copyOf(g.getValue())));
            } catch (IOException e) {
                throw new UncheckedIOException("reading the config of image " + g.getKey(), e);
            }
        }
        return new Catalog(byId);
    }

    List<StoredImage> images() {
        return List.copyOf(byId.values());
    }

    Optional<StoredImage> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The image {@code nameOrId} names, or Docker's {@code No such image: X}. */
    StoredImage find(String nameOrId) {
        return lookup(nameOrId).orElseThrow(() -> new BerthException.NotFound("No such image: " + nameOrId));
    }

    Optional<StoredImage> lookup(String s) {
        if (s == null || s.isEmpty()) return Optional.empty();
        if (ImageReference.isFullId(s)) return byId(s.startsWith("sha256:") ? s : "sha256:" + s);
        Optional<ImageReference> ref = parse(s);
        if (ref.isPresent()) {
            Optional<StoredImage> named = byName(ref.get());
            if (named.isPresent()) return named;
        }
        if (!HEX_PREFIX.matcher(s).matches()) return Optional.empty();
        String prefix = s.startsWith("sha256:") ? s : "sha256:" + s;
        StoredImage found = null;
        for (StoredImage i : byId.values()) {
            if (!i.id().startsWith(prefix)) continue;
            if (found != null) return Optional.empty(); // ambiguous
            found = i;
        }
        return Optional.ofNullable(found);
    }

    /** The record a reference names: a tag, or a digest that a record or a repository's registry digest has. */
    Optional<StoredImage> byName(ImageReference ref) {
        ImageReference r = ref.withDefaultTag();
        for (StoredImage i : byId.values()) {
            for (ImageRecords.Entry e : i.named()) {
                if (e.name().equals(r.toString())) return Optional.of(i);
                if (r.digest() != null
                        && r.tag() == null
                        && e.repoDigest().filter(r.digest()::equals).isPresent()
                        && ImageReference.parse(e.name()).name().equals(r.name())) return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    /** The record named exactly by {@code ref} (with :latest added), if any. */
    Optional<ImageRecords.Entry> record(ImageReference ref) {
        String name = ref.withDefaultTag().toString();
        for (StoredImage i : byId.values())
            for (ImageRecords.Entry e : i.records()) if (e.name().equals(name)) return Optional.of(e);
        return Optional.empty();
    }

    static Optional<ImageReference> parse(String s) {
        try {
            return Optional.of(ImageReference.parse(s));
        } catch (BerthException.InvalidRequest e) {
            return Optional.empty();
        }
    }
}
