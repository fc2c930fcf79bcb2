package dev.berth.runtime.image;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Files read from images' root file systems ({@code /etc/passwd} and {@code /etc/group}, which every
 * container spec and exec resolves its user against), kept by image id and path: an image id is the digest
 * of its config, which names its layers, so the file never changes. Reading one costs containerd a view
 * snapshot made and removed; a create or start would otherwise pay that for each file. Small files only,
 * the most recently used {@value #ENTRIES}.
 */
final class ImageFileCache {
    static final int ENTRIES = 128;
    static final int MAX_BYTES = 64 << 10;

    private record Key(String imageId, String path) {}

    private final Map<Key, Optional<byte[]>> entries = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Optional<byte[]>> eldest) {
            return size() > ENTRIES;
        }
    };

    /** The file, from the cache or read with {@code read}; a copy, the caller may change it. */
    Optional<byte[]> get(String imageId, String path, Supplier<Optional<byte[]>> read) {
        Key k = new Key(imageId, path);
        Optional<byte[]> hit;
        synchronized (entries) {
            hit = entries.get(k);
        }
        if (hit == null) {
            hit = read.get();
            if (hit.map(b -> b.length <= MAX_BYTES).orElse(true)) {
                synchronized (entries) {
                    entries.put(k, hit);
                }
            }
        }
        return hit.map(byte[]::clone);
    }
}
